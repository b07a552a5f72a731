"""What the planners need to know about an arm, whoever computes it (MuJoCo, a URDF solver, ...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import ConfigError

FULL_TURN = 2.0 * np.pi


@dataclass(frozen=True, eq=False)
class ArmModel:
    """Kinematics and limits of an ``n``-joint serial arm, all in the robot base frame.

    Attributes:
        fk: joint angles (n,) [rad] -> (4, 4) pose of the controlled frame (the TCP).
        jacobian: joint angles (n,) [rad] -> (6, n) Jacobian of that frame: rows are its linear
            velocity (3) [m/s], then its angular velocity (3) [rad/s], per unit joint velocity.
        joint_limits: (n, 2) lower / upper joint angles [rad].
        max_velocities: (n,) published joint speed limits [rad/s].
        continuous_joints: (n,) bool; a continuous joint's angle counts modulo 2 pi, so an angle
            and the same angle plus a full turn put the arm in the same place. Its range must span
            at least a full turn (infinite bounds allowed).
    """

    fk: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]
    joint_limits: np.ndarray
    max_velocities: np.ndarray
    continuous_joints: np.ndarray

    def __post_init__(self) -> None:
        for name, dtype in (
            ("joint_limits", float),
            ("max_velocities", float),
            ("continuous_joints", bool),
        ):
            array = np.array(getattr(self, name), dtype=dtype)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        limits = self.joint_limits
        if limits.ndim != 2 or limits.shape[1] != 2 or np.any(np.isnan(limits)):
            raise ConfigError(
                f"ArmModel.joint_limits has shape {limits.shape}; expected (n, 2) [rad], no NaN"
            )
        if np.any(limits[:, 0] >= limits[:, 1]):
            raise ConfigError(f"ArmModel.joint_limits = {limits.tolist()}; expected lower < upper")
        dof = len(limits)
        speeds = self.max_velocities
        if speeds.shape != (dof,) or not np.all(np.isfinite(speeds) & (speeds > 0.0)):
            raise ConfigError(
                f"ArmModel.max_velocities = {speeds.tolist()}; expected {dof} finite values > 0"
            )
        continuous = self.continuous_joints
        if continuous.shape != (dof,):
            raise ConfigError(
                f"ArmModel.continuous_joints has shape {continuous.shape}; expected ({dof},)"
            )
        short = continuous & (limits[:, 1] - limits[:, 0] < FULL_TURN)
        if np.any(short):
            joint = int(np.argmax(short))
            raise ConfigError(
                f"ArmModel.continuous_joints marks joint {joint + 1} continuous but its range "
                f"{limits[joint].tolist()} spans less than a full turn (2 pi rad)"
            )

    @property
    def dof(self) -> int:
        """Number of joints ``n``."""
        return len(self.joint_limits)
