"""Cutting narrations at 10 fps from extracted frame folders and from MP4 videos."""

import numpy as np
import pytest

from arm4r_policy.errors import DatasetError
from arm4r_training.human_video.clips import (
    MAX_CLIP_FRAMES,
    MIN_CLIP_FRAMES,
    EpicVideos,
    clip_frame_numbers,
    cut_clips,
)
from arm4r_training.human_video.epic_annotations import VideoInfo, read_narrations
from tests.unit.training.human_video.epic_tree import (
    frame_number,
    narration_row,
    numbered_frame,
    write_csv,
    write_frame_folder,
    write_mp4,
)

SOURCE_SIZE = (64, 48)  # (width, height) [px], not square, to catch swapped axes
VIDEO_FRAMES = 160  # at 50 fps: 3.2 s, 32 frames at 10 fps


def narrations(tmp_path, *ranges, video="P01_101"):
    """Narrations of ``video`` over the (start_frame, stop_frame) ``ranges``, in order."""
    rows = [
        narration_row(
            narration_id=f"{video}_{index}",
            participant_id=video.split("_")[0],
            video_id=video,
            start_frame=str(start),
            stop_frame=str(stop),
        )
        for index, (start, stop) in enumerate(ranges)
    ]
    return read_narrations(write_csv(tmp_path / "EPIC_100_train.csv", rows))


@pytest.fixture(scope="module")
def numbered_frames():
    return [numbered_frame(number, SOURCE_SIZE) for number in range(1, VIDEO_FRAMES + 1)]


@pytest.fixture(scope="module")
def mp4_root(tmp_path_factory, numbered_frames):
    root = tmp_path_factory.mktemp("epic_mp4")
    write_mp4(root, "P01_101", numbered_frames, fps=50.0)
    return root


@pytest.fixture(scope="module")
def folder_root(tmp_path_factory, numbered_frames):
    root = tmp_path_factory.mktemp("epic_frames")
    write_frame_folder(root, "P01_101", numbered_frames)
    return root


def test_frames_are_sampled_every_tenth_of_a_second_at_the_videos_own_rate():
    np.testing.assert_array_equal(clip_frame_numbers(8, 30, 50.0), [8, 13, 18, 23, 28])
    np.testing.assert_array_equal(clip_frame_numbers(1, 37, 60.0), [1, 7, 13, 19, 25, 31, 37])
    # 59.94 fps: a frame every 5.994, rounded
    np.testing.assert_array_equal(clip_frame_numbers(1, 31, 59.94), [1, 7, 13, 19, 25, 31])
    np.testing.assert_array_equal(clip_frame_numbers(5, 5, 50.0), [5])


@pytest.mark.parametrize("root_fixture", ["folder_root", "mp4_root"])
def test_a_narration_is_cut_from_frames_or_video_at_10_fps_and_resized(
    request, tmp_path, root_fixture
):
    root = request.getfixturevalue(root_fixture)
    (narration,) = narrations(tmp_path, (11, 160))
    videos = EpicVideos(root, {"P01_101": VideoInfo("P01_101", 3.2, 50.0, SOURCE_SIZE)})
    assert videos.fps(narration) == 50.0
    numbers = clip_frame_numbers(narration.start_frame, narration.stop_frame, 50.0)
    clip = videos.read(narration, numbers, size=32)
    assert clip.frames.shape == (30, 32, 32, 3)
    assert clip.frames.dtype == np.uint8
    assert clip.source_size == SOURCE_SIZE
    assert [frame_number(frame) for frame in clip.frames] == list(numbers)  # the right frames
    np.testing.assert_array_equal(clip.numbers, np.arange(11, 161, 5))


def test_long_and_short_narrations_are_dropped_and_counted_without_reading(tmp_path, mp4_root):
    cut = narrations(
        tmp_path,
        (1, 160),  # 32 frames at 10 fps
        (1, 5 * MAX_CLIP_FRAMES + 1),  # 257 frames, and past the end of the video
        (1, 5 * (MIN_CLIP_FRAMES - 2) + 1),  # 29 frames
        (1, 5 * (MAX_CLIP_FRAMES - 1) + 1),  # 256 frames: kept, but the video is too short
    )
    videos = EpicVideos(mp4_root, {})  # the rate comes from the MP4
    assert videos.fps(cut[0]) == pytest.approx(50.0)
    outcomes = list(cut_clips(cut, videos, size=32, progress=False))
    assert [result.outcome for result in outcomes] == ["cut", "too_long", "too_short", "failed"]
    assert len(outcomes[0].clip.frames) == 32
    assert "ends before frame 161" in outcomes[3].reason


def test_finished_narrations_are_skipped_and_a_missing_video_fails_with_its_paths(
    tmp_path, folder_root
):
    (done,) = narrations(tmp_path, (1, 160))
    (missing,) = narrations(tmp_path / "other", (1, 160), video="P02_03")
    outcomes = list(
        cut_clips(
            [done, missing],
            EpicVideos(folder_root, {}),
            size=32,
            done=lambda narration: narration is done,
            progress=False,
        )
    )
    assert [result.outcome for result in outcomes] == ["done", "failed"]
    assert "P02_03: frame rate unknown" in outcomes[1].reason


def test_a_missing_frame_of_a_folder_is_named(tmp_path, folder_root):
    (narration,) = narrations(tmp_path, (150, 170))
    with pytest.raises(DatasetError, match=r"frame_0000000165.jpg: missing"):
        EpicVideos(folder_root, {}).read(narration, np.array([150, 155, 160, 165, 170]), 32)
