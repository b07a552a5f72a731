"""The track viz node's parameters, and the camera extrinsics they select.

Predicted points arrive in a camera's optical frame and are drawn in the robot base frame. The
cell (``cell``) names the cameras; their camera-to-base poses are the simulated cell's camera
placements, or on the real arm those of ``extrinsics_file`` (the YAML collect_node reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from arm4r_policy.calibration.extrinsics_file import load_extrinsics
from arm4r_policy.nodes.parameter_checks import one_of, positive_integer
from arm4r_policy.nodes.parameters import ParameterSpec, non_empty
from arm4r_policy.sim.tasks.layout import CELL_CONFIGS

PARAMETERS = (
    ParameterSpec(
        "cell", "kinova", "robot cell whose cameras the tracks are in", one_of(CELL_CONFIGS)
    ),
    ParameterSpec("sim", True, "the simulated cell (its camera placements) or the real arm"),
    ParameterSpec(
        "extrinsics_file",
        "",
        "real arm: YAML of camera name -> 16 numbers, the camera-to-base pose row by row "
        "(OpenCV axes)",
    ),
    ParameterSpec(
        "track_length", 8, "predicted positions drawn per tracked point", positive_integer
    ),
    ParameterSpec("frame_id", "base_link", "robot base frame the tracks are drawn in", non_empty),
)


def camera_extrinsics(values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Camera name -> (4, 4) camera-to-base pose, OpenCV axes, for every camera of the cell."""
    cell = CELL_CONFIGS[values["cell"]]()
    if values["sim"]:
        return cell.camera_extrinsics()
    return load_extrinsics(values["extrinsics_file"], tuple(c.name for c in cell.cameras))


def extrinsics_source(values: Mapping[str, Any]) -> str:
    """Where ``camera_extrinsics`` took the poses from, in words."""
    if values["sim"]:
        return f"the simulated {values['cell']} cell's camera placements"
    return f"the {values['cell']} cameras' extrinsics from {values['extrinsics_file']}"
