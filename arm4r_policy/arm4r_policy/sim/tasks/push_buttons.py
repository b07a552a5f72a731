"""Push buttons (paper appendix E.3): "Following the instruction, the arm moves to a specific height
above the assigned button at point A, closes the gripper, pushes the button, then moves to push
another button at point B."

A red and a blue button stand on the table in every variation. A button counts as pressed at the
first control tick (``update``) at which its cap is sunk by more than half its travel (the
``Button`` press threshold). Success, as RLBench words push buttons ("all specified buttons being
pressed in the right order"): every button of the variation pressed, each at a later tick than the
one before it, and no other button pressed before the last of them; pressing blue then red is not
"red, then blue".
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from arm4r_policy.sim.objects import Button, TaskObject
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import ButtonTarget, Goal, Task
from arm4r_policy.sim.tasks.layout import Layout, ObjectPose, scatter, yaw_quat
from arm4r_policy.sim.tasks.props import button_name, footprint_radius, make_button
from arm4r_policy.sim.transforms import quat_to_matrix

BUTTON_COLOURS = ("red", "blue")
BUTTON_MARGIN = 0.06
"""[m] between button footprints: the gripper pushing one stays clear of the other."""
SECONDS_PER_BUTTON = 12.0
PRESS_ORDER = {"red": ("red",), "red_then_blue": ("red", "blue")}
"""Variation -> button colours to push, in order."""


class PushButtons(Task):
    """Push the variation's buttons in order."""

    variations = tuple(PRESS_ORDER)

    @property
    def max_seconds(self) -> float:
        return SECONDS_PER_BUTTON * len(PRESS_ORDER[self.variation])

    @property
    def instruction(self) -> str:
        named = [f"the {colour} button" for colour in PRESS_ORDER[self.variation]]
        return "push " + ", then ".join(named)

    def scene_objects(self) -> Sequence[TaskObject]:
        return tuple(make_button(colour) for colour in BUTTON_COLOURS)

    def sample_layout(self, rng: np.random.Generator) -> Layout:
        buttons = self.scene_objects()
        radii = [footprint_radius(button) for button in buttons]
        centres = scatter(rng, self.workspace, radii, BUTTON_MARGIN)
        table = self.workspace.table_height
        return Layout(
            poses={
                button.name: ObjectPose(np.array([*xy, table]), yaw_quat(0.0))
                for button, xy in zip(buttons, centres, strict=True)
            }
        )

    def _start_episode(self) -> None:
        self._press_times: dict[str, float] = {}

    def update(self, cell: SimCell) -> None:
        """Record the time [s] of each button's first press."""
        for button in self.objects:
            pressed = cell.button_depth(button.name) > button.travel / 2
            if pressed and button.name not in self._press_times:
                self._press_times[button.name] = cell.time

    @property
    def press_times(self) -> dict[str, float]:
        """Button name -> simulation time [s] of its first press in this episode."""
        return dict(self._press_times)

    def success(self, cell: SimCell) -> bool:
        required = [button_name(colour) for colour in PRESS_ORDER[self.variation]]
        if any(name not in self._press_times for name in required):
            return False
        times = [self._press_times[name] for name in required]
        in_order = all(later > earlier for earlier, later in pairwise(times))
        others_after = all(
            time > times[-1] for name, time in self._press_times.items() if name not in required
        )
        return in_order and others_after

    def goal(self, cell: SimCell) -> Goal:
        presses = []
        for colour in PRESS_ORDER[self.variation]:
            button: Button = cell.objects[button_name(colour)]
            position, quat = cell.object_pose(button.name)
            top = position + quat_to_matrix(quat) @ (0.0, 0.0, button.base_height + button.height)
            presses.append(ButtonTarget(name=button.name, top=top, travel=button.travel))
        return Goal(presses=tuple(presses))
