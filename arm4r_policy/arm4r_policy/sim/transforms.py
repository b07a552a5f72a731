"""Rigid-body transforms: rotations, quaternions (w, x, y, z), Euler angles and 4x4 poses.

Conventions used throughout ``arm4r_policy.sim``:

- ``rpy`` is the URDF convention: fixed-axis roll, pitch, yaw,
  ``R = Rz(yaw) @ Ry(pitch) @ Rx(roll)``.
- ``euler_xyz`` is intrinsic X-Y-Z, ``R = Rx(a) @ Ry(b) @ Rz(c)``; this is the orientation part of
  an end-effector pose ``(x, y, z, a, b, c)`` (``arm4r_policy.runtime.pose`` implements it).
- Quaternions are MuJoCo's ``(w, x, y, z)``, unit norm; ROS messages use ``(x, y, z, w)``.
- A pose ``T_a_b`` is a (4, 4) homogeneous matrix mapping coordinates in frame b to frame a.
"""

from __future__ import annotations

import numpy as np

from arm4r_policy.runtime.pose import (
    euler_xyz_to_matrix,
    matrix_to_euler_xyz,
    matrix_to_quat_xyzw,
    quat_xyzw_to_matrix,
)


def rot_x(angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` [rad] about x."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` [rad] about y."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` [rad] about z."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rpy_to_matrix(rpy: np.ndarray) -> np.ndarray:
    """(3, 3) rotation of URDF ``rpy`` (3,) [rad]: ``Rz(yaw) @ Ry(pitch) @ Rx(roll)``."""
    roll, pitch, yaw = np.asarray(rpy, dtype=float)
    return rot_z(yaw) @ rot_y(pitch) @ rot_x(roll)


def quat_to_matrix(quat: np.ndarray) -> np.ndarray:
    """(3, 3) rotation of a quaternion (4,) ``(w, x, y, z)``; the input is normalised first."""
    return quat_xyzw_to_matrix(np.roll(np.asarray(quat, dtype=float), -1))


def matrix_to_quat(rotation: np.ndarray) -> np.ndarray:
    """Unit quaternion (4,) ``(w, x, y, z)`` with ``w >= 0`` of a (3, 3) rotation."""
    return np.roll(matrix_to_quat_xyzw(rotation), 1)


def make_pose(rotation: np.ndarray, position: np.ndarray) -> np.ndarray:
    """(4, 4) pose from a (3, 3) rotation and a (3,) position [m]."""
    pose = np.eye(4)
    pose[:3, :3] = rotation
    pose[:3, 3] = position
    return pose


def invert_pose(pose: np.ndarray) -> np.ndarray:
    """Inverse of a (4, 4) rigid pose, using the transpose of its rotation."""
    rotation = pose[:3, :3]
    return make_pose(rotation.T, -rotation.T @ pose[:3, 3])


def pose_to_xyz_euler(pose: np.ndarray) -> np.ndarray:
    """(6,) ``(x, y, z [m], a, b, c [rad])`` of a (4, 4) pose, Euler intrinsic X-Y-Z."""
    return np.concatenate([pose[:3, 3], matrix_to_euler_xyz(pose[:3, :3])])


def xyz_euler_to_pose(xyz_euler: np.ndarray) -> np.ndarray:
    """(4, 4) pose of ``(x, y, z [m], a, b, c [rad])``, Euler intrinsic X-Y-Z."""
    values = np.asarray(xyz_euler, dtype=float)
    return make_pose(euler_xyz_to_matrix(values[3:]), values[:3])


def transform_points(pose: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a (4, 4) pose to points (..., 3) [m]; returns (..., 3)."""
    points = np.asarray(points, dtype=float)
    return points @ pose[:3, :3].T + pose[:3, 3]
