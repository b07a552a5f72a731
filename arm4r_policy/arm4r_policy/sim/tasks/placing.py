"""Tasks that pick one object up and put it somewhere: stack, destack, pick & place.

The paper words all three alike: "After picking up the <object> ..., the robot moves ... The
episode recording stops after the robot releases the object and moves up by a certain distance."
So success needs all of:

- picked: the object was held between both fingers at some ``update`` (a control tick) of the
  episode; an object that only got pushed or knocked into place does not count,
- released: no finger and no part of the gripper housing touches it now,
- in place: the family's own placement condition (``in_place``).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import Goal, GraspTarget, Task
from arm4r_policy.sim.tasks.contact_state import is_held, is_released

PLACE_CLEARANCE = 0.01
"""[m] the scripted release point keeps the object this far above its support, to drop onto it."""


class PlacingTask(Task):
    """A task that picks ``picked_object`` up and releases it where ``in_place`` holds."""

    @property
    @abstractmethod
    def picked_object(self) -> str:
        """Name of the object to move."""

    @abstractmethod
    def in_place(self, cell: SimCell) -> bool:
        """Whether the object now sits where the instruction wants it."""

    @abstractmethod
    def grasp_target(self, cell: SimCell) -> GraspTarget:
        """How to pick the object up."""

    @abstractmethod
    def place_target(self, cell: SimCell) -> np.ndarray:
        """(3,) [m] world: where the TCP releases the object (see ``Goal.place``)."""

    def _start_episode(self) -> None:
        self._was_held = False

    def update(self, cell: SimCell) -> None:
        """Latch that the object has been picked up."""
        self._was_held = self._was_held or is_held(cell, self.picked_object)

    @property
    def was_picked(self) -> bool:
        """Whether an ``update`` of this episode found the object between both fingers."""
        return self._was_held

    def success(self, cell: SimCell) -> bool:
        return bool(
            self._was_held and is_released(cell, self.picked_object) and self.in_place(cell)
        )

    def goal(self, cell: SimCell) -> Goal:
        return Goal(grasp=self.grasp_target(cell), place=self.place_target(cell))
