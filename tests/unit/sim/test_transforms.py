import numpy as np
import pytest

from arm4r_policy.sim.transforms import (
    invert_pose,
    make_pose,
    matrix_to_quat,
    pose_to_xyz_euler,
    quat_to_matrix,
    rot_x,
    rot_y,
    rot_z,
    rpy_to_matrix,
    transform_points,
    xyz_euler_to_pose,
)


def _random_rotations(count, seed):
    quats = np.random.default_rng(seed).normal(size=(count, 4))
    return [quat_to_matrix(q) for q in quats]


def test_mujoco_quaternion_is_w_first_with_non_negative_w():
    half = np.pi / 8
    np.testing.assert_allclose(matrix_to_quat(rot_z(np.pi / 4)), [np.cos(half), 0, 0, np.sin(half)])


def test_quaternion_round_trips_with_non_negative_w():
    for rotation in _random_rotations(100, seed=1):
        quat = matrix_to_quat(rotation)
        assert quat[0] >= 0.0
        assert np.linalg.norm(quat) == pytest.approx(1.0)
        np.testing.assert_allclose(quat_to_matrix(quat), rotation, atol=1e-9)


def test_urdf_rpy_is_fixed_axis_roll_pitch_yaw():
    np.testing.assert_allclose(rpy_to_matrix((0.1, 0.2, 0.3)), rot_z(0.3) @ rot_y(0.2) @ rot_x(0.1))


def test_pose_inverse_and_point_transform_agree():
    pose = make_pose(_random_rotations(1, seed=2)[0], (0.1, -0.2, 0.3))
    points = np.random.default_rng(3).normal(size=(5, 3))
    np.testing.assert_allclose(
        transform_points(invert_pose(pose), transform_points(pose, points)), points
    )
    np.testing.assert_allclose(pose @ invert_pose(pose), np.eye(4), atol=1e-12)


def test_xyz_euler_vector_round_trips_through_a_pose():
    vector = np.array([0.4, 0.0, -0.3, 3.0, -0.5, 1.2])
    np.testing.assert_allclose(pose_to_xyz_euler(xyz_euler_to_pose(vector)), vector, atol=1e-12)
