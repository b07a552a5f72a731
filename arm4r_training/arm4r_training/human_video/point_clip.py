"""One point-track clip of a human video on disk, in the layout the Stage 1/2 reader reads.

A clip directory ``<out>/<verb>/<participant>/<video_id>/<narration_id>/`` (the task is the verb,
the first directory under the root, as ``arm4r_training.data.discovery`` groups episodes)::

    images/ego_image/00000.jpg ...  every frame, RGB, JPEG quality 95, one camera directory
    points_uvd.zarr                 (T, n, 3) float32 (u [px], v [px], depth [m])
    points.zarr                     (T, n, 3) float32 camera-frame xyz [m], the same lifted
    visibility.zarr                 (T, n) bool
    instruction.txt                 "verb noun"
    instruction.zarr                (512,) float32 embedding of the instruction
    meta.json                       format "arm4r-point-clip", the source segment, the text
                                    encoder, and "tracks": tracker, grid, image size, intrinsics K

The reader (``arm4r_training.data.episodes``) feeds the single image directory to every camera
slot, as the paper does for egocentric video; ``ego_image`` is the image key of the authors'
Epic configuration, and not being ``wrist*`` it gets the third-person augmentation. ``meta.json``
is not an ``arm4r-episode`` document, so the reader takes only its ``tracks.intrinsics`` from it.
Zarr arrays are format 2, one chunk (``arm4r_policy.collect.arrays``). The clip is built in a
hidden staging sibling and renamed into place when complete (``arm4r_policy.collect.atomic``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from arm4r_policy.collect.arrays import write_array
from arm4r_policy.collect.atomic import (
    STAGING_MARKER,
    StagedDirectory,
    is_staging_name,
    write_json_atomically,
)
from arm4r_policy.collect.episode import TRACKS_FRAME, encode_jpeg
from arm4r_policy.collect.layout import (
    IMAGES_DIR,
    INSTRUCTION_EMBEDDING_FILE,
    INSTRUCTION_TEXT_FILE,
    MAX_STEPS,
    META_FILE,
    MIN_STEPS,
    POINTS_FILE,
    POINTS_UVD_FILE,
    VISIBILITY_FILE,
    check_path_component,
    frame_file_name,
)
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.model.text import INSTRUCTION_DIM
from arm4r_training.data.points import uvd_to_xyz
from arm4r_training.human_video.epic_annotations import Narration
from arm4r_training.human_video.trackers.base import PointTrackResult

CLIP_FORMAT = "arm4r-point-clip"
CLIP_FORMAT_VERSION = 1
IMAGE_DIR = "ego_image"


def clip_directory(root: Path, narration: Narration) -> Path:
    """``<root>/<verb>/<participant>/<video_id>/<narration_id>``.

    Raises:
        DatasetError: a name is not a safe directory name.
    """
    parts = (narration.verb, narration.participant_id, narration.video_id, narration.narration_id)
    try:
        names = [check_path_component(part, "directory name") for part in parts]
    except ConfigError as error:
        raise DatasetError(f"narration {narration.narration_id}: {error}") from error
    return Path(root).joinpath(*names)


def remove_staging_leftovers(directory: Path) -> None:
    """Delete what a killed writer left while building ``directory`` (hidden staging siblings)."""
    parent = Path(directory).parent
    if not parent.is_dir():
        return
    prefix = f".{Path(directory).name}{STAGING_MARKER}"
    for entry in parent.iterdir():
        if is_staging_name(entry.name) and entry.name.startswith(prefix):
            shutil.rmtree(entry, ignore_errors=True)


def write_point_clip(
    directory: Path,
    frames: np.ndarray,
    tracks: PointTrackResult,
    instruction: str,
    embedding: np.ndarray,
    tracks_info: dict,
    details: dict,
) -> Path:
    """Write a whole clip to the new directory ``directory`` and return it.

    Args:
        directory: the clip directory to create; it must not exist.
        frames: (T, H, W, 3) uint8 RGB, the frames the tracks were made on.
        tracks: their tracks, T steps.
        instruction: the instruction text.
        embedding: (512,) its text embedding.
        tracks_info: added to the ``tracks`` entry of ``meta.json`` (tracker, grid size, ...).
        details: more top-level entries of ``meta.json`` (the source segment, the encoder).

    Raises:
        DatasetError: lengths or shapes disagree, or T is outside what the reader keeps;
            nothing is left behind.
    """
    steps, height, width = frames.shape[:3]
    embedding = np.asarray(embedding, dtype=np.float32)
    if len(tracks.uvd) != steps or embedding.shape != (INSTRUCTION_DIM,):
        raise DatasetError(
            f"{directory}: {steps} frames, tracks of {len(tracks.uvd)} steps, embedding "
            f"{embedding.shape}; expected one length and ({INSTRUCTION_DIM},)"
        )
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise DatasetError(f"{directory}: {steps} frames; the reader keeps {MIN_STEPS}-{MAX_STEPS}")
    with StagedDirectory(directory) as stage:
        images = stage.path / IMAGES_DIR / IMAGE_DIR
        images.mkdir(parents=True)
        for step, frame in enumerate(frames):
            (images / frame_file_name(step)).write_bytes(encode_jpeg(frame))
        write_array(stage.path / POINTS_UVD_FILE, tracks.uvd.astype(np.float32))
        write_array(stage.path / POINTS_FILE, uvd_to_xyz(tracks.uvd, tracks.intrinsics))
        write_array(stage.path / VISIBILITY_FILE, tracks.visibility)
        write_array(stage.path / INSTRUCTION_EMBEDDING_FILE, embedding)
        (stage.path / INSTRUCTION_TEXT_FILE).write_text(instruction, encoding="utf-8")
        document = {
            **details,
            "format": CLIP_FORMAT,
            "format_version": CLIP_FORMAT_VERSION,
            "instruction": instruction,
            "num_steps": steps,
            "image_size": [width, height],
            "tracks": {
                **tracks_info,
                "directory": IMAGE_DIR,
                "num_points": int(tracks.uvd.shape[1]),
                "image_size": [width, height],
                "intrinsics": np.asarray(tracks.intrinsics, dtype=float).tolist(),
                "frame": TRACKS_FRAME,
            },
        }
        write_json_atomically(stage.path / META_FILE, document)
        return stage.commit()
