"""JPEG frames: size from the header, reduced-scale decoding, a cache that keeps to its budget."""

import numpy as np
import pytest

from arm4r_policy.collect.episode import encode_jpeg
from arm4r_policy.collect.layout import IMAGES_DIR, frame_file_name
from arm4r_policy.errors import DatasetError
from arm4r_training.data.frames import FrameReader
from arm4r_training.data.jpeg import check_jpeg, decode_jpeg, jpeg_size, reduction_for
from tests.unit.training.data.builders import image

CAMERA = "exterior_image_1_left"


def _episode(tmp_path, size=(40, 32), steps=4):
    folder = tmp_path / IMAGES_DIR / CAMERA
    folder.mkdir(parents=True)
    for step in range(steps):
        (folder / frame_file_name(step)).write_bytes(encode_jpeg(image("side", step, size=size)))
    return tmp_path


def test_the_stored_size_is_read_from_the_jpeg_header():
    assert jpeg_size(encode_jpeg(image("side", 0, size=(40, 32)))) == (40, 32)
    assert jpeg_size(b"\x89PNG\r\n") is None


def test_check_jpeg_names_a_missing_truncated_or_resized_frame(tmp_path):
    episode = _episode(tmp_path)
    first = episode / IMAGES_DIR / CAMERA / frame_file_name(0)
    assert check_jpeg(first, (40, 32)) == (40, 32)
    with pytest.raises(DatasetError, match="expected 48x32"):
        check_jpeg(first, (48, 32))
    with pytest.raises(DatasetError, match="frame missing"):
        check_jpeg(first.with_name(frame_file_name(9)))
    first.write_bytes(first.read_bytes()[:-10])
    with pytest.raises(DatasetError, match="not a complete JPEG"):
        check_jpeg(first)


def test_frames_decode_at_the_coarsest_scale_that_still_serves_the_input():
    assert reduction_for((224, 224), 96) == 2
    assert reduction_for((640, 480), 120) == 4
    assert reduction_for((96, 96), 96) == 1
    assert reduction_for((40, 32), 100) == 1


def test_a_reduced_decode_is_the_frame_at_a_fraction_of_its_size(tmp_path):
    episode = _episode(tmp_path, size=(128, 96), steps=1)
    frame = episode / IMAGES_DIR / CAMERA / frame_file_name(0)
    full, half = decode_jpeg(frame), decode_jpeg(frame, 2)
    assert half.shape == (48, 64, 3)
    coarse = full.reshape(48, 2, 64, 2, 3).mean(axis=(1, 3))
    assert np.abs(half.astype(float) - coarse).mean() < 4.0


def test_repeated_steps_of_a_window_decode_once_in_order(tmp_path):
    episode = _episode(tmp_path)
    frames = FrameReader().read(episode, CAMERA, np.array([2, 3, 3, 3]), (40, 32), 32)
    assert frames.shape == (4, 32, 40, 3)
    np.testing.assert_array_equal(frames[2], frames[3])
    assert not np.array_equal(frames[0], frames[1])


def test_the_frame_cache_keeps_to_its_budget_and_serves_the_same_frames(tmp_path):
    episode = _episode(tmp_path)
    frame_bytes = 40 * 32 * 3
    reader = FrameReader(cache_bytes=2 * frame_bytes + 1)
    first = reader.read(episode, CAMERA, np.arange(4), (40, 32), 32)
    assert reader.cached_bytes == 2 * frame_bytes
    np.testing.assert_array_equal(reader.read(episode, CAMERA, np.arange(4), (40, 32), 32), first)
    uncached = FrameReader()
    np.testing.assert_array_equal(uncached.read(episode, CAMERA, np.arange(4), (40, 32), 32), first)
    assert uncached.cached_bytes == 0
