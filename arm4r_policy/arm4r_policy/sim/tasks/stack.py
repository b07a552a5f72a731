"""Stack and destack cubes (paper appendix E.3 / F.3).

Stack: "After picking up the cube from point A as in the pick cube task, the robot stacks it on
another object already present in the scene at point B according to the instruction." In place:
the top cube touches the bottom cube, its centre within ``STACK_OFFSET_TOLERANCE`` of the
bottom cube's centre horizontally and one cube edge (+- ``STACK_HEIGHT_TOLERANCE``) above it, and
the bottom cube still stands on the table.

Destack: "After picking up the top cube from a stacked pair at point A as in the grasping task, the
robot moves the grasped cube to another location, point B." The named cube starts on the other of
the yellow / cyan pair; in place: it rests on the table and no longer touches that cube.

Both also need the cube picked and released (``placing``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arm4r_policy.sim.objects import TaskObject
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import GraspTarget
from arm4r_policy.sim.tasks.contact_state import TABLE, is_touching
from arm4r_policy.sim.tasks.cube_scene import cube_grasp, cube_layout, cube_objects
from arm4r_policy.sim.tasks.layout import Layout
from arm4r_policy.sim.tasks.placing import PLACE_CLEARANCE, PlacingTask
from arm4r_policy.sim.tasks.props import CUBE_EDGE, cube_name

STACK_OFFSET_TOLERANCE = CUBE_EDGE / 2
"""[m] largest horizontal distance between the centres of stacked cubes."""
STACK_HEIGHT_TOLERANCE = 0.01
"""[m] largest deviation of the centres' height difference from one cube edge."""


class Stack(PlacingTask):
    """Put the first cube of ``<top>_on_<bottom>`` on the second; green is a distractor."""

    variations = ("yellow_on_cyan", "cyan_on_yellow")
    max_seconds = 25.0

    @property
    def colours(self) -> tuple[str, str]:
        """(top, bottom) colours."""
        top, bottom = self.variation.split("_on_")
        return top, bottom

    @property
    def instruction(self) -> str:
        return "put the {} cube on the {} cube".format(*self.colours)

    @property
    def picked_object(self) -> str:
        return cube_name(self.colours[0])

    def scene_objects(self) -> Sequence[TaskObject]:
        return cube_objects()

    def sample_layout(self, rng: np.random.Generator) -> Layout:
        return cube_layout(rng, self.workspace)

    def in_place(self, cell: SimCell) -> bool:
        top, bottom = (cube_name(colour) for colour in self.colours)
        offset = cell.object_pose(top)[0] - cell.object_pose(bottom)[0]
        aligned = (
            np.linalg.norm(offset[:2]) <= STACK_OFFSET_TOLERANCE
            and abs(offset[2] - CUBE_EDGE) <= STACK_HEIGHT_TOLERANCE
        )
        return bool(aligned and is_touching(cell, top, bottom) and is_touching(cell, bottom, TABLE))

    def grasp_target(self, cell: SimCell) -> GraspTarget:
        return cube_grasp(cell, self.colours[0])

    def place_target(self, cell: SimCell) -> np.ndarray:
        bottom, _ = cell.object_pose(cube_name(self.colours[1]))
        return bottom + np.array([0.0, 0.0, CUBE_EDGE + PLACE_CLEARANCE])


class Destack(PlacingTask):
    """Take the variation's cube off the other cube of the yellow / cyan pair; green is a
    distractor. ``Layout.place_spot`` is the free point B the scripted demo puts it down at."""

    variations = ("yellow", "cyan")
    max_seconds = 25.0

    @property
    def bottom_colour(self) -> str:
        return "cyan" if self.variation == "yellow" else "yellow"

    @property
    def instruction(self) -> str:
        return f"take the {self.variation} cube off the {self.bottom_colour} cube"

    @property
    def picked_object(self) -> str:
        return cube_name(self.variation)

    def scene_objects(self) -> Sequence[TaskObject]:
        return cube_objects()

    def sample_layout(self, rng: np.random.Generator) -> Layout:
        stacked = (self.variation, self.bottom_colour)
        return cube_layout(rng, self.workspace, stacked=stacked, place_spot=True)

    def in_place(self, cell: SimCell) -> bool:
        top, bottom = cube_name(self.variation), cube_name(self.bottom_colour)
        return is_touching(cell, top, TABLE) and not is_touching(cell, top, bottom)

    def grasp_target(self, cell: SimCell) -> GraspTarget:
        return cube_grasp(cell, self.variation)

    def place_target(self, cell: SimCell) -> np.ndarray:
        return self.layout.place_spot + np.array([0.0, 0.0, CUBE_EDGE / 2 + PLACE_CLEARANCE])
