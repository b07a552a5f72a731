"""A timed joint trajectory, the planners' output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import CommandError


@dataclass(frozen=True, eq=False)
class JointTrajectory:
    """Joint waypoints with their times and velocities; the arrays are stored read-only.

    Attributes:
        times: (N,) [s], starting at 0, strictly increasing; N >= 1 (a single waypoint at t = 0
            is a motion that has already arrived).
        positions: (N, n) joint angles [rad].
        velocities: (N, n) joint velocities [rad/s] at the waypoints.
    """

    times: np.ndarray
    positions: np.ndarray
    velocities: np.ndarray

    def __post_init__(self) -> None:
        for name in ("times", "positions", "velocities"):
            array = np.array(getattr(self, name), dtype=float)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        times, positions, velocities = self.times, self.positions, self.velocities
        if times.ndim != 1 or len(times) == 0 or not np.all(np.isfinite(times)):
            raise CommandError(
                f"JointTrajectory.times has shape {times.shape}; expected (N,) finite, N >= 1"
            )
        if times[0] != 0.0 or np.any(np.diff(times) <= 0.0):
            raise CommandError(
                f"JointTrajectory.times starts at {times[0]} with smallest step "
                f"{np.diff(times).min(initial=np.inf)}; expected 0 and strictly increasing"
            )
        for name, values in (("positions", positions), ("velocities", velocities)):
            if values.ndim != 2 or len(values) != len(times) or not np.all(np.isfinite(values)):
                raise CommandError(
                    f"JointTrajectory.{name} has shape {values.shape}; expected "
                    f"({len(times)}, n) finite values, one row per time"
                )
        if velocities.shape != positions.shape:
            raise CommandError(
                f"JointTrajectory.velocities has shape {velocities.shape}; expected "
                f"{positions.shape} like positions"
            )

    @property
    def duration(self) -> float:
        """Time [s] of the last waypoint."""
        return float(self.times[-1])
