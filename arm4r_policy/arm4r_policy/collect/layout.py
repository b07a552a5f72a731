"""Names on disk: the episode files, the collection tree, and the camera directory names.

A collection output directory ``<out>`` holds one directory per task variation and cell::

    <out>/<task>/<variation>/<cell>/
        .collection.json           seeds tried, successes, failures (see ``resume``)
        episode_000000/            one episode, named by its seed (see ``episode``)
        episode_000003/
        ...

This is the public ARM4R nesting ``<dataset>/<task>/<a>/<b>/<episode>`` with ``a`` = variation and
``b`` = cell (the authors' released Kinova data has ``<task>/kinova_tasks/common_task/<episode>``):
their reader finds episodes by ``**/*proprio.zarr`` and selects them per task directory with
``<task>/*/*/*``, so ``dataset_dir = <out>`` with ``tasks = {"<task>": count}`` loads ours. The
manifest is hidden so that glob does not count it as an episode.

Camera directories: the public reader opens ``images/exterior_image_1_left`` and
``images/wrist_image_left`` by those exact names and silently substitutes random noise for a frame
it cannot open, so images are stored under those names and ``meta.json`` maps each back to the
robot's camera. The defaults follow the authors' Kinova data (``exterior_image_1_left`` is the side
camera): Kinova ``side`` -> ``exterior_image_1_left``, ``ego`` -> ``wrist_image_left``; Franka
``left`` -> ``exterior_image_1_left``, ``right`` -> ``wrist_image_left``. The public reader
augments ``wrist*`` views less (resize + centre crop instead of a random resized crop).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from arm4r_policy.errors import ConfigError

FORMAT_NAME = "arm4r-episode"
FORMAT_VERSION = 1

MIN_STEPS = 30
"""Fewest steps the public reader keeps (2 s at 15 Hz); shorter episodes are dropped silently."""
MAX_STEPS = 450
"""Most steps the public reader keeps (30 s at 15 Hz)."""

PROPRIO_FILE = "proprio.zarr"
ACTION_FILE = "action.zarr"
INSTRUCTION_TEXT_FILE = "instruction.txt"
INSTRUCTION_EMBEDDING_FILE = "instruction.zarr"
JOINT_POSITIONS_FILE = "joint_positions.zarr"
TIMESTAMPS_FILE = "timestamps.zarr"
IMAGES_DIR = "images"
META_FILE = "meta.json"
POINTS_FILE = "points.zarr"
POINTS_UVD_FILE = "points_uvd.zarr"
VISIBILITY_FILE = "visibility.zarr"
MANIFEST_FILE = ".collection.json"

EXTERIOR_CAMERA = "exterior_image_1_left"
WRIST_CAMERA = "wrist_image_left"
DEFAULT_CAMERA_DIRS = {
    "side": EXTERIOR_CAMERA,
    "ego": WRIST_CAMERA,
    "left": EXTERIOR_CAMERA,
    "right": WRIST_CAMERA,
}
"""Robot camera name -> directory under ``images/`` for the sim cells' cameras."""

_EPISODE_NAME = re.compile(r"episode_(\d{6,})")
_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")


def frame_file_name(step: int) -> str:
    """``00042.jpg``: the public reader's ``%05d.jpg`` frame name of a step."""
    return f"{step:05d}.jpg"


def episode_dir_name(seed: int) -> str:
    """``episode_000042``: the directory of the episode collected with ``seed``."""
    if seed < 0:
        raise ConfigError(f"episode seed = {seed}; expected >= 0")
    return f"episode_{seed:06d}"


def episode_seed(name: str) -> int | None:
    """The seed of an ``episode_<seed>`` directory name, or None for any other name."""
    match = _EPISODE_NAME.fullmatch(name)
    return int(match.group(1)) if match else None


def check_path_component(value: str, field: str) -> str:
    """``value`` if it is a safe directory name (letters, digits, ``_``, ``-``; no leading dot)."""
    if not isinstance(value, str) or not _COMPONENT.fullmatch(value):
        raise ConfigError(
            f"{field} = {value!r}; expected a directory name of letters, digits, '_' and '-' "
            "starting with a letter or digit"
        )
    return value


def collection_directory(root: Path, task: str, variation: str, cell: str) -> Path:
    """``<root>/<task>/<variation>/<cell>``: where one collection's episodes live."""
    return (
        Path(root)
        / check_path_component(task, "task")
        / check_path_component(variation, "variation")
        / check_path_component(cell, "cell")
    )


DEFAULT_CAMERA_SLOTS = (EXTERIOR_CAMERA, WRIST_CAMERA)
"""Image directories training feeds to the camera slots of a model that names none."""


def slot_cameras(
    slot_names: Sequence[str] | None, num_slots: int, cameras: Sequence[str]
) -> tuple[str, ...]:
    """The cameras of a cell feeding a model's ``num_slots`` input slots, in slot order.

    ``slot_names`` are a checkpoint's ``camera_names``: each is one of ``cameras`` or the image
    directory a camera is recorded under (``DEFAULT_CAMERA_DIRS``: Kinova ``side`` is
    ``exterior_image_1_left``). None stands for ``DEFAULT_CAMERA_SLOTS``, what training reads for
    a model without camera names, so a Kinova model sees ``side`` in slot 0 and ``ego`` in slot 1.

    Raises:
        ConfigError: a slot matches none of ``cameras``, or the counts differ.
    """
    names = tuple(slot_names) if slot_names is not None else DEFAULT_CAMERA_SLOTS[:num_slots]
    stored_as = {DEFAULT_CAMERA_DIRS.get(camera): camera for camera in cameras}
    resolved = tuple(name if name in cameras else stored_as.get(name, name) for name in names)
    unknown = [name for name in resolved if name not in cameras]
    if unknown or len(resolved) != num_slots or len(cameras) != num_slots:
        raise ConfigError(
            f"the checkpoint's {num_slots} input cameras {list(names)} do not match the "
            f"cameras {list(cameras)}"
        )
    return resolved


def default_camera_dirs(camera_names: Sequence[str]) -> dict[str, str]:
    """Camera name -> image directory for cameras listed in ``DEFAULT_CAMERA_DIRS``.

    Raises:
        ConfigError: a camera has no default directory, or two share one; pass an explicit
            mapping for such robots.
    """
    unknown = [name for name in camera_names if name not in DEFAULT_CAMERA_DIRS]
    if unknown:
        raise ConfigError(
            f"cameras {unknown} have no default image directory (known: "
            f"{sorted(DEFAULT_CAMERA_DIRS)}); give camera_dirs explicitly"
        )
    return check_camera_dirs({name: DEFAULT_CAMERA_DIRS[name] for name in camera_names})


def check_camera_dirs(camera_dirs: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``camera_dirs`` after checking it is non-empty, one-to-one and path-safe."""
    dirs = dict(camera_dirs)
    for camera, directory in dirs.items():
        check_path_component(directory, f"image directory of camera {camera!r}")
    if not dirs or len(set(dirs.values())) != len(dirs):
        raise ConfigError(
            f"camera_dirs = {dirs}; expected at least one camera, each in its own directory"
        )
    return dirs
