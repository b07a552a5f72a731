"""Small EPIC-KITCHENS-100 trees on disk: annotation CSVs, frame folders and MP4 videos.

Numbered frames show their 1-based frame number in binary, as eight black or white vertical
stripes, so a test can tell exactly which frame it got back after JPEG or MPEG-4 compression and
resizing.
"""

import csv
from pathlib import Path

import cv2
import numpy as np

from arm4r_training.human_video.epic_annotations import NARRATION_COLUMNS, VIDEO_INFO_COLUMNS

GOOD_ROW = {
    "narration_id": "P01_01_0",
    "participant_id": "P01",
    "video_id": "P01_01",
    "narration_timestamp": "00:00:01.089",
    "start_timestamp": "00:00:00.14",
    "stop_timestamp": "00:00:03.37",
    "start_frame": "8",
    "stop_frame": "202",
    "narration": "open door",
    "verb": "open",
    "verb_class": "3",
    "noun": "door",
    "noun_class": "3",
    "all_nouns": "['door']",
    "all_noun_classes": "[3]",
}


def narration_row(**changes: str) -> dict[str, str]:
    """``GOOD_ROW`` with some columns changed."""
    return {**GOOD_ROW, **changes}


def write_csv(path: Path, rows: list[dict[str, str]], columns=NARRATION_COLUMNS) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_video_info(path: Path, videos: dict[str, tuple[float, float, str]]) -> Path:
    """``video_id -> (duration [s], fps, "WxH")`` as ``EPIC_100_video_info.csv``."""
    rows = [
        {"video_id": video, "duration": str(duration), "fps": str(fps), "resolution": size}
        for video, (duration, fps, size) in videos.items()
    ]
    return write_csv(path, rows, VIDEO_INFO_COLUMNS)


def numbered_frame(number: int, size: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) uint8 RGB: stripe k (of 8, from the left) is white where bit k of ``number`` is."""
    width, height = size
    bits = (number >> np.arange(8)) & 1
    row = np.repeat(bits * 255, width // 8).astype(np.uint8)
    return np.broadcast_to(row[None, :, None], (height, width, 3)).copy()


def frame_number(frame: np.ndarray) -> int:
    """The number a ``numbered_frame`` shows (read from the middle half of each stripe)."""
    stripe = frame.shape[1] // 8
    middles = [
        frame[:, k * stripe + stripe // 4 : (k + 1) * stripe - stripe // 4] for k in range(8)
    ]
    return sum(1 << k for k, middle in enumerate(middles) if middle.mean() > 127)


def write_frame_folder(root: Path, video: str, frames: list[np.ndarray]) -> Path:
    """``<root>/<participant>/rgb_frames/<video>/frame_%010d.jpg``, 1-based."""
    folder = Path(root) / video.split("_")[0] / "rgb_frames" / video
    folder.mkdir(parents=True)
    for number, frame in enumerate(frames, start=1):
        cv2.imwrite(
            str(folder / f"frame_{number:010d}.jpg"), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
        )
    return folder


def write_mp4(root: Path, video: str, frames: list[np.ndarray], fps: float) -> Path:
    """``<root>/<participant>/videos/<video>.MP4`` (MPEG-4 part 2) of RGB ``frames``."""
    path = Path(root) / video.split("_")[0] / "videos" / f"{video}.MP4"
    path.parent.mkdir(parents=True)
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MPEG-4 here"
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path
