"""Joint trajectories: validation and piecewise-linear sampling of waypoints."""

from __future__ import annotations

import numpy as np

from arm4r_policy.errors import CommandError


def check_joint_positions(positions: np.ndarray, limits: np.ndarray, what: str) -> np.ndarray:
    """``positions`` (..., 7) [rad] as floats, checked for shape, finiteness and ``limits`` (7, 2).

    Raises:
        CommandError: naming ``what``, the offending joint and value.
    """
    positions = np.asarray(positions, dtype=float)
    if positions.shape[-1:] != (len(limits),) or not np.all(np.isfinite(positions)):
        raise CommandError(
            f"{what} has shape {positions.shape}; expected (..., {len(limits)}) finite angles [rad]"
        )
    outside = (positions < limits[:, 0] - 1e-9) | (positions > limits[:, 1] + 1e-9)
    if np.any(outside):
        index = tuple(np.argwhere(outside)[0])
        joint = index[-1]
        raise CommandError(
            f"{what}: joint {joint + 1} = {positions[index]:.4f} rad outside "
            f"[{limits[joint, 0]:.4f}, {limits[joint, 1]:.4f}]"
        )
    return positions


def check_waypoint_times(times: np.ndarray, count: int) -> np.ndarray:
    """``times`` (N,) [s] as floats: one per waypoint, the first >= 0, strictly increasing."""
    times = np.asarray(times, dtype=float)
    if times.shape != (count,) or count == 0:
        raise CommandError(
            f"trajectory times have shape {times.shape}; expected ({count},), one per waypoint"
        )
    if not np.all(np.isfinite(times)) or times[0] < 0.0 or np.any(np.diff(times) <= 0.0):
        raise CommandError(
            f"trajectory times {times.tolist()}; expected finite, >= 0, strictly increasing"
        )
    return times


def waypoints_from(
    start: np.ndarray, times: np.ndarray, positions: np.ndarray, limits: np.ndarray, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Checked (M,) times [s] and (M, 7) positions [rad] of a path that begins at ``start``.

    ``start`` (7,) is prepended at t = 0 unless the path gives a waypoint there itself.
    """
    positions = check_joint_positions(positions, limits, f"{what} positions")
    if positions.ndim != 2:
        raise CommandError(f"{what} positions have shape {positions.shape}; expected (N, 7)")
    times = check_waypoint_times(times, len(positions))
    if times[0] > 0.0:
        times = np.r_[0.0, times]
        positions = np.vstack([start, positions])
    if len(times) < 2:
        raise CommandError(f"{what}: a single waypoint needs a time > 0, got 0.0")
    return times, positions


def sample_piecewise_linear(
    times: np.ndarray, positions: np.ndarray, sample_times: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities of the piecewise-linear path through waypoints.

    Args:
        times: (N,) strictly increasing waypoint times [s], N >= 2.
        positions: (N, D) waypoints.
        sample_times: (S,) [s]; before ``times[0]`` / after ``times[-1]`` the path holds still.

    Returns:
        (S, D) positions and (S, D) velocities [unit/s], the slope of each sample's segment.
    """
    segment = np.clip(np.searchsorted(times, sample_times, side="right") - 1, 0, len(times) - 2)
    slopes = np.diff(positions, axis=0) / np.diff(times)[:, None]
    clipped = np.clip(sample_times, times[0], times[-1])
    sampled = positions[segment] + slopes[segment] * (clipped - times[segment])[:, None]
    moving = (sample_times >= times[0]) & (sample_times <= times[-1])
    return sampled, slopes[segment] * moving[:, None]
