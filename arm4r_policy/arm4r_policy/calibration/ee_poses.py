"""The poses file of an extrinsics calibration: where the end effector was at every image.

A YAML mapping, image file name -> the end-effector pose in the robot base frame when that image
was taken (the pose the robot reports, e.g. on ``/arm4r/ee_pose``: it maps end-effector coordinates
to base coordinates), position in metres and orientation as a quaternion ``x, y, z, w``::

    # poses.yaml, beside the images
    view_00.png:
      position: [0.452, 0.013, 0.301]
      orientation: [0.0, 1.0, 0.0, 0.0]
    view_01.png:
      ...
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.pose import quat_xyzw_to_matrix
from arm4r_policy.sim.transforms import make_pose

__all__ = ["QUATERNION_NORM_TOLERANCE", "load_ee_poses"]

QUATERNION_NORM_TOLERANCE = 0.01
"""Largest departure of a quaternion's norm from 1 accepted; more hints at a typo or at numbers
that are not a quaternion (Euler angles)."""


def _numbers(value: Any, count: int) -> np.ndarray | None:
    """``value`` as ``count`` finite floats, or None."""
    if not isinstance(value, list) or len(value) != count:
        return None
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in value):
        return None
    numbers = np.asarray(value, dtype=float)
    return numbers if np.all(np.isfinite(numbers)) else None


def _pose(entry: Any, where: str) -> np.ndarray:
    if not isinstance(entry, Mapping) or set(entry) != {"position", "orientation"}:
        raise ConfigError(
            f"{where}: expected a mapping with exactly position and orientation, got {entry!r}"
        )
    position = _numbers(entry["position"], 3)
    if position is None:
        raise ConfigError(
            f"{where}: position = {entry['position']!r}; expected 3 finite numbers x, y, z [m]"
        )
    quaternion = _numbers(entry["orientation"], 4)
    if quaternion is None or abs(np.linalg.norm(quaternion) - 1.0) > QUATERNION_NORM_TOLERANCE:
        raise ConfigError(
            f"{where}: orientation = {entry['orientation']!r}; expected a unit quaternion x, y, "
            "z, w (4 finite numbers)"
        )
    return make_pose(quat_xyzw_to_matrix(quaternion), position)


def load_ee_poses(path: Path) -> dict[str, np.ndarray]:
    """Image file name -> (4, 4) end-effector pose in the base frame, from the poses file ``path``.

    Raises:
        ConfigError: the file is missing, not YAML or not a mapping, or an entry is malformed;
            the message names the file and the entry.
    """
    source = f"poses file {path}"
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{source} cannot be read: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(document, Mapping) or not document:
        raise ConfigError(
            f"{source}: expected a mapping of image file name -> end-effector pose, got "
            f"{document!r}"
        )
    return {str(name): _pose(entry, f"{source}: {name}") for name, entry in document.items()}
