"""Recordings written with OpenCV: short MJPG AVIs and PNG folders whose frames say their index."""

from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 64, 48
LEVEL_STEP = 20  # grey level difference between consecutive frames


def frame_level(index: int) -> int:
    """Grey level of frame ``index`` of the recordings below (distinct for index < 12)."""
    return 10 + LEVEL_STEP * index


def index_of(image: np.ndarray) -> int:
    """The frame index a recorded image shows (robust to MJPG's small level errors)."""
    return round((float(image.mean()) - 10) / LEVEL_STEP)


def write_video(path: Path, frames: int, fps: float = 100.0) -> Path:
    """An MJPG AVI of ``frames`` uniform grey frames, frame i at ``frame_level(i)``."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    assert writer.isOpened(), f"OpenCV cannot write {path}"
    for index in range(frames):
        writer.write(np.full((HEIGHT, WIDTH, 3), frame_level(index), np.uint8))
    writer.release()
    return path


def write_image_folder(folder: Path, frames: int) -> Path:
    """``folder/00000.png ...`` as an episode stores a camera, frame i at ``frame_level(i)``."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(frames):
        image = np.full((HEIGHT, WIDTH, 3), frame_level(index), np.uint8)
        assert cv2.imwrite(str(folder / f"{index:05d}.png"), image)
    return folder
