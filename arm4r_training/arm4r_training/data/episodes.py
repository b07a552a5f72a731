"""One reader for our episodes and the authors' release: check an episode, keep what windows need.

Two layouts share the public ARM4R files (``proprio.zarr``, ``action.zarr``, ``instruction.zarr``,
``instruction.txt``, ``images/<camera>/%05d.jpg``):

- ours, written by ``arm4r_policy.collect``, with ``meta.json``: checked completely by
  ``arm4r_policy.collect.validation.validate_episode`` (without decoding images);
- the authors' release, without ``meta.json``: the arrays are checked here.

Both then get the same checks of what training reads: ``MIN_STEPS <= T <= MAX_STEPS``, state and
action arrays of one length and finite, a finite (512,) instruction embedding, and every frame of
every camera used present, a complete JPEG, and of one size (the ``meta.json`` size for ours).

Camera slots: the model's ``camera_names`` name its camera slots. A name is looked up as an image
directory first, then as a robot camera of ``meta.json`` (ours) or in
``arm4r_policy.collect.layout.DEFAULT_CAMERA_DIRS`` (the authors' Kinova data: ``side`` ->
``exterior_image_1_left``, ``ego`` -> ``wrist_image_left``). A point clip with a single image
directory feeds it to every slot, as the paper does for egocentric video.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from arm4r_policy.collect.arrays import read_array
from arm4r_policy.collect.episode import EpisodeMeta
from arm4r_policy.collect.layout import (
    ACTION_FILE,
    DEFAULT_CAMERA_DIRS,
    DEFAULT_CAMERA_SLOTS,
    FORMAT_NAME,
    IMAGES_DIR,
    INSTRUCTION_EMBEDDING_FILE,
    INSTRUCTION_TEXT_FILE,
    MAX_STEPS,
    META_FILE,
    MIN_STEPS,
    PROPRIO_FILE,
    frame_file_name,
)
from arm4r_policy.collect.validation import read_json_object, validate_episode
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.model.config import ARM4RConfig, Mode
from arm4r_policy.model.text import INSTRUCTION_DIM
from arm4r_training.data.jpeg import check_jpeg
from arm4r_training.data.points import PointsForm, PointSource, point_source


def camera_slots(config: ARM4RConfig) -> tuple[str, ...]:
    """The camera feeding each of the model's slots: ``camera_names`` or the default directories."""
    if config.camera_names is not None:
        return config.camera_names
    if config.num_cameras > len(DEFAULT_CAMERA_SLOTS):
        raise ConfigError(
            f"ARM4RConfig.camera_names: needed for {config.num_cameras} cameras (the default "
            f"slots are {DEFAULT_CAMERA_SLOTS})"
        )
    return DEFAULT_CAMERA_SLOTS[: config.num_cameras]


@dataclass(frozen=True)
class ReadSpec:
    """What the model reads from an episode.

    Attributes:
        mode: ``"control"`` (states and actions) or ``"points"`` (point tracks).
        cameras: one camera or image-directory name per camera slot (``camera_slots``).
        num_points: n, the points per step a points-mode clip must have.
        points_form: which stored form of the tracks to read (``points.POINTS_FORMS``).
    """

    mode: Mode
    cameras: tuple[str, ...]
    num_points: int
    points_form: PointsForm = "auto"

    @classmethod
    def of(cls, config: ARM4RConfig, points_form: PointsForm = "auto") -> ReadSpec:
        return cls(config.mode, camera_slots(config), config.num_points, points_form)


@dataclass(frozen=True)
class Episode:
    """A checked episode (or point clip): what a window is cut from, images aside.

    Attributes:
        path: the episode directory.
        task: its task (the first directory under the dataset root).
        num_steps: steps with a prediction target: T (control), T - 1 (points).
        image_dirs: the image directory feeding each camera slot.
        image_size: (width, height) [px] of the stored frames.
        instruction: (512,) float32 instruction embedding.
        instruction_text: ``instruction.txt``, or None where there is none.
        proprio: control: (T, 7) float32 states (xyz [m], Euler XYZ [rad], gripper).
        actions: control: (T, 7) float32, the action taken at each step (the next state).
        points: points mode: the stored tracks, read per window.
    """

    path: Path
    task: str
    num_steps: int
    image_dirs: tuple[str, ...]
    image_size: tuple[int, int]
    instruction: np.ndarray
    instruction_text: str | None
    proprio: np.ndarray | None = None
    actions: np.ndarray | None = None
    points: PointSource | None = None


def read_episode(path: Path, task: str, spec: ReadSpec) -> Episode:
    """Check the episode directory ``path`` for what ``spec`` reads and describe it.

    Raises:
        DatasetError: the first problem found, naming the file.
    """
    path = Path(path)
    meta, tracks = _read_meta(path)
    proprio = actions = points = None
    if spec.mode == "control":
        proprio, actions = _read_states(path)
        frames = steps = len(proprio)
    else:
        points = point_source(path, spec.points_form, tracks)
        frames = len(points.load(spec.num_points))
        steps = frames - 1
    _check_length(path, frames)
    embedding, text = _read_instruction(path)
    image_dirs = _image_dirs(path, spec, meta)
    size = _check_frames(path, image_dirs, frames, meta.image_size if meta else None)
    return Episode(path, task, steps, image_dirs, size, embedding, text, proprio, actions, points)


def _read_meta(path: Path) -> tuple[EpisodeMeta | None, dict | None]:
    """Our ``meta.json``, fully validated, or the ``tracks`` entry of another clip's, or nothing."""
    source = path / META_FILE
    if not source.is_file():
        return None, None
    document = read_json_object(source)
    if document.get("format") != FORMAT_NAME:
        tracks = document.get("tracks")
        return None, tracks if isinstance(tracks, dict) else None
    info = validate_episode(path, decode_images=False)
    return info.meta, info.tracks


def _check_length(path: Path, steps: int) -> None:
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise DatasetError(f"{path}: {steps} steps; expected {MIN_STEPS} to {MAX_STEPS}")


def _read_states(path: Path) -> tuple[np.ndarray, np.ndarray]:
    proprio = read_array(path / PROPRIO_FILE, np.float32, (None, 7))
    actions = read_array(path / ACTION_FILE, np.float32, (None, 7))
    if len(proprio) != len(actions):
        raise DatasetError(
            f"{path}: {PROPRIO_FILE} has {len(proprio)} steps, {ACTION_FILE} {len(actions)}; "
            "expected one length"
        )
    for name, values in ((PROPRIO_FILE, proprio), (ACTION_FILE, actions)):
        if not np.isfinite(values).all():
            raise DatasetError(f"{path / name}: holds non-finite values")
    return proprio, actions


def _read_instruction(path: Path) -> tuple[np.ndarray, str | None]:
    embedding = read_array(path / INSTRUCTION_EMBEDDING_FILE, np.float32, (INSTRUCTION_DIM,))
    if not np.isfinite(embedding).all():
        raise DatasetError(f"{path / INSTRUCTION_EMBEDDING_FILE}: holds non-finite values")
    text_file = path / INSTRUCTION_TEXT_FILE
    if not text_file.is_file():
        return embedding, None
    try:
        return embedding, text_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"{text_file}: unreadable ({error})") from error


def _image_dirs(path: Path, spec: ReadSpec, meta: EpisodeMeta | None) -> tuple[str, ...]:
    images = path / IMAGES_DIR
    stored = (
        sorted(entry.name for entry in images.iterdir() if entry.is_dir())
        if images.is_dir()
        else []
    )
    if spec.mode == "points" and len(stored) == 1:
        return (stored[0],) * len(spec.cameras)
    named = {camera.name: camera.directory for camera in meta.cameras} if meta else {}
    directories = []
    for slot in spec.cameras:
        directory = slot if slot in stored else named.get(slot)
        if directory is None and meta is None:
            directory = DEFAULT_CAMERA_DIRS.get(slot)
        if directory not in stored:
            raise DatasetError(f"{images}: no images of camera {slot!r}; stored: {stored}")
        directories.append(directory)
    return tuple(directories)


def _check_frames(
    path: Path, directories: tuple[str, ...], count: int, size: tuple[int, int] | None
) -> tuple[int, int]:
    """(width, height) of frames 0 .. count - 1 of every directory: one size, ``size`` if given."""
    for directory in dict.fromkeys(directories):
        folder = path / IMAGES_DIR / directory
        for step in range(count):
            size = check_jpeg(folder / frame_file_name(step), size)
    return tuple(size)
