"""Rotations written out independently of the package, for checking its answers."""

import math

import numpy as np


def axis_rotation(axis, angle):
    """(3, 3) rotation by ``angle`` [rad] about the unit ``axis`` (3,) (Rodrigues)."""
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1.0 - math.cos(angle)) * k @ k


def rotation_angle(a, b):
    """Angle [rad] between two (3, 3) rotations: |a - b|_F = 2 sqrt(2) sin(angle / 2)."""
    return 2.0 * math.asin(min(np.linalg.norm(a - b) / (2.0 * math.sqrt(2.0)), 1.0))
