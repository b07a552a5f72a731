"""The simulator node's parameters, and the simulated task they configure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.parameter_checks import (
    non_negative,
    non_negative_integer,
    one_of,
    positive_integer,
)
from arm4r_policy.nodes.parameters import ParameterSpec, non_empty, positive
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.stepper import SimStepper
from arm4r_policy.sim.tasks import TASKS

PARAMETERS = (
    ParameterSpec("cell", "kinova", "robot cell to simulate", one_of(TASKS)),
    ParameterSpec("task", "pick_cube", "task family of the cell (sim/tasks/registry.py)"),
    ParameterSpec("variation", "yellow", "variation of the task"),
    ParameterSpec(
        "seed", 0, "seed of the first episode; each reset takes the next", non_negative_integer
    ),
    ParameterSpec("image_width", 640, "[px] width of the camera images", positive_integer),
    ParameterSpec("image_height", 480, "[px] height of the camera images", positive_integer),
    ParameterSpec("camera_rate_hz", 15.0, "[Hz] frames per second of each camera", positive),
    ParameterSpec(
        "state_rate_hz", 50.0, "[Hz] joint states, end-effector pose and gripper state", positive
    ),
    ParameterSpec("real_time_factor", 1.0, "simulated seconds per wall-clock second", positive),
    ParameterSpec(
        "settle_time", 0.1, "[s] a trajectory holds its last waypoint before done", non_negative
    ),
    ParameterSpec("frame_id", "base_link", "robot base frame of every pose", non_empty),
)


def make_stepper(values: Mapping[str, Any]) -> SimStepper:
    """The task's compiled cell, ready to step; a ConfigError names the parameter that is wrong."""
    cell, task, variation = values["cell"], values["task"], values["variation"]
    if task not in TASKS[cell]:
        raise ConfigError(
            f"parameter task: expected one of {list(TASKS[cell])} for the {cell} cell, got {task!r}"
        )
    factory = TASKS[cell][task]
    if variation not in factory.variations:
        raise ConfigError(
            f"parameter variation: expected one of {list(factory.variations)} for {cell} {task}, "
            f"got {variation!r}"
        )
    chosen = factory(variation)
    sim_cell = SimCell(chosen.workspace.config(), chosen.objects)
    return SimStepper(sim_cell, chosen, values["settle_time"])
