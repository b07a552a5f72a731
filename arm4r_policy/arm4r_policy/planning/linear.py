"""Linear Cartesian motion by inverse kinematics: the TCP moves on a straight line and turns by
slerp from where it is to a target pose, or the motion is refused with the reason.

A pure function: nothing moves; a refusal raises ``PlanningError`` and returns nothing to execute.
"""

from __future__ import annotations

import numpy as np

from arm4r_policy.errors import CommandError, PlanningError
from arm4r_policy.planning.arm_model import ArmModel
from arm4r_policy.planning.cartesian import (
    checked_pose,
    interpolate_poses,
    pose_error,
    waypoint_fractions,
)
from arm4r_policy.planning.ik import LIMIT_MARGIN, IKResult, solve_ik
from arm4r_policy.planning.limits import LinearMotionLimits
from arm4r_policy.planning.timing import time_parameterize
from arm4r_policy.planning.trajectory import JointTrajectory


def plan_linear(
    model: ArmModel,
    q_start: np.ndarray,
    target_pose: np.ndarray,
    limits: LinearMotionLimits | None = None,
) -> JointTrajectory:
    """A timed joint trajectory moving the TCP in a straight line from ``fk(q_start)`` to a target.

    The TCP position is interpolated linearly and its orientation by slerp, with waypoints no
    further apart than ``limits.waypoint_spacing`` / ``limits.waypoint_angle``; each waypoint is
    solved by IK seeded with the previous solution, and the path is timed by
    ``time_parameterize`` with the arm's speed limits times ``limits.speed_scale``.

    Args:
        model: the arm.
        q_start: (n,) current joint angles [rad], within the limits.
        target_pose: (4, 4) TCP pose in the base frame.
        limits: speeds, waypoint spacing and tolerances; the defaults of ``LinearMotionLimits``
            when None.

    Returns:
        The trajectory, starting at ``q_start`` at t = 0 and at rest at both ends; the single
        waypoint ``q_start`` when the TCP is already at the target within the IK tolerances.

    Raises:
        PlanningError: ``q_start`` outside the joint limits; a waypoint IK cannot reach within
            tolerance (out of reach, or blocked by a joint limit, which is named); a joint jump
            above ``limits.max_joint_jump`` between consecutive waypoints.
        CommandError: malformed input (shapes, non-finite values, a target that is not a pose).
    """
    limits = LinearMotionLimits() if limits is None else limits
    if len(limits.joint_accelerations) != model.dof:
        raise CommandError(
            f"LinearMotionLimits.joint_accelerations has {len(limits.joint_accelerations)} "
            f"entries; the arm has {model.dof} joints"
        )
    q_start = _checked_start(model, q_start)
    target = checked_pose(target_pose, "linear motion target_pose")
    start_pose = model.fk(q_start)
    error = pose_error(target, start_pose)
    arrived = (
        np.linalg.norm(error[:3]) <= limits.position_tolerance
        and np.linalg.norm(error[3:]) <= limits.rotation_tolerance
    )
    fractions = (
        np.empty(0)
        if arrived
        else waypoint_fractions(start_pose, target, limits.waypoint_spacing, limits.waypoint_angle)
    )
    poses = interpolate_poses(start_pose, target, fractions)
    path = _follow_line(model, q_start, poses, fractions, limits)
    tcp_positions = np.array([model.fk(q)[:3, 3] for q in path])
    return time_parameterize(
        path,
        model.max_velocities * limits.speed_scale,
        np.asarray(limits.joint_accelerations),
        tcp_positions,
        limits.max_tcp_speed,
    )


def _checked_start(model: ArmModel, q_start: np.ndarray) -> np.ndarray:
    q_start = np.asarray(q_start, dtype=float)
    if q_start.shape != (model.dof,) or not np.all(np.isfinite(q_start)):
        raise CommandError(f"q_start = {q_start}; expected {model.dof} finite angles [rad]")
    lower, upper = model.joint_limits.T
    outside = (q_start < lower) | (q_start > upper)
    if np.any(outside):
        joint = int(np.argmax(outside))
        raise PlanningError(
            f"q_start joint {joint + 1} = {q_start[joint]:.4f} rad is outside its limits "
            f"[{lower[joint]:.4f}, {upper[joint]:.4f}]"
        )
    return q_start


def _follow_line(
    model: ArmModel,
    q_start: np.ndarray,
    poses: np.ndarray,
    fractions: np.ndarray,
    limits: LinearMotionLimits,
) -> np.ndarray:
    """(K + 1, n) joint path [rad]: ``q_start``, then IK of each pose of ``poses`` (K, 4, 4)."""
    path = [q_start]
    for index, (pose, fraction) in enumerate(zip(poses, fractions, strict=True), start=1):
        where = f"waypoint {index} of {len(poses)} ({fraction:.0%} of the path)"
        result = solve_ik(
            model, pose, path[-1], limits.position_tolerance, limits.rotation_tolerance
        )
        if not result.converged:
            raise PlanningError(_unreached(model, result, pose, poses[-1], where, limits))
        jumps = np.abs(result.q - path[-1])
        joint = int(np.argmax(jumps))
        if jumps[joint] > limits.max_joint_jump:
            raise PlanningError(
                f"joint {joint + 1} jumps {jumps[joint]:.3f} rad at {where}, above "
                f"max_joint_jump = {limits.max_joint_jump:.3f} rad: the straight line passes "
                "a singularity or needs another IK branch (e.g. a wrist flip)"
                + _near_limits(model, path[-1])
            )
        path.append(result.q)
    return np.array(path)


def _unreached(
    model: ArmModel,
    result: IKResult,
    pose: np.ndarray,
    target: np.ndarray,
    where: str,
    limits: LinearMotionLimits,
) -> str:
    """Why IK missed ``pose`` (4, 4): the residual, and the joints near a limit if any."""
    return (
        f"target TCP position {np.round(target[:3, 3], 4).tolist()} m is unreachable: {where} "
        f"at {np.round(pose[:3, 3], 4).tolist()} m keeps an IK residual of "
        f"{result.position_error * 1e3:.2f} mm / {np.degrees(result.rotation_error):.2f} deg "
        f"after {result.iterations} iterations (tolerance {limits.position_tolerance * 1e3:.2f} mm"
        f" / {np.degrees(limits.rotation_tolerance):.2f} deg)" + _near_limits(model, result.q)
    )


def _near_limits(model: ArmModel, q: np.ndarray) -> str:
    """'' or '; near a limit: joint j = ... rad, near its lower / upper limit ...' for the joints
    of ``q`` (n,) [rad] within ``ik.LIMIT_MARGIN`` of a limit, a likely reason a motion stops."""
    notes = [
        f"joint {joint + 1} = {q[joint]:.4f} rad, near its {side} limit {bounds[joint]:.4f} rad"
        for side, bounds in (
            ("lower", model.joint_limits[:, 0]),
            ("upper", model.joint_limits[:, 1]),
        )
        for joint in np.flatnonzero(np.abs(q - bounds) <= LIMIT_MARGIN)
    ]
    return f"; near a limit: {', '.join(notes)}" if notes else ""
