"""Pick cube (paper appendix E.3 / F.3): "The robot moves to pick up the cube ... The episode
recording stops after the robot picks up the object and moves up by a certain distance."

Success: the named cube's centre is at least ``LIFT_HEIGHT`` above where it rested at the start of
the episode AND it is held between both fingers, so a cube thrown or knocked upwards, or lifted
and dropped, does not count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arm4r_policy.sim.objects import TaskObject
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import Goal, Task
from arm4r_policy.sim.tasks.contact_state import is_held
from arm4r_policy.sim.tasks.cube_scene import cube_grasp, cube_layout, cube_objects
from arm4r_policy.sim.tasks.layout import Layout
from arm4r_policy.sim.tasks.props import CUBE_COLOURS, cube_name

LIFT_HEIGHT = 0.05
"""[m] the picked cube must be raised by at least this much above its starting height."""


class PickCube(Task):
    """Pick up the cube of the variation's colour; the other two cubes are distractors."""

    variations = CUBE_COLOURS
    max_seconds = 15.0

    @property
    def instruction(self) -> str:
        return f"pick up the {self.variation} cube"

    def scene_objects(self) -> Sequence[TaskObject]:
        return cube_objects()

    def sample_layout(self, rng: np.random.Generator) -> Layout:
        return cube_layout(rng, self.workspace)

    def success(self, cell: SimCell) -> bool:
        name = cube_name(self.variation)
        position, _ = cell.object_pose(name)
        lifted = position[2] - self.rest_pose(name).position[2] >= LIFT_HEIGHT
        return bool(lifted and is_held(cell, name))

    def goal(self, cell: SimCell) -> Goal:
        return Goal(grasp=cube_grasp(cell, self.variation), lift=LIFT_HEIGHT)
