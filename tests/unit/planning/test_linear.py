import math

import numpy as np
import pytest

from arm4r_policy.errors import PlanningError
from arm4r_policy.planning import LinearMotionLimits, plan_linear
from arm4r_policy.sim import CellConfig, SimCell
from arm4r_policy.sim.trajectory import sample_piecewise_linear

from .finite_differences import accelerations, segment_velocities
from .geometry import axis_rotation, rotation_angle

LIMITS = LinearMotionLimits()
SHIFT = np.array([0.1, 0.15, -0.1])  # [m], base frame
TURN_AXIS = np.array([1.0, 1.0, 0.0]) / math.sqrt(2.0)
TURN_ANGLE = math.radians(20.0)


def shifted_and_turned(pose):
    """``pose`` (4, 4) moved by ``SHIFT`` and turned by ``TURN_ANGLE`` about ``TURN_AXIS``."""
    target = pose.copy()
    target[:3, 3] += SHIFT
    target[:3, :3] = axis_rotation(TURN_AXIS, TURN_ANGLE) @ pose[:3, :3]
    return target


@pytest.fixture(scope="module")
def motion(arm):
    """(model, q_start, start pose, target pose, trajectory) of a 21 cm, 20 degree motion."""
    model, home = arm
    start = model.fk(home)
    target = shifted_and_turned(start)
    return model, home, start, target, plan_linear(model, home, target, LIMITS)


@pytest.fixture(scope="module")
def dense_tcp_poses(motion):
    """(S, 4, 4) TCP poses along the trajectory played piecewise-linearly, sampled every 2 ms."""
    model, _, _, _, trajectory = motion
    sample_times = np.arange(0.0, trajectory.duration, 0.002)
    positions, _ = sample_piecewise_linear(trajectory.times, trajectory.positions, sample_times)
    return np.array([model.fk(q) for q in positions])


def test_tcp_stays_on_the_straight_segment(motion, dense_tcp_poses):
    _, _, start, target, _ = motion
    direction = (target[:3, 3] - start[:3, 3]) / np.linalg.norm(target[:3, 3] - start[:3, 3])
    offsets = dense_tcp_poses[:, :3, 3] - start[:3, 3]
    along = offsets @ direction
    deviation = np.linalg.norm(offsets - along[:, None] * direction, axis=1)
    assert deviation.max() < 0.5e-3
    assert along.min() > -1e-4
    assert along.max() < np.linalg.norm(SHIFT) + 1e-4


def test_tcp_orientation_follows_the_slerp(motion, dense_tcp_poses):
    """At each sample the orientation is the start turned about the fixed axis in proportion to
    the distance travelled."""
    _, _, start, _, _ = motion
    fractions = np.linalg.norm(dense_tcp_poses[:, :3, 3] - start[:3, 3], axis=1) / np.linalg.norm(
        SHIFT
    )
    errors = [
        rotation_angle(pose[:3, :3], axis_rotation(TURN_AXIS, TURN_ANGLE * f) @ start[:3, :3])
        for pose, f in zip(dense_tcp_poses, fractions, strict=True)
    ]
    assert max(errors) < math.radians(0.5)


def test_trajectory_starts_at_the_current_joints_and_ends_at_the_target(motion):
    model, home, _, target, trajectory = motion
    np.testing.assert_array_equal(trajectory.positions[0], home)
    reached = model.fk(trajectory.positions[-1])
    assert np.linalg.norm(reached[:3, 3] - target[:3, 3]) <= LIMITS.position_tolerance
    assert rotation_angle(reached[:3, :3], target[:3, :3]) <= LIMITS.rotation_tolerance


def test_trajectory_respects_joint_limits_and_jump_threshold(motion):
    model, _, _, _, trajectory = motion
    assert np.all(trajectory.positions >= model.joint_limits[:, 0])
    assert np.all(trajectory.positions <= model.joint_limits[:, 1])
    assert np.abs(np.diff(trajectory.positions, axis=0)).max() <= LIMITS.max_joint_jump


def test_trajectory_respects_velocity_acceleration_and_tcp_speed_limits(motion):
    model, _, _, _, trajectory = motion
    times, positions = trajectory.times, trajectory.positions
    max_velocities = model.max_velocities * LIMITS.speed_scale
    assert np.all(np.abs(segment_velocities(times, positions)) <= max_velocities * (1 + 1e-9))
    assert np.all(np.abs(trajectory.velocities) <= max_velocities * (1 + 1e-9))
    max_accelerations = np.array(LIMITS.joint_accelerations)
    assert np.all(np.abs(accelerations(times, positions)) <= max_accelerations * (1 + 1e-9))
    tcp = np.array([model.fk(q)[:3, 3] for q in positions])
    tcp_speeds = np.linalg.norm(np.diff(tcp, axis=0), axis=1) / np.diff(times)
    assert tcp_speeds.max() <= LIMITS.max_tcp_speed * (1 + 1e-9)


def test_trajectory_starts_and_ends_at_rest(motion):
    _, _, _, _, trajectory = motion
    assert trajectory.times[0] == 0.0
    np.testing.assert_array_equal(trajectory.velocities[[0, -1]], 0.0)


def test_planning_is_deterministic(motion):
    model, home, _, target, trajectory = motion
    again = plan_linear(model, home, target, LIMITS)
    np.testing.assert_array_equal(again.times, trajectory.times)
    np.testing.assert_array_equal(again.positions, trajectory.positions)
    np.testing.assert_array_equal(again.velocities, trajectory.velocities)


def test_a_lower_speed_scale_gives_the_same_path_more_slowly(motion):
    model, home, _, target, trajectory = motion
    slow = plan_linear(model, home, target, LinearMotionLimits(speed_scale=0.1))
    np.testing.assert_array_equal(slow.positions, trajectory.positions)
    assert slow.duration > trajectory.duration


def test_target_two_metres_away_is_refused_as_unreachable(kinova, kinova_home):
    target = kinova.fk(kinova_home)
    target[:3, 3] += (2.0, 0.0, 0.0)
    with pytest.raises(
        PlanningError,
        match=r"target TCP position \[2\.4402, 0\.0014, 0\.105\] m is unreachable: waypoint \d+ "
        r"of 400 \(\d+% of the path\) at .* keeps an IK residual of \d+\.\d+ mm",
    ):
        plan_linear(kinova, kinova_home, target)


def test_target_beyond_a_joint_limit_is_refused_naming_the_joint(kinova, kinova_home):
    """The Gen3 elbow (joint 4) folds to -2.66 rad at most; this target needs -2.9 rad."""
    folded = kinova_home.copy()
    folded[3] = -2.9
    with pytest.raises(PlanningError, match=r"joint 4 = -2\.6\d+ rad, near its lower limit -2\.66"):
        plan_linear(kinova, kinova_home, kinova.fk(folded))


def test_target_needing_a_wrist_flip_is_refused_as_a_joint_jump(franka):
    """The Panda's joint 6 cannot pass below -0.0175 rad, where axes 5 and 7 align. A straight
    line to the pose at joint 6 = -0.2 rad meets that singularity, and the wrist would have to
    swing around it within one waypoint."""
    start = np.array([0.0, 0.3, 0.0, -1.8, 0.0, 0.2, 0.8])
    flipped = start.copy()
    flipped[5] = -0.2
    with pytest.raises(PlanningError, match=r"joint \d jumps \d\.\d+ rad at waypoint \d+ of \d+"):
        plan_linear(franka, start, franka.fk(flipped))


def test_start_outside_the_joint_limits_is_refused(franka, franka_home):
    start = franka_home.copy()
    start[3] = 0.0
    with pytest.raises(PlanningError, match=r"q_start joint 4 = 0\.0000 rad is outside"):
        plan_linear(franka, start, franka.fk(franka_home))


def test_motion_to_the_current_pose_is_a_single_waypoint(franka, franka_home):
    trajectory = plan_linear(franka, franka_home, franka.fk(franka_home))
    assert trajectory.duration == 0.0
    np.testing.assert_array_equal(trajectory.positions, [franka_home])


def test_planned_trajectory_brings_the_simulated_tcp_to_the_target(kinova):
    with SimCell(CellConfig.kinova()) as cell:
        cell.reset(seed=0)
        start = cell.joint_positions
        target = shifted_and_turned(cell.tcp_pose)
        trajectory = plan_linear(kinova, start, target)
        cell.execute_joint_trajectory(trajectory.times, trajectory.positions)
        reached = cell.tcp_pose
    assert np.linalg.norm(reached[:3, 3] - target[:3, 3]) < 5e-3
    assert rotation_angle(reached[:3, :3], target[:3, :3]) < math.radians(2.0)
