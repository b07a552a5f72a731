"""Inverse kinematics by damped least squares on the arm's Jacobian.

Each iteration solves ``J dq = e`` for the pose error ``e`` (``cartesian.pose_error``) with the
singular-value-filtered pseudo-inverse, adds a secondary motion in the Jacobian's null space (a
pull toward the seed, which keeps a redundant arm on the seed's branch, and a push away from
nearby joint limits), blocks joints that the step would carry past a limit, clamps the step, and
keeps the angles within the limits (a continuous joint wraps by a full turn instead of stopping).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import CommandError
from arm4r_policy.planning.arm_model import FULL_TURN, ArmModel
from arm4r_policy.planning.cartesian import checked_pose, pose_error

MAX_STEP = 0.2
"""Largest change of any joint in one iteration [rad]."""
SINGULAR_THRESHOLD = 0.05
"""Damping starts when the smallest singular value of J falls below this [m/rad, rad/rad]."""
MAX_DAMPING = 0.05
"""Damping factor lambda at a singularity; it fades to 0 at ``SINGULAR_THRESHOLD``."""
SEED_GAIN = 0.1
"""Fraction of the distance to the seed covered per iteration in the null space [1/iteration]."""
LIMIT_MARGIN = 0.1
"""Joints closer than this to a limit are pushed back in the null space [rad]."""
LIMIT_GAIN = 0.5
"""Fraction of the intrusion into ``LIMIT_MARGIN`` undone per iteration [1/iteration]."""


@dataclass(frozen=True, eq=False)
class IKResult:
    """Outcome of ``solve_ik``.

    Attributes:
        q: (n,) joint angles [rad], within the limits; the last iterate when not converged.
        position_error: distance [m] from the TCP position at ``q`` to the target's.
        rotation_error: angle [rad] of the rotation from the TCP orientation at ``q`` to the
            target's.
        iterations: Jacobian steps taken.
        converged: both errors are within their tolerances.
    """

    q: np.ndarray
    position_error: float
    rotation_error: float
    iterations: int
    converged: bool


def solve_ik(
    model: ArmModel,
    target_pose: np.ndarray,
    q_seed: np.ndarray,
    position_tolerance: float = 1e-4,
    rotation_tolerance: float = 1e-3,
    max_iterations: int = 100,
) -> IKResult:
    """Joint angles that put the TCP at ``target_pose``, found locally from ``q_seed``.

    Args:
        model: the arm.
        target_pose: (4, 4) TCP pose in the base frame.
        q_seed: (n,) start [rad]; clipped into the limits. The null-space pull keeps a redundant
            arm near it, and a continuous joint ends on the full-turn equivalent angle nearest to
            it that lies within the limits, so the answer never jumps by 2 pi.
        position_tolerance: [m].
        rotation_tolerance: [rad].
        max_iterations: Jacobian steps before giving up.

    Raises:
        CommandError: a malformed target or seed.
    """
    target = checked_pose(target_pose, "IK target_pose")
    seed = np.asarray(q_seed, dtype=float)
    if seed.shape != (model.dof,) or not np.all(np.isfinite(seed)):
        raise CommandError(f"IK q_seed = {seed}; expected {model.dof} finite angles [rad]")
    seed = np.clip(seed, model.joint_limits[:, 0], model.joint_limits[:, 1])
    q = seed.copy()
    iterations = 0
    while True:
        error = pose_error(target, model.fk(q))
        position_error = float(np.linalg.norm(error[:3]))
        rotation_error = float(np.linalg.norm(error[3:]))
        converged = position_error <= position_tolerance and rotation_error <= rotation_tolerance
        if converged or iterations == max_iterations:
            break
        q = _step(model, q, error, seed)
        iterations += 1
    return IKResult(
        _nearest_turn(model, q, seed), position_error, rotation_error, iterations, converged
    )


def _step(model: ArmModel, q: np.ndarray, error: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """One damped least-squares iteration from ``q`` (n,) toward the pose ``error`` (6,)."""
    jacobian = model.jacobian(q)
    to_seed = seed - q
    # A continuous joint is as near its seed as the nearest of the seed's full-turn equivalents.
    to_seed = np.where(model.continuous_joints, (to_seed + np.pi) % FULL_TURN - np.pi, to_seed)
    secondary = SEED_GAIN * to_seed + _limit_push(model, q)
    step = _damped_step(jacobian, error, secondary)
    blocked = _blocked_joints(model, q, step)
    if np.any(blocked):
        step = _damped_step(
            np.where(blocked, 0.0, jacobian), error, np.where(blocked, 0.0, secondary)
        )
    largest = float(np.max(np.abs(step)))
    if largest > MAX_STEP:
        step *= MAX_STEP / largest
    return _within_limits(model, q + step)


def _damped_step(jacobian: np.ndarray, error: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """(n,) joint step: damped pseudo-inverse of ``jacobian`` (6, n) applied to ``error`` (6,),
    plus ``secondary`` (n,) projected onto the null space of ``jacobian``.

    The projection is the exact one, undamped, so the secondary motion never disturbs the pose
    to first order, even where damping slows the primary task down."""
    u, singular, vt = np.linalg.svd(jacobian, full_matrices=False)
    smallest = singular[-1]
    damping = (
        0.0
        if smallest >= SINGULAR_THRESHOLD
        else (1.0 - (smallest / SINGULAR_THRESHOLD) ** 2) * MAX_DAMPING**2
    )
    # Near the target a small error needs no damping (the step clamp bounds it anyway); without
    # this a pose close to a singularity would converge at the rate sigma^2 / lambda^2.
    damping = min(damping, float(error @ error))
    squared = singular**2 + damping
    task = vt.T @ (singular / squared * (u.T @ error))
    null_space = secondary - vt.T @ (vt @ secondary)
    return task + null_space


def _limit_push(model: ArmModel, q: np.ndarray) -> np.ndarray:
    """(n,) joint velocity [rad/iteration] away from limits closer than ``LIMIT_MARGIN``."""
    lower, upper = model.joint_limits.T
    from_lower = np.maximum(LIMIT_MARGIN - (q - lower), 0.0)
    from_upper = np.maximum(LIMIT_MARGIN - (upper - q), 0.0)
    return LIMIT_GAIN * (from_lower - from_upper)


def _blocked_joints(model: ArmModel, q: np.ndarray, step: np.ndarray) -> np.ndarray:
    """(n,) bool: non-continuous joints that ``step`` would carry past a limit."""
    lower, upper = model.joint_limits.T
    beyond = (q + step < lower) | (q + step > upper)
    return beyond & ~model.continuous_joints


def _within_limits(model: ArmModel, q: np.ndarray) -> np.ndarray:
    """``q`` (n,) clamped into the limits; a continuous joint past a limit wraps by a full turn."""
    lower, upper = model.joint_limits.T
    wrapped = q - FULL_TURN * np.sign(q - np.clip(q, lower, upper))
    q = np.where(model.continuous_joints, wrapped, q)
    return np.clip(q, lower, upper)


def _nearest_turn(model: ArmModel, q: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """``q`` (n,) with each continuous joint moved by whole turns to be nearest to ``seed``,
    where that stays within the limits."""
    turns = np.round((seed - q) / FULL_TURN)
    shifted = q + FULL_TURN * turns
    lower, upper = model.joint_limits.T
    usable = model.continuous_joints & (shifted >= lower) & (shifted <= upper)
    return np.where(usable, shifted, q)
