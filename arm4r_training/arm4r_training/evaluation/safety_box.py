"""The safety limits of an evaluation: the task's table region as a box in the robot base frame.

Every target the policy asks for passes ``arm4r_policy.runtime.safety.guard_target`` with these
limits before it reaches the planner. The box starts from the task's ``Workspace`` (the rectangle
of object centres on the table, world frame), widened horizontally by ``horizontal_margin`` and
spanning from ``floor_clearance`` above the table top to ``ceiling`` above it. ``guard_target``
works in the base frame, so the box it gets is the smallest base-frame box holding that world
region: where the base is tilted (the Kinova stand pitches it 20 deg) this is looser than the
region itself, never tighter.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.safety import SafetyLimits
from arm4r_policy.sim.tasks import Workspace
from arm4r_policy.sim.transforms import invert_pose, transform_points


@dataclass(frozen=True)
class WorkspaceMargins:
    """How far beyond the objects' region the TCP may go, and how fast it may get there.

    Attributes:
        horizontal_margin: [m] added on every side of the region of object centres.
        floor_clearance: [m] lowest TCP height above the table top (0: the TCP never goes
            below the table surface; the fingertips may touch it).
        ceiling: [m] highest TCP height above the table top.
        max_translation: [m] longest TCP move per policy step.
        max_rotation: [rad] largest TCP turn per policy step.
    """

    horizontal_margin: float = 0.10
    floor_clearance: float = 0.0
    ceiling: float = 0.45
    max_translation: float = 0.05
    max_rotation: float = 0.35

    def __post_init__(self) -> None:
        for name in ("horizontal_margin", "floor_clearance"):
            if not getattr(self, name) >= 0.0:
                raise ConfigError(
                    f"WorkspaceMargins.{name} = {getattr(self, name)!r}; expected >= 0 [m]"
                )
        if not self.ceiling > self.floor_clearance:
            raise ConfigError(
                f"WorkspaceMargins.ceiling = {self.ceiling!r}; expected above floor_clearance = "
                f"{self.floor_clearance!r} [m]"
            )
        for name in ("max_translation", "max_rotation"):
            if not getattr(self, name) > 0.0:
                raise ConfigError(
                    f"WorkspaceMargins.{name} = {getattr(self, name)!r}; expected > 0"
                )


def workspace_safety_limits(workspace: Workspace, margins: WorkspaceMargins) -> SafetyLimits:
    """The ``SafetyLimits`` of an evaluation in ``workspace``.

    Args:
        workspace: the task's table region (world frame) in its cell.
        margins: how far the TCP may leave the region, and the per-step motion limits.
    """
    table = workspace.table_height
    low = (
        workspace.x[0] - margins.horizontal_margin,
        workspace.y[0] - margins.horizontal_margin,
        table + margins.floor_clearance,
    )
    high = (
        workspace.x[1] + margins.horizontal_margin,
        workspace.y[1] + margins.horizontal_margin,
        table + margins.ceiling,
    )
    corners = np.array(list(itertools.product(*zip(low, high, strict=True))))  # (8, 3) world
    in_base = transform_points(invert_pose(workspace.config().base_pose), corners)
    return SafetyLimits(
        workspace_min=tuple(in_base.min(axis=0).tolist()),
        workspace_max=tuple(in_base.max(axis=0).tolist()),
        max_translation=margins.max_translation,
        max_rotation=margins.max_rotation,
    )
