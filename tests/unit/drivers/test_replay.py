"""ReplayCamera over real files decoded by OpenCV: the reader thread every camera shares."""

import itertools
import threading
import time

import cv2
import numpy as np
import pytest

from arm4r_policy.drivers.camera import EndOfStream
from arm4r_policy.drivers.replay import ReplayCamera
from arm4r_policy.errors import ConfigError, HardwareError
from tests.unit.drivers.recordings import (
    HEIGHT,
    WIDTH,
    frame_level,
    index_of,
    write_image_folder,
    write_video,
)

FAST_RECONNECT = {"reconnect_delay": 0.01, "max_reconnect_delay": 0.05}


def read_to_the_end(camera: ReplayCamera) -> tuple[list[np.ndarray], EndOfStream]:
    """Every image ``read`` returns until the stream ends, and the ``EndOfStream`` raised."""
    images = []
    for _ in range(1000):
        try:
            images.append(camera.read(timeout=1.0).image)
        except EndOfStream as end:
            return images, end
    raise AssertionError("the stream did not end")


def read_until_timeout(camera: ReplayCamera, within: float) -> TimeoutError:
    """The first ``TimeoutError`` of reads with a short timeout, within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            camera.read(timeout=0.2)
        except TimeoutError as timeout:
            return timeout
    raise AssertionError(f"frames kept coming for {within} s")


def test_frames_are_rgb_uint8_of_the_recorded_size(tmp_path):
    path = tmp_path / "blue.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (WIDTH, HEIGHT))
    for _ in range(3):
        writer.write(np.full((HEIGHT, WIDTH, 3), (255, 0, 0), np.uint8))  # blue in BGR
    writer.release()
    with ReplayCamera("ego", path) as camera:
        image = camera.read(timeout=1.0).image
    assert image.dtype == np.uint8
    assert image.shape == (HEIGHT, WIDTH, 3)
    red, green, blue = image.reshape(-1, 3).mean(axis=0)
    assert blue > 200 > 50 > max(red, green)


def test_a_slow_reader_gets_the_newest_frame_not_a_backlog(tmp_path):
    path = write_video(tmp_path / "long.avi", frames=10, fps=100.0)
    with ReplayCamera("ego", path, loop=True) as camera:
        first = camera.read(timeout=1.0)
        time.sleep(0.25)  # about 25 frames go by at 100 fps
        second = camera.read(timeout=1.0)
        third = camera.read(timeout=1.0)
    assert second.index - first.index >= 10
    assert third.index == second.index + 1  # the next read waits for a fresh frame
    assert time.monotonic() - second.monotonic < 1.0


def test_stamps_and_indices_increase(video):
    with ReplayCamera("ego", video) as camera:
        frames = [camera.read(timeout=1.0) for _ in range(6)]
    indices = [frame.index for frame in frames]
    assert indices == sorted(set(indices))
    assert all(b.monotonic > a.monotonic for a, b in itertools.pairwise(frames))
    assert all(b.wall > a.wall for a, b in itertools.pairwise(frames))
    offsets = [frame.wall - frame.monotonic for frame in frames]
    assert max(offsets) - min(offsets) < 0.01  # both stamps taken at the same instant
    assert abs(offsets[0] - (time.time() - time.monotonic())) < 0.05


def test_video_plays_at_its_own_rate_unless_given_one(tmp_path):
    path = write_video(tmp_path / "slow.avi", frames=10, fps=20.0)
    with ReplayCamera("ego", path) as camera:
        own = [camera.read(timeout=1.0).monotonic for _ in range(4)]
    with ReplayCamera("ego", path, rate_hz=100.0) as camera:
        given = [camera.read(timeout=1.0).monotonic for _ in range(4)]
    assert np.mean(np.diff(own)) == pytest.approx(0.05, abs=0.015)
    assert np.mean(np.diff(given)) == pytest.approx(0.01, abs=0.008)


def test_timeout_names_the_source_and_the_age_of_the_last_frame(video):
    with ReplayCamera("ego", video, rate_hz=4.0) as camera:
        camera.read(timeout=1.0)
        with pytest.raises(TimeoutError) as raised:
            camera.read(timeout=0.05)
    message = str(raised.value)
    assert "'ego'" in message
    assert str(video) in message
    assert "within 0.050 s" in message
    assert "last frame (index 0)" in message
    assert " s ago" in message


def test_replay_without_loop_ends_with_end_of_stream(video):
    with ReplayCamera("ego", video, loop=False) as camera:
        images, end = read_to_the_end(camera)
        with pytest.raises(EndOfStream):
            camera.read(timeout=0.1)  # and stays ended
    assert index_of(images[-1]) == 9  # the last frame comes before the end is reported
    assert str(video) in str(end)


def test_image_folder_plays_in_file_name_order(tmp_path):
    folder = write_image_folder(tmp_path / "images" / "ego", frames=4)
    with ReplayCamera("ego", folder, rate_hz=20.0, loop=False) as camera:
        images, _ = read_to_the_end(camera)
    assert [int(image[0, 0, 0]) for image in images] == [frame_level(i) for i in range(4)]


def test_reading_resumes_after_the_file_vanishes_and_comes_back(tmp_path):
    path = write_video(tmp_path / "ego.avi", frames=5, fps=200.0)
    with ReplayCamera("ego", path, loop=True, **FAST_RECONNECT) as camera:
        before = camera.read(timeout=1.0)
        path.unlink()
        gone = read_until_timeout(camera, within=2.0)  # the pass already open may play out
        write_video(path, frames=5, fps=200.0)
        after = camera.read(timeout=2.0)
    assert f"video file {path} does not exist" in str(gone)
    assert after.index > before.index


def test_connect_fails_naming_a_missing_recording(tmp_path):
    missing = tmp_path / "missing.avi"
    with pytest.raises(HardwareError, match=f"video file {missing} does not exist"):
        ReplayCamera("ego", missing).connect()


def test_image_folder_needs_a_rate(tmp_path):
    folder = write_image_folder(tmp_path / "ego", frames=1)
    with pytest.raises(ConfigError, match="needs rate_hz"):
        ReplayCamera("ego", folder)


def test_read_before_connect_and_after_disconnect_is_refused(video):
    camera = ReplayCamera("ego", video)
    with pytest.raises(HardwareError, match="not connected"):
        camera.read(timeout=0.1)
    camera.connect()
    camera.read(timeout=1.0)
    camera.disconnect()
    camera.disconnect()  # twice is fine
    with pytest.raises(HardwareError, match="not connected"):
        camera.read(timeout=0.1)
    assert not any(thread.name == "camera-ego" for thread in threading.enumerate())


def test_reconnecting_the_camera_restarts_the_stream(video):
    camera = ReplayCamera("ego", video)
    with camera:
        camera.read(timeout=1.0)
    with camera:
        assert camera.read(timeout=1.0).index == 0
