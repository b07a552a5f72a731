"""Robot-world hand-eye calibration: the two constant poses of a chain ``B_i = X A_i Y``.

A camera watches a board while the robot moves. Per view ``i`` the robot reports a pose ``A_i``
and the camera measures the board's pose ``B_i`` (camera frame); two unknown rigid links close the
chain:

- fixed camera, board held by the gripper: ``T_cam_board = T_cam_base T_base_ee,i T_ee_board``,
  so ``A_i = T_base_ee,i``, ``X = T_cam_base``, ``Y = T_ee_board``;
- wrist camera, board fixed in the cell: ``T_cam_board = T_cam_ee T_ee_base,i T_base_board``,
  so ``A_i = T_base_ee,i^-1``, ``X = T_cam_ee``, ``Y = T_base_board``.

First in closed form (``solve_hand_eye``: the Kronecker method of Li, Wang and Wu, "Simultaneous
robot-world and hand-eye calibration using dual-quaternions and Kronecker product", 2010; OpenCV's
``CALIB_ROBOT_WORLD_HAND_EYE_LI``, which the OpenCV 5 Python module does not expose): the rotations
from the null vector of a linear system, projected onto SO(3), then both translations by linear
least squares. That fit weighs every ``B_i`` alike, although a board's distance from the camera is
measured far less well than its position across the image; ``refine_hand_eye`` then moves ``X``
and ``Y`` to minimise the reprojection error of every board corner in every image (Levenberg-
Marquardt), which in simulation brings the camera pose from a few millimetres to below one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import cv2
import numpy as np

from arm4r_policy.calibration.boards import BoardView
from arm4r_policy.errors import CalibrationError
from arm4r_policy.runtime.pose import rotation_angle
from arm4r_policy.sim.transforms import make_pose

__all__ = [
    "MIN_CONDITIONING",
    "HandEyeSolution",
    "chain_residuals",
    "refine_hand_eye",
    "solve_hand_eye",
]

MIN_CONDITIONING = 0.05
"""Smallest ratio of the translation system's extreme singular values accepted. Below it the
robot's orientations turn about one axis only (or not at all), which leaves a translation along
that axis undetermined."""
MAX_ITERATIONS = 50
"""Levenberg-Marquardt steps at most."""


class HandEyeSolution(NamedTuple):
    """``X``, ``Y`` (4, 4) of ``B_i = X A_i Y``."""

    x: np.ndarray
    y: np.ndarray


def _nearest_rotation(matrix: np.ndarray) -> np.ndarray:
    """The rotation closest to ``matrix`` (3, 3) in the Frobenius norm."""
    u, _, vt = np.linalg.svd(matrix)
    return u @ np.diag([1.0, 1.0, np.linalg.det(u @ vt)]) @ vt


def solve_hand_eye(a: np.ndarray, b: np.ndarray) -> HandEyeSolution:
    """Least-squares ``X``, ``Y`` with ``B_i = X A_i Y`` for poses ``a``, ``b`` (N, 4, 4), N >= 3.

    Raises:
        CalibrationError: the orientations ``A_i`` do not vary about two axes at least.
    """
    ra, rb = a[:, :3, :3], b[:, :3, :3]
    # R_X R_Ai = R_Bi R_Y^T, i.e. with column-major vec:
    # (R_Ai^T kron I) vec(R_X) - (I kron R_Bi) vec(R_Y^T) = 0.
    eye = np.eye(3)
    system = np.concatenate(
        [
            np.hstack([np.kron(r_a.T, eye), -np.kron(eye, r_b)])
            for r_a, r_b in zip(ra, rb, strict=True)
        ]
    )
    null = np.linalg.svd(system)[2][-1]
    rx = null[:9].reshape(3, 3, order="F")
    scale = np.cbrt(np.linalg.det(rx))
    rx = _nearest_rotation(rx / scale)
    ry = _nearest_rotation(null[9:].reshape(3, 3, order="F").T / scale)
    # t_Bi = R_X R_Ai t_Y + t_X + R_X t_Ai
    translation_system = np.concatenate([np.hstack([eye, rx @ r_a]) for r_a in ra])
    singular = np.linalg.svd(translation_system, compute_uv=False)
    if singular[-1] < MIN_CONDITIONING * singular[0]:
        raise CalibrationError(
            "the robot's orientations over the views turn about one axis only (conditioning "
            f"{singular[-1] / singular[0]:.3f} < {MIN_CONDITIONING}): tilt the board about two "
            "different axes between views"
        )
    rhs = np.concatenate(
        [t_b - rx @ t_a for t_a, t_b in zip(a[:, :3, 3], b[:, :3, 3], strict=True)]
    )
    t = np.linalg.lstsq(translation_system, rhs, rcond=None)[0]
    return HandEyeSolution(make_pose(rx, t[:3]), make_pose(ry, t[3:]))


def chain_residuals(
    solution: HandEyeSolution, a: np.ndarray, b: np.ndarray, point: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per view, how far ``X A_i Y`` lies from ``B_i``: the distance (N,) [m] between where
    they put ``point`` (3,) [m, in Y's source frame], and the angle (N,) [rad] between them."""
    predicted = solution.x @ a @ solution.y
    position = np.linalg.norm(
        (predicted - b)[:, :3, :3] @ point + (predicted - b)[:, :3, 3], axis=-1
    )
    return position, rotation_angle(predicted[:, :3, :3], b[:, :3, :3])


def _moved(pose: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """``pose`` (4, 4) moved by ``delta`` (6,): a rotation vector [rad] and a translation [m],
    both in its own frame."""
    return pose @ make_pose(cv2.Rodrigues(delta[:3])[0], delta[3:])


def refine_hand_eye(
    solution: HandEyeSolution,
    a: np.ndarray,
    views: Sequence[BoardView],
    camera_matrix: np.ndarray,
    distortion: np.ndarray,
) -> tuple[HandEyeSolution, float]:
    """``X``, ``Y`` that minimise the corners' reprojection error, from ``solution``.

    Args:
        solution: the start, e.g. ``solve_hand_eye``'s.
        a: (N, 4, 4) the robot's poses ``A_i``.
        views: the board's corners in each of the N images.
        camera_matrix, distortion: the camera's intrinsics (OpenCV pinhole model).

    Returns:
        The refined solution and its RMS reprojection error over all corners [px].
    """

    def residuals(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        errors = []
        for a_i, view in zip(a, views, strict=True):
            board_in_camera = x @ a_i @ y
            rotation = cv2.Rodrigues(board_in_camera[:3, :3])[0]
            projected = cv2.projectPoints(
                view.object_points, rotation, board_in_camera[:3, 3], camera_matrix, distortion
            )[0]
            errors.append((projected.reshape(-1, 2) - view.image_points).reshape(-1))
        return np.concatenate(errors)

    x, y = solution
    error = residuals(x, y)
    damping, step = 1e-3, 1e-6
    for _ in range(MAX_ITERATIONS):
        jacobian = np.empty((error.size, 12))
        for k, delta in enumerate(np.eye(12) * step):
            jacobian[:, k] = (residuals(_moved(x, delta[:6]), _moved(y, delta[6:])) - error) / step
        normal, gradient = jacobian.T @ jacobian, jacobian.T @ error
        while damping < 1e6:
            update = np.linalg.solve(normal + damping * np.diag(np.diag(normal)), -gradient)
            x_new, y_new = _moved(x, update[:6]), _moved(y, update[6:])
            error_new = residuals(x_new, y_new)
            if error_new @ error_new < error @ error:
                break
            damping *= 10.0
        else:
            break  # no step lowers the error: at the minimum
        converged = error @ error - error_new @ error_new < 1e-10 * (error @ error)
        x, y, error, damping = x_new, y_new, error_new, max(damping / 10.0, 1e-9)
        if converged:
            break
    return HandEyeSolution(x, y), float(np.sqrt(2.0 * np.mean(error**2)))
