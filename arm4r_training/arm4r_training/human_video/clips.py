"""Cutting a narration's frames out of an EPIC-KITCHENS-100 video, at 10 fps and a stored size.

The official layout under a root ``<root>``::

    <root>/<participant>/rgb_frames/<video_id>/frame_0000000001.jpg   1-based, the video's fps
    <root>/<participant>/videos/<video_id>.MP4

Frames are read from the extracted folder when there is one (exact, no decoding of the rest of
the video), else from the MP4 (OpenCV ``VideoCapture``: seek to the first frame, then decode
forward). A segment from ``start_frame`` to ``stop_frame`` at ``fps`` is sampled every
``1 / TARGET_FPS`` s from its start: frame ``start_frame + round(k * fps / 10)``; each video's
own rate counts (50 or 60 fps, some 59.94), as the paper subsamples every video to 10 fps.

Segments of more than ``MAX_CLIP_FRAMES`` frames at 10 fps are dropped (the paper drops ~1% of
them, 75,886 -> 75,041) and so are segments shorter than the reader keeps
(``arm4r_policy.collect.layout.MIN_STEPS`` frames; the authors' point reader has the same bound),
both decided from the annotation alone, before anything is decoded. Frames are resized, whole, to
``size`` x ``size``: the network squashes every frame to a square anyway
(``arm4r_policy.runtime.images``), so the stored frame is what it sees and tracks are made on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from tqdm import tqdm

from arm4r_policy.collect.layout import MIN_STEPS
from arm4r_policy.errors import ARM4RError, DatasetError
from arm4r_training.human_video.epic_annotations import Narration, VideoInfo

TARGET_FPS = 10.0
MAX_CLIP_FRAMES = 256
MIN_CLIP_FRAMES = MIN_STEPS


def clip_frame_numbers(
    start_frame: int, stop_frame: int, fps: float, target_fps: float = TARGET_FPS
) -> np.ndarray:
    """1-based frame numbers of a segment sampled at ``target_fps`` from its first frame.

    Args:
        start_frame, stop_frame: the segment's first and last frame, 1-based, inclusive.
        fps: the video's frame rate.
        target_fps: the rate to sample at (at most ``fps``).
    """
    step = fps / target_fps
    count = math.floor((stop_frame - start_frame) / step + 1e-9) + 1
    return start_frame + np.round(np.arange(count) * step).astype(int)


def resize_frame(frame: np.ndarray, size: int) -> np.ndarray:
    """(size, size, 3) uint8: the whole frame, squashed (area interpolation when shrinking)."""
    height, width = frame.shape[:2]
    shrink = size < width or size < height
    return cv2.resize(
        frame, (size, size), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    )


@dataclass(frozen=True)
class ClipFrames:
    """A narration's frames as stored.

    Attributes:
        frames: (T, size, size, 3) uint8 RGB.
        source_size: (width, height) [px] of the video's frames before resizing.
        numbers: (T,) 1-based frame numbers in the video.
    """

    frames: np.ndarray
    source_size: tuple[int, int]
    numbers: np.ndarray


@dataclass(frozen=True)
class EpicVideos:
    """Where a video's frames are, and its frame rate.

    Args:
        root: the dataset root of the official layout (read only).
        info: video id -> ``EPIC_100_video_info.csv`` row; a video not in it takes the rate
            its MP4 declares.
    """

    root: Path
    info: Mapping[str, VideoInfo]

    def frames_dir(self, narration: Narration) -> Path:
        return Path(self.root) / narration.participant_id / "rgb_frames" / narration.video_id

    def video_file(self, narration: Narration) -> Path:
        return Path(self.root) / narration.participant_id / "videos" / f"{narration.video_id}.MP4"

    def fps(self, narration: Narration) -> float:
        """The video's frame rate: from the video info, else from its MP4.

        Raises:
            DatasetError: neither knows it.
        """
        if narration.video_id in self.info:
            return self.info[narration.video_id].fps
        video = self.video_file(narration)
        if video.is_file():
            capture = cv2.VideoCapture(str(video))
            fps = capture.get(cv2.CAP_PROP_FPS) if capture.isOpened() else 0.0
            capture.release()
            if fps > 0:
                return float(fps)
        raise DatasetError(
            f"video {narration.video_id}: frame rate unknown; it is not in the video info "
            f"(EPIC_100_video_info.csv) and {video} is not a readable video"
        )

    def read(self, narration: Narration, numbers: np.ndarray, size: int) -> ClipFrames:
        """The frames ``numbers`` (1-based) of the narration's video, resized to ``size``.

        Raises:
            DatasetError: neither the frame folder nor the MP4 exists, or a frame is missing.
        """
        folder = self.frames_dir(narration)
        if folder.is_dir():
            frames = [_read_image(folder / f"frame_{number:010d}.jpg") for number in numbers]
        elif self.video_file(narration).is_file():
            frames = _read_video(self.video_file(narration), numbers)
        else:
            raise DatasetError(
                f"video {narration.video_id}: neither {folder} nor {self.video_file(narration)} "
                "exists"
            )
        shapes = {frame.shape for frame in frames}
        if len(shapes) != 1:
            raise DatasetError(f"video {narration.video_id}: frames of sizes {sorted(shapes)}")
        height, width = frames[0].shape[:2]
        resized = np.stack([resize_frame(frame, size) for frame in frames])
        return ClipFrames(resized, (width, height), numbers)


def _read_image(file: Path) -> np.ndarray:
    image = cv2.imread(str(file), cv2.IMREAD_COLOR)
    if image is None:
        raise DatasetError(f"{file}: missing or not a decodable image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _read_video(file: Path, numbers: np.ndarray) -> list[np.ndarray]:
    """RGB frames ``numbers`` (1-based, increasing) of a video: one seek, then decoding forward."""
    capture = cv2.VideoCapture(str(file))
    if not capture.isOpened():
        raise DatasetError(f"{file}: not a readable video")
    try:
        wanted = set(int(number) for number in numbers)
        first, last = int(numbers[0]), int(numbers[-1])
        capture.set(cv2.CAP_PROP_POS_FRAMES, first - 1)
        frames = {}
        for number in range(first, last + 1):
            if not capture.grab():
                raise DatasetError(f"{file}: ends before frame {number} (1-based)")
            if number in wanted:
                ok, image = capture.retrieve()
                if not ok:
                    raise DatasetError(f"{file}: frame {number} (1-based) cannot be decoded")
                frames[number] = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    finally:
        capture.release()
    return [frames[int(number)] for number in numbers]


Outcome = Literal["cut", "done", "too_long", "too_short", "failed"]


@dataclass(frozen=True)
class ClipCut:
    """What became of one narration.

    Attributes:
        narration: the segment.
        outcome: ``cut`` (``clip`` holds its frames), ``done`` (skipped: already finished),
            ``too_long`` / ``too_short`` (dropped by length at 10 fps), ``failed`` (``reason``).
        clip: the frames, for ``cut``.
        fps: the video's frame rate, where known.
        reason: why it failed.
    """

    narration: Narration
    outcome: Outcome
    clip: ClipFrames | None = None
    fps: float | None = None
    reason: str = ""


def cut_clips(
    narrations: Iterable[Narration],
    videos: EpicVideos,
    size: int,
    done: Callable[[Narration], bool] = lambda narration: False,
    progress: bool = True,
) -> Iterator[ClipCut]:
    """Cut every narration in turn, with a progress bar on stderr.

    Args:
        narrations: the segments, e.g. ``epic_annotations.read_narrations``.
        videos: where their videos are.
        size: side [px] of the stored square frames.
        done: whether a narration is already finished; it is then neither read nor cut.
        progress: show the progress bar.
    """
    narrations = list(narrations)
    for narration in tqdm(narrations, desc="narrations", unit="clip", disable=not progress):
        if done(narration):
            yield ClipCut(narration, "done")
            continue
        try:
            fps = videos.fps(narration)
            numbers = clip_frame_numbers(narration.start_frame, narration.stop_frame, fps)
            if len(numbers) > MAX_CLIP_FRAMES:
                yield ClipCut(narration, "too_long", fps=fps)
            elif len(numbers) < MIN_CLIP_FRAMES:
                yield ClipCut(narration, "too_short", fps=fps)
            else:
                yield ClipCut(narration, "cut", videos.read(narration, numbers, size), fps)
        except ARM4RError as error:
            yield ClipCut(narration, "failed", reason=str(error))
