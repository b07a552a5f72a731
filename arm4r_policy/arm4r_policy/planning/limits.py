"""How fast, how finely and how strictly a linear Cartesian motion is planned."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import ConfigError


@dataclass(frozen=True)
class LinearMotionLimits:
    """Settings of ``plan_linear``; every field can only make a motion slower or stricter.

    Attributes:
        speed_scale: fraction in (0, 1] of the arm's published joint speed limits to use.
        joint_accelerations: per-joint acceleration limits [rad/s^2], one per joint.
        max_tcp_speed: TCP speed limit [m/s]; None leaves the TCP speed to the joint limits.
        waypoint_spacing: largest TCP move between IK waypoints [m].
        waypoint_angle: largest TCP turn between IK waypoints [rad].
        max_joint_jump: largest change of any joint between consecutive waypoints [rad]; a
            larger one means the straight line passes a singularity or changes IK branch.
        position_tolerance: IK position tolerance at every waypoint [m].
        rotation_tolerance: IK orientation tolerance at every waypoint [rad].
    """

    speed_scale: float = 0.5
    joint_accelerations: tuple[float, ...] = (2.0,) * 7
    max_tcp_speed: float | None = 0.25
    waypoint_spacing: float = 0.005
    waypoint_angle: float = math.radians(2.0)
    max_joint_jump: float = 0.2
    position_tolerance: float = 1e-4
    rotation_tolerance: float = 1e-3

    def __post_init__(self) -> None:
        if not 0.0 < self.speed_scale <= 1.0:
            raise ConfigError(
                f"LinearMotionLimits.speed_scale = {self.speed_scale}; expected in (0, 1]"
            )
        accelerations = np.asarray(self.joint_accelerations, dtype=float)
        if accelerations.ndim != 1 or not np.all(np.isfinite(accelerations) & (accelerations > 0)):
            raise ConfigError(
                f"LinearMotionLimits.joint_accelerations = {self.joint_accelerations}; "
                "expected one finite value > 0 [rad/s^2] per joint"
            )
        object.__setattr__(self, "joint_accelerations", tuple(accelerations.tolist()))
        positive = {
            "waypoint_spacing": self.waypoint_spacing,
            "waypoint_angle": self.waypoint_angle,
            "max_joint_jump": self.max_joint_jump,
            "position_tolerance": self.position_tolerance,
            "rotation_tolerance": self.rotation_tolerance,
        }
        if self.max_tcp_speed is not None:
            positive["max_tcp_speed"] = self.max_tcp_speed
        for name, value in positive.items():
            if not (math.isfinite(value) and value > 0.0):
                raise ConfigError(f"LinearMotionLimits.{name} = {value}; expected finite > 0")
        for tolerance, spacing in (
            ("position_tolerance", "waypoint_spacing"),
            ("rotation_tolerance", "waypoint_angle"),
        ):
            if getattr(self, tolerance) >= getattr(self, spacing):
                raise ConfigError(
                    f"LinearMotionLimits.{tolerance} = {getattr(self, tolerance)}; expected "
                    f"below {spacing} = {getattr(self, spacing)}"
                )
