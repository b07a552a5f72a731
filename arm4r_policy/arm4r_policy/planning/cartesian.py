"""Straight-line motion between two poses: the error between poses and the waypoints.

Poses are (4, 4) homogeneous matrices in the robot base frame; quaternions are ``(x, y, z, w)`` as
in ``arm4r_policy.runtime.pose``, which does every matrix / quaternion conversion used here.
"""

from __future__ import annotations

import math

import numpy as np

from arm4r_policy.errors import CommandError
from arm4r_policy.runtime.pose import matrix_to_quat_xyzw, slerp_matrix

# Below this |sin| of the half angle a rotation vector is taken as twice the quaternion's vector.
_SMALL_HALF_ANGLE = 1e-12
# Tolerance on R^T R = I and det R = 1 for a pose handed to the planner.
_ROTATION_TOLERANCE = 1e-6


def checked_pose(pose: np.ndarray, what: str) -> np.ndarray:
    """``pose`` as a (4, 4) float array, checked to be a finite rigid transform.

    Raises:
        CommandError: naming ``what`` and the defect.
    """
    pose = np.asarray(pose, dtype=float)
    if pose.shape != (4, 4) or not np.all(np.isfinite(pose)):
        raise CommandError(f"{what} has shape {pose.shape}; expected a finite (4, 4) pose")
    rotation = pose[:3, :3]
    orthogonality = float(np.max(np.abs(rotation.T @ rotation - np.eye(3))))
    if (
        orthogonality > _ROTATION_TOLERANCE
        or abs(np.linalg.det(rotation) - 1.0) > _ROTATION_TOLERANCE
        or not np.array_equal(pose[3], [0.0, 0.0, 0.0, 1.0])
    ):
        raise CommandError(
            f"{what} is not a rigid transform: |R^T R - I| = {orthogonality:.2e}, "
            f"det R = {np.linalg.det(rotation):.6f}, last row {pose[3].tolist()}; "
            f"expected a rotation (tolerance {_ROTATION_TOLERANCE}) and last row (0, 0, 0, 1)"
        )
    return pose


def rotation_vector(rotation: np.ndarray) -> np.ndarray:
    """(3,) axis * angle [rad] of a (3, 3) rotation, angle in [0, pi]."""
    quat = matrix_to_quat_xyzw(rotation)  # w >= 0, so the half angle is in [0, pi/2]
    sine = float(np.linalg.norm(quat[:3]))
    if sine < _SMALL_HALF_ANGLE:
        return 2.0 * quat[:3]
    return quat[:3] * (2.0 * math.atan2(sine, quat[3]) / sine)


def pose_error(target: np.ndarray, pose: np.ndarray) -> np.ndarray:
    """(6,) twist taking ``pose`` to ``target`` (both (4, 4)), base frame.

    Position difference (3,) [m], then the rotation vector (3,) [rad] of ``R_target R_pose^T``.
    """
    return np.concatenate(
        [target[:3, 3] - pose[:3, 3], rotation_vector(target[:3, :3] @ pose[:3, :3].T)]
    )


def interpolate_poses(start: np.ndarray, end: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """(K, 4, 4) poses on the straight line from ``start`` to ``end`` (4, 4) at ``fractions`` (K,).

    Positions are interpolated linearly, orientations by slerp.
    """
    fractions = np.asarray(fractions, dtype=float)
    poses = np.tile(np.eye(4), (len(fractions), 1, 1))
    poses[:, :3, :3] = slerp_matrix(start[:3, :3], end[:3, :3], fractions)
    poses[:, :3, 3] = start[:3, 3] + fractions[:, None] * (end[:3, 3] - start[:3, 3])
    return poses


def waypoint_fractions(
    start: np.ndarray, end: np.ndarray, spacing: float, angle_spacing: float
) -> np.ndarray:
    """(K,) evenly spaced path fractions in (0, 1], the last one 1; empty when the poses coincide.

    K is the fewest segments such that no segment moves more than ``spacing`` [m] or turns more
    than ``angle_spacing`` [rad].
    """
    error = pose_error(end, start)
    count = max(
        math.ceil(np.linalg.norm(error[:3]) / spacing),
        math.ceil(np.linalg.norm(error[3:]) / angle_spacing),
    )
    return np.arange(1, count + 1) / max(count, 1)
