"""The safety layer every end-effector target passes before it reaches a controller.

Two kinds of rule, applied in this order:

- Refusals, after which the robot holds where it is: an input older than ``stale_after`` (the
  message names it), a non-finite current state or target.
- Limits, which can only make a motion smaller: the target position is clamped into the workspace
  box, then the step from the current position is shortened to ``max_translation`` and the
  rotation to ``max_rotation`` (along the shortest arc). If the arm is outside the box, the step
  heads back towards it. The gripper command is clipped to [0, 1].

Poses are 7-D end-effector states in the robot base frame: xyz [m], Euler XYZ [rad], gripper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.pose import (
    euler_xyz_to_matrix,
    matrix_to_euler_xyz,
    rotation_angle,
    slerp_matrix,
)


@dataclass(frozen=True)
class SafetyLimits:
    workspace_min: tuple[float, float, float]  # [m] base frame
    workspace_max: tuple[float, float, float]  # [m] base frame
    max_translation: float = 0.05  # [m] per step
    max_rotation: float = 0.35  # [rad] per step
    stale_after: float = 0.5  # [s] oldest input a target may be computed from

    def __post_init__(self) -> None:
        low, high = np.asarray(self.workspace_min), np.asarray(self.workspace_max)
        if low.shape != (3,) or high.shape != (3,) or not np.all(np.isfinite([low, high])):
            raise ConfigError(
                f"SafetyLimits.workspace_min/max: expected 3 finite values each, got "
                f"{self.workspace_min} and {self.workspace_max}"
            )
        if np.any(low >= high):
            raise ConfigError(
                f"SafetyLimits.workspace_min {self.workspace_min} must be below "
                f"workspace_max {self.workspace_max} on every axis"
            )
        for name in ("max_translation", "max_rotation", "stale_after"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise ConfigError(f"SafetyLimits.{name}: expected a positive number, got {value!r}")


@dataclass(frozen=True)
class SafetyDecision:
    target: np.ndarray | None  # (7,) the target to execute, None when refused
    refusal: str | None = None  # why nothing may move
    adjustments: tuple[str, ...] = ()  # which limits shortened the motion

    @property
    def allowed(self) -> bool:
        return self.target is not None


def guard_target(
    limits: SafetyLimits,
    current: np.ndarray,
    target: np.ndarray,
    input_ages: Mapping[str, float],
) -> SafetyDecision:
    """Check a (7,) target against the (7,) current state; ``input_ages`` [s] per input name."""
    stale = {name: age for name, age in input_ages.items() if not age <= limits.stale_after}
    if stale:
        name, age = max(stale.items(), key=lambda item: item[1])
        return SafetyDecision(
            None, f"input {name} is {age:.3f} s old (limit {limits.stale_after:.3f} s)"
        )
    current, target = np.asarray(current, dtype=float), np.asarray(target, dtype=float)
    for name, values in (("current state", current), ("target", target)):
        if values.shape != (7,) or not np.all(np.isfinite(values)):
            return SafetyDecision(None, f"{name} is not 7 finite values: {values.tolist()}")

    adjustments = []
    position = np.clip(target[:3], limits.workspace_min, limits.workspace_max)
    if not np.allclose(position, target[:3]):
        adjustments.append("clamped into the workspace")
    step = position - current[:3]
    distance = float(np.linalg.norm(step))
    if distance > limits.max_translation:
        position = current[:3] + step * (limits.max_translation / distance)
        adjustments.append(f"translation {distance:.3f} m shortened to {limits.max_translation} m")

    r_current, r_target = euler_xyz_to_matrix(current[3:6]), euler_xyz_to_matrix(target[3:6])
    angle = float(rotation_angle(r_current, r_target))
    euler = target[3:6]
    if angle > limits.max_rotation:
        euler = matrix_to_euler_xyz(slerp_matrix(r_current, r_target, limits.max_rotation / angle))
        adjustments.append(f"rotation {angle:.3f} rad shortened to {limits.max_rotation} rad")

    gripper = float(np.clip(target[6], 0.0, 1.0))
    return SafetyDecision(np.concatenate([position, euler, [gripper]]), None, tuple(adjustments))
