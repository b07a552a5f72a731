"""Poses for driver tests, written the way the runtime reads them."""

import numpy as np

from arm4r_policy.runtime.pose import euler_xyz_to_matrix


def pose(xyz, euler) -> np.ndarray:
    """(4, 4) pose at ``xyz`` [m] turned by intrinsic "XYZ" Euler angles ``euler`` [rad]."""
    matrix = np.eye(4)
    matrix[:3, :3] = euler_xyz_to_matrix(np.asarray(euler, dtype=float))
    matrix[:3, 3] = xyz
    return matrix
