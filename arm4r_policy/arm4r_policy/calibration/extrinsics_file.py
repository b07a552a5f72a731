"""The extrinsics file: camera name -> the camera's pose, 16 numbers, read and merged.

A YAML mapping; each entry is the (4, 4) camera-to-base pose row by row (OpenCV camera axes: x
right, y down, z forward), the pose that maps camera coordinates to robot base coordinates::

    side: [0.937, 0.341, 0.074, 0.431, 0.073, -0.398, 0.915, -1.1, 0.341, -0.852, -0.398, 0.423,
      0.0, 0.0, 0.0, 1.0]

A wrist camera, calibrated with ``--mount wrist``, gets its camera-to-end-effector pose instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from arm4r_policy.atomic_file import replace_file
from arm4r_policy.errors import ConfigError

__all__ = ["load_extrinsics", "save_extrinsics"]


def _read(path: Path, source: str) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{source}: cannot be read ({error})") from error


def _pose(document: Any, camera: str, source: str) -> np.ndarray:
    """The pose of ``camera`` in the file's content ``document``."""
    entry = document.get(camera) if isinstance(document, dict) else None
    try:
        pose = np.asarray(entry, dtype=float).reshape(4, 4)
    except (TypeError, ValueError):
        pose = None
    if pose is None or not np.all(np.isfinite(pose)):
        raise ConfigError(
            f"{source}: {camera}: expected 16 finite numbers, the camera-to-base pose row by "
            f"row, got {entry!r}"
        )
    return pose


def load_extrinsics(path: str, cameras: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Camera name -> (4, 4) camera-to-base pose from the YAML file ``path`` (a node parameter).

    Raises:
        ConfigError: ``path`` is empty, the file cannot be read, or a camera's entry is missing
            or malformed; the message names the parameter, the file and the camera.
    """
    if not path:
        raise ConfigError(
            f"parameter extrinsics_file: expected the camera-to-base poses of {list(cameras)} "
            "on the real arm (sim is false), got ''"
        )
    source = f"parameter extrinsics_file: {path}"
    document = _read(Path(path), source)
    return {camera: _pose(document, camera, source) for camera in cameras}


def save_extrinsics(path: Path, camera: str, pose: np.ndarray) -> None:
    """Set the entry of ``camera`` in the extrinsics file ``path`` to ``pose`` (4, 4), atomically.

    The other cameras' entries are kept; the file is created when missing.

    Raises:
        ConfigError: an existing file is not YAML, not a mapping, or holds a malformed entry
            (named): it is left as it is rather than overwritten.
    """
    path = Path(path)
    source = f"extrinsics file {path}"
    document = (_read(path, source) if path.exists() else None) or {}
    if not isinstance(document, dict):
        raise ConfigError(
            f"{source}: expected a mapping of camera name -> 16 numbers, got {document!r}"
        )
    entries = {str(name): _pose(document, name, source).reshape(-1).tolist() for name in document}
    entries[camera] = np.asarray(pose, dtype=float).reshape(-1).tolist()
    replace_file(path, yaml.safe_dump(entries, sort_keys=False, default_flow_style=None))
