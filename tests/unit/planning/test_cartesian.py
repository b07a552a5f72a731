import math

import numpy as np
import pytest

from arm4r_policy.planning import interpolate_poses, pose_error
from arm4r_policy.planning.cartesian import checked_pose, rotation_vector, waypoint_fractions
from arm4r_policy.sim.transforms import make_pose, rot_x, rot_y, rot_z

from .geometry import axis_rotation


def test_rotation_vector_is_axis_times_angle_up_to_pi():
    axis = np.array([1.0, 2.0, -2.0]) / 3.0
    for angle in (0.0, 1e-9, 0.3, 2.0, math.pi - 1e-6):
        np.testing.assert_allclose(
            rotation_vector(axis_rotation(axis, angle)), angle * axis, atol=1e-9
        )


def test_pose_error_is_the_translation_and_base_frame_rotation_to_the_target():
    start = make_pose(rot_y(0.4), (0.1, 0.2, 0.3))
    target = make_pose(rot_z(0.25) @ rot_y(0.4), (0.15, 0.2, 0.1))
    np.testing.assert_allclose(
        pose_error(target, start), [0.05, 0.0, -0.2, 0.0, 0.0, 0.25], atol=1e-12
    )


def test_interpolated_orientations_turn_at_a_constant_rate_about_a_fixed_axis():
    axis = np.array([0.0, 0.6, 0.8])
    start = make_pose(rot_x(0.3), (0.0, 0.0, 0.0))
    end = make_pose(axis_rotation(axis, 1.2) @ rot_x(0.3), (0.0, 0.0, 0.0))
    fractions = np.linspace(0.0, 1.0, 7)
    for fraction, pose in zip(fractions, interpolate_poses(start, end, fractions), strict=True):
        np.testing.assert_allclose(
            pose[:3, :3], axis_rotation(axis, 1.2 * fraction) @ rot_x(0.3), atol=1e-12
        )


def test_interpolated_poses_lie_on_the_segment_and_end_at_the_target():
    start = make_pose(np.eye(3), (0.0, 0.0, 0.0))
    end = make_pose(rot_z(math.pi / 2), (0.3, -0.3, 0.6))
    poses = interpolate_poses(start, end, np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(poses[1][:3, 3], [0.15, -0.15, 0.3])
    np.testing.assert_allclose(poses[1][:3, :3], rot_z(math.pi / 4), atol=1e-12)
    np.testing.assert_allclose(poses[0], start, atol=1e-12)
    np.testing.assert_allclose(poses[2], end, atol=1e-12)


def test_waypoints_respect_both_spacings_and_end_at_one():
    start = np.eye(4)
    by_distance = make_pose(rot_z(0.01), (0.1, 0.0, 0.0))
    by_angle = make_pose(rot_z(1.0), (0.001, 0.0, 0.0))
    np.testing.assert_allclose(
        waypoint_fractions(start, by_distance, 0.005, 0.05), np.arange(1, 21) / 20
    )
    assert len(waypoint_fractions(start, by_angle, 0.005, 0.05)) == 20
    assert len(waypoint_fractions(start, start, 0.005, 0.05)) == 0


def test_only_rigid_transforms_pass_as_poses():
    assert checked_pose(make_pose(rot_x(1.0), (1, 2, 3)), "pose").shape == (4, 4)
    sheared = np.eye(4)
    sheared[0, 1] = 0.1
    for bad in (np.eye(3), sheared, np.full((4, 4), np.inf)):
        with pytest.raises(ValueError, match="target"):
            checked_pose(bad, "target")
