"""camera_node in its own process over real DDS, playing MJPG videos written with OpenCV."""

import importlib.util
import os

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from arm4r_policy.drivers.calibration import CameraCalibration, save_calibration
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.camera_node import image_encoder
from arm4r_policy.nodes.conversions import image_to_rgb, rgb_to_image, stamp_to_ns
from tests.unit.drivers.recordings import HEIGHT, WIDTH, index_of, write_video

from .harness import diagnostics_matching
from .test_policy_node import STARTUP, assert_stops_naming

RATE = 20.0  # [Hz] of the recordings
FRAMES = 10
K_1280 = np.array([[988.0, 0.0, 639.5], [0.0, 986.0, 479.5], [0.0, 0.0, 1.0]])
NO_CV_BRIDGE = "cv_bridge is not installable here; runs in the docker image"


class Streams:
    """What the camera node named ``ego`` publishes, recorded by the test."""

    def __init__(self, graph) -> None:
        self.images = graph.record(Image, topics.camera_image("ego"), topics.SENSOR_QOS)
        self.infos = graph.record(CameraInfo, topics.camera_info("ego"), topics.SENSOR_QOS)
        self.diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)

    def stamps_ns(self) -> list[int]:
        return [stamp_to_ns(image.header.stamp) for image in self.images.messages]

    def statuses(self, level: bytes, *words: str) -> list[DiagnosticStatus]:
        return diagnostics_matching(self.diagnostics, level, *words)


def replace_video(path):
    """Write a new recording beside ``path`` and move it there at once: a reader never opens
    half a file."""
    os.replace(write_video(path.with_name(f"new_{path.name}"), FRAMES, RATE), path)


def test_a_replayed_video_is_published_as_rgb8_at_its_rate_with_capture_stamps_and_camera_info(
    graph, start_node, tmp_path
):
    video = write_video(tmp_path / "ego.avi", FRAMES, RATE)
    distortion = np.array([0.1, -0.05, 0.001, 0.002, 0.01])
    calibration = CameraCalibration.monocular("ego", 1280, 960, K_1280, distortion=distortion)
    save_calibration(calibration, tmp_path / "ego.yaml")
    streams = Streams(graph)
    node = start_node(
        "camera_node", backend="replay", device=str(video), calibration=str(tmp_path / "ego.yaml")
    )
    enough = lambda: len(streams.images) >= 3 * FRAMES and streams.infos  # noqa: E731
    assert graph.spin_until(enough, STARTUP), node.output()

    image = streams.images.messages[-1]
    assert (image.encoding, image.width, image.height, image.step) == (
        "rgb8",
        WIDTH,
        HEIGHT,
        3 * WIDTH,
    )
    assert image.header.frame_id == "ego_optical_frame"
    shown = {index_of(image_to_rgb(image)) for image in streams.images.messages}
    assert shown == set(range(FRAMES)), "every frame of the looping recording is published"

    stamps = np.array(streams.stamps_ns())
    assert np.all(np.diff(stamps) > 0)
    assert np.median(np.diff(stamps)) / 1e9 == pytest.approx(1.0 / RATE, rel=0.2)
    assert np.all(stamps <= np.array(streams.images.arrivals_ns)), "captured before received"

    info = streams.infos.messages[-1]
    assert stamp_to_ns(info.header.stamp) in set(stamps.tolist())
    assert info.header.frame_id == "ego_optical_frame"
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    scaled = calibration.scaled(WIDTH, HEIGHT).camera_info_fields()
    assert info.k[0] == pytest.approx(988.0 * WIDTH / 1280)
    for field in ("k", "p", "d", "r"):
        np.testing.assert_allclose(getattr(info, field), scaled[field])


def test_a_vanished_recording_is_an_error_and_frames_resume_when_it_is_back(
    graph, start_node, tmp_path
):
    video = write_video(tmp_path / "ego.avi", FRAMES, RATE)
    streams = Streams(graph)
    node = start_node("camera_node", backend="replay", device=str(video), frame_timeout=0.5)
    streaming = lambda: streams.statuses(DiagnosticStatus.OK, "frames from video file")  # noqa: E731
    assert graph.spin_until(streaming, STARTUP), node.output()
    values = {pair.key: pair.value for pair in streaming()[-1].values}
    assert values["camera_info"] == "not published: parameter calibration is empty"
    assert graph.node.count_publishers(topics.camera_info("ego")) == 0

    video.unlink()
    vanished = (DiagnosticStatus.ERROR, "no new frame", str(video), "does not exist")
    assert graph.spin_until(lambda: streams.statuses(*vanished), 5.0), node.output()
    assert node.popen.poll() is None, "the node stopped"

    returned_ns = graph.now_ns()
    replace_video(video)
    resumed = lambda: streams.stamps_ns()[-1] > returned_ns  # noqa: E731
    assert graph.spin_until(resumed, 8.0), node.output()
    reconnected = lambda: any(  # noqa: E731
        {pair.key: pair.value for pair in status.values}["reconnects"] == "1"
        for status in streaming()
    )
    assert graph.spin_until(reconnected, 2.0)


def test_a_brio_that_cannot_be_opened_is_an_error_and_the_node_keeps_trying(
    graph, start_node, tmp_path
):
    device = tmp_path / "brio_ego"
    streams = Streams(graph)
    node = start_node("camera_node", backend="brio", device=str(device))
    missing = (DiagnosticStatus.ERROR, str(device), "cannot be opened", "next attempt in 1 s")
    assert graph.spin_until(lambda: streams.statuses(*missing), STARTUP), node.output()
    graph.spin_for(1.5)
    assert node.popen.poll() is None, "the node stopped"


def test_a_recording_missing_at_start_is_an_error_until_it_appears_then_is_published(
    graph, start_node, tmp_path
):
    video = tmp_path / "ego.avi"
    streams = Streams(graph)
    node = start_node("camera_node", backend="replay", device=str(video))
    missing = (DiagnosticStatus.ERROR, str(video), "does not exist", "next attempt in 1 s")
    assert graph.spin_until(lambda: streams.statuses(*missing), STARTUP), node.output()
    replace_video(video)
    assert graph.spin_until(lambda: streams.images, 5.0), node.output()


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"backend": "usb"}, "backend"),
        ({"fps": -30.0}, "fps"),
        ({"calibration": "/nonexistent/ego.yaml"}, "calibration"),
    ],
)
def test_an_invalid_parameter_stops_the_node_with_its_name(start_node, parameters, named):
    assert_stops_naming(start_node("camera_node", **parameters), named)


def test_an_image_folder_without_a_replay_rate_stops_the_node_naming_the_rate(start_node, tmp_path):
    node = start_node("camera_node", backend="replay", device=str(tmp_path))
    assert_stops_naming(node, "replay_rate_hz")


@pytest.mark.skipif(importlib.util.find_spec("cv_bridge") is None, reason=NO_CV_BRIDGE)
def test_cv_bridge_builds_the_same_rgb8_message_as_the_exact_conversion():
    from cv_bridge import CvBridge

    rgb = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    header = Header(frame_id="ego_optical_frame")
    header.stamp.sec, header.stamp.nanosec = 1_700_000_000, 123_456_789
    expected = rgb_to_image(rgb, header)
    assert CvBridge().cv2_to_imgmsg(rgb, encoding="rgb8", header=header) == expected
    assert image_encoder()(rgb, header) == expected
