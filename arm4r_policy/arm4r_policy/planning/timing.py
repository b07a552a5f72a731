"""Time parameterisation of a joint path: when to pass each waypoint, within speed limits.

The path is played piecewise-linearly through its waypoints (as ``SimCell`` and spline-less joint
trajectory controllers play it), starting and ending at rest. The limits hold for exactly these
finite differences, with ``dt_k`` the duration of segment ``k`` between waypoints ``k`` and ``k+1``:

    joint velocity       |q_{k+1} - q_k| / dt_k <= max_velocities          every segment and joint
    TCP speed            |p_{k+1} - p_k| / dt_k <= max_tcp_speed           every segment
    joint acceleration   the change of segment velocity between consecutive segment midpoints
                         (from rest at the first waypoint, to rest at the last), divided by the
                         time between them, <= max_accelerations

The shape of the timing comes from a profile of the path speed ``ds/dt`` along the waypoint index
``s``: the classic two-pass integration (accelerate as hard as the joints allow going forward,
brake as hard as they allow going backward, never above the speed ceiling that the velocity limits
and the path's curvature set), which is time-optimal for a smooth path through the waypoints. One
uniform time scaling then makes the finite-difference limits above hold exactly, at least one of
them at its bound.
"""

from __future__ import annotations

import numpy as np

from arm4r_policy.errors import CommandError
from arm4r_policy.planning.trajectory import JointTrajectory

CURVATURE_SHARE = 0.5
"""Share of each joint's acceleration limit the speed ceiling lets path curvature use; the rest
stays free to speed up and slow down along the path."""


def time_parameterize(
    positions: np.ndarray,
    max_velocities: np.ndarray,
    max_accelerations: np.ndarray,
    tcp_positions: np.ndarray | None = None,
    max_tcp_speed: float | None = None,
) -> JointTrajectory:
    """Times and velocities for the waypoints ``positions``, at rest at both ends.

    Args:
        positions: (N, n) joint waypoints [rad], consecutive ones distinct, evenly spaced along
            the path for the best timing (any spacing keeps the limits).
        max_velocities: (n,) joint speed limits [rad/s].
        max_accelerations: (n,) joint acceleration limits [rad/s^2].
        tcp_positions: (N, 3) TCP positions [m] at the waypoints; needed with ``max_tcp_speed``.
        max_tcp_speed: TCP speed limit [m/s], or None.

    Returns:
        The trajectory; velocities at interior waypoints are the time-weighted blend of the two
        adjacent segment velocities (second-order accurate), zero at both ends.

    Raises:
        CommandError: malformed input or repeated waypoints.
    """
    positions, max_velocities, max_accelerations, tcp_steps = _checked_path(
        positions, max_velocities, max_accelerations, tcp_positions, max_tcp_speed
    )
    if len(positions) == 1:
        return JointTrajectory(np.zeros(1), positions, np.zeros_like(positions))
    steps = np.diff(positions, axis=0)
    path_speed = _path_speed_profile(
        steps, max_velocities, max_accelerations, tcp_steps, max_tcp_speed
    )
    speed_sums = path_speed[:-1] + path_speed[1:]
    # A single rest-to-rest segment has no speed inside; the scaling below sets its duration.
    durations = np.divide(2.0, speed_sums, out=np.ones_like(speed_sums), where=speed_sums > 0)
    velocity_ratio, acceleration_ratio = _limit_ratios(
        steps, durations, max_velocities, max_accelerations, tcp_steps, max_tcp_speed
    )
    durations *= max(velocity_ratio, np.sqrt(acceleration_ratio))
    segment_velocities = steps / durations[:, None]
    velocities = np.zeros_like(positions)
    velocities[1:-1] = (
        segment_velocities[:-1] * durations[1:, None]
        + segment_velocities[1:] * durations[:-1, None]
    ) / (durations[:-1] + durations[1:])[:, None]
    return JointTrajectory(np.r_[0.0, np.cumsum(durations)], positions, velocities)


def _checked_path(
    positions: np.ndarray,
    max_velocities: np.ndarray,
    max_accelerations: np.ndarray,
    tcp_positions: np.ndarray | None,
    max_tcp_speed: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Validated float arrays, with ``tcp_steps`` (N - 1,) [m] or None without a TCP limit."""
    positions = np.asarray(positions, dtype=float)
    if positions.ndim != 2 or len(positions) == 0 or not np.all(np.isfinite(positions)):
        raise CommandError(f"path positions have shape {positions.shape}; expected (N, n) finite")
    dof = positions.shape[1]
    limits = []
    for name, values in (
        ("max_velocities", max_velocities),
        ("max_accelerations", max_accelerations),
    ):
        values = np.asarray(values, dtype=float)
        if values.shape != (dof,) or not np.all(np.isfinite(values) & (values > 0.0)):
            raise CommandError(f"{name} = {values}; expected {dof} finite values > 0")
        limits.append(values)
    moves = np.max(np.abs(np.diff(positions, axis=0)), axis=1, initial=0.0)
    if np.any(moves == 0.0):
        index = int(np.argmin(moves))
        raise CommandError(f"path waypoints {index} and {index + 1} are equal; expected distinct")
    if max_tcp_speed is None:
        return positions, *limits, None
    tcp_positions = np.asarray(tcp_positions, dtype=float)
    if tcp_positions.shape != (len(positions), 3) or not max_tcp_speed > 0.0:
        raise CommandError(
            f"TCP positions of shape {tcp_positions.shape} with max_tcp_speed = {max_tcp_speed}; "
            f"expected ({len(positions)}, 3) [m] and a speed > 0 [m/s]"
        )
    return positions, *limits, np.linalg.norm(np.diff(tcp_positions, axis=0), axis=1)


def _path_speed_profile(
    steps: np.ndarray,
    max_velocities: np.ndarray,
    max_accelerations: np.ndarray,
    tcp_steps: np.ndarray | None,
    max_tcp_speed: float | None,
) -> np.ndarray:
    """(N,) path speed ds/dt [1/s] at the waypoints, s counting waypoints, 0 at both ends.

    ``steps`` (N - 1, n) [rad] are the joint changes per segment, i.e. dq/ds on each segment.
    """
    # dq/ds at a waypoint is bounded by its two adjacent segments; d2q/ds2 by their difference.
    slopes = np.abs(np.vstack([steps[:1], steps]))
    slopes = np.maximum(slopes, np.abs(np.vstack([steps, steps[-1:]])))
    curvature = np.zeros_like(slopes)
    curvature[1:-1] = np.abs(np.diff(steps, axis=0))

    with np.errstate(divide="ignore"):  # a joint that does not move has no bound
        inverse_slopes = 1.0 / slopes
        ceiling = np.min(
            np.minimum(
                (max_velocities * inverse_slopes) ** 2,
                CURVATURE_SHARE * max_accelerations / curvature,
            ),
            axis=1,
        )
        if tcp_steps is not None:
            tcp_slopes = np.maximum(
                np.r_[tcp_steps[:1], tcp_steps], np.r_[tcp_steps, tcp_steps[-1:]]
            )
            ceiling = np.minimum(ceiling, (max_tcp_speed / tcp_slopes) ** 2)
    ceiling[[0, -1]] = 0.0

    def path_acceleration(index: int, squared_speed: float) -> float:
        """Largest |d2s/dt2| at waypoint ``index`` moving with ds/dt = sqrt(squared_speed)."""
        spare = max_accelerations - curvature[index] * squared_speed  # > 0 below the ceiling
        return float(np.min(spare * inverse_slopes[index]))

    squared = ceiling.copy()
    for index in range(len(squared) - 1):  # accelerate
        reachable = squared[index] + 2.0 * path_acceleration(index, squared[index])
        squared[index + 1] = min(squared[index + 1], reachable)
    for index in range(len(squared) - 1, 0, -1):  # brake
        stoppable = squared[index] + 2.0 * path_acceleration(index, squared[index])
        squared[index - 1] = min(squared[index - 1], stoppable)
    return np.sqrt(squared)


def _limit_ratios(
    steps: np.ndarray,
    durations: np.ndarray,
    max_velocities: np.ndarray,
    max_accelerations: np.ndarray,
    tcp_steps: np.ndarray | None,
    max_tcp_speed: float | None,
) -> tuple[float, float]:
    """Largest finite-difference velocity and acceleration, each over its limit (module docs),
    for segments ``steps`` (N - 1, n) [rad] lasting ``durations`` (N - 1,) [s]."""
    segment_velocities = steps / durations[:, None]
    velocity_ratio = np.max(np.abs(segment_velocities) / max_velocities)
    if tcp_steps is not None:
        velocity_ratio = max(velocity_ratio, np.max(tcp_steps / durations) / max_tcp_speed)
    at_rest = np.zeros((1, steps.shape[1]))
    velocity_changes = np.diff(np.vstack([at_rest, segment_velocities, at_rest]), axis=0)
    midpoint_gaps = np.r_[durations[0], durations[:-1] + durations[1:], durations[-1]] / 2.0
    accelerations = velocity_changes / midpoint_gaps[:, None]
    acceleration_ratio = np.max(np.abs(accelerations) / max_accelerations)
    return float(velocity_ratio), float(acceleration_ratio)
