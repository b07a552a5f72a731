"""The chain ``B_i = X A_i Y``: exact on exact data, refined onto the corners from a poor start,
refused when the robot only turns about one axis."""

import cv2
import numpy as np
import pytest

from arm4r_policy.calibration.boards import BoardView
from arm4r_policy.calibration.hand_eye import (
    HandEyeSolution,
    chain_residuals,
    refine_hand_eye,
    solve_hand_eye,
)
from arm4r_policy.errors import CalibrationError
from arm4r_policy.runtime.pose import rotation_angle
from arm4r_policy.sim.transforms import make_pose, rot_x, rot_y, rot_z
from tests.unit.calibration.conftest import CHESSBOARD, TRUE_K

X = make_pose(rot_x(2.2) @ rot_z(0.4), (0.3, -0.8, 1.1))  # e.g. T_cam_base
Y = make_pose(rot_y(0.3) @ rot_x(-0.2), (0.02, 0.05, 0.12))  # e.g. T_ee_board


def robot_poses(count: int, seed: int) -> np.ndarray:
    """(count, 4, 4) end-effector poses turned about every axis, around (0.4, 0, 0.3) m."""
    rng = np.random.default_rng(seed)
    poses = []
    for _ in range(count):
        angles = rng.uniform(-0.5, 0.5, 3) * (2.0, 1.0, 1.0)
        rotation = rot_z(angles[0]) @ rot_y(angles[1]) @ rot_x(angles[2])
        poses.append(make_pose(rotation, np.add((0.4, 0.0, 0.3), rng.uniform(-0.3, 0.3, 3))))
    return np.stack(poses)


def assert_same_pose(actual, expected, position=1e-9, angle=1e-9):
    assert np.linalg.norm(actual[:3, 3] - expected[:3, 3]) < position
    assert rotation_angle(actual[:3, :3], expected[:3, :3]) < angle


def test_exact_poses_give_the_exact_links():
    a = robot_poses(6, seed=0)
    solution = solve_hand_eye(a, X @ a @ Y)
    assert_same_pose(solution.x, X)
    assert_same_pose(solution.y, Y)
    position, rotation = chain_residuals(solution, a, X @ a @ Y, np.array([0.1, 0.06, 0.0]))
    assert position.max() < 1e-9
    assert rotation.max() < 1e-9


def test_orientations_turning_about_one_axis_are_refused():
    turns = [make_pose(rot_z(angle), (0.4 + angle / 10, 0.1, 0.3)) for angle in (-0.6, 0, 0.3, 0.7)]
    a = np.stack(turns)
    with pytest.raises(CalibrationError, match="one axis only"):
        solve_hand_eye(a, X @ a @ Y)


def test_refinement_brings_a_poor_start_onto_the_corners():
    a = robot_poses(8, seed=1)
    views = []
    for board_in_camera in X @ a @ Y:
        rotation = cv2.Rodrigues(board_in_camera[:3, :3])[0]
        pixels = cv2.projectPoints(
            CHESSBOARD.object_points, rotation, board_in_camera[:3, 3], TRUE_K, np.zeros(5)
        )[0]
        views.append(BoardView(pixels.reshape(-1, 2), CHESSBOARD.object_points))
    start = HandEyeSolution(X @ make_pose(rot_y(0.03), (0.01, -0.02, 0.01)), Y)
    solution, rms = refine_hand_eye(start, a, views, TRUE_K, np.zeros(5))
    assert rms < 1e-3
    assert_same_pose(solution.x, X, position=1e-5, angle=1e-5)
    assert_same_pose(solution.y, Y, position=1e-5, angle=1e-5)
