"""The step API: deterministic resets, accurate joint tracking, observations in the base frame."""

import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.sim import forward_kinematics
from arm4r_policy.sim.transforms import pose_to_xyz_euler

CELLS = ["kinova_cell", "franka_cell"]


@pytest.fixture(params=CELLS)
def cell(request):
    cell = request.getfixturevalue(request.param)
    cell.reset(seed=0)
    return cell


def test_reset_without_noise_starts_exactly_at_home_with_the_gripper_open(cell):
    cell.step(50)
    cell.reset(seed=5)
    np.testing.assert_allclose(cell.joint_positions, cell.config.home)
    assert cell.time == 0.0
    assert cell.gripper_width == pytest.approx(cell.robot.gripper.stroke)


def test_reset_is_deterministic_for_a_seed_and_varies_across_seeds(cell):
    def rollout(seed):
        cell.reset(seed=seed, home_noise=0.05)
        start = cell.joint_positions
        cell.set_gripper(0.5)
        cell.step(100)
        return start, cell.data.qpos.copy()

    first, second, other = rollout(7), rollout(7), rollout(8)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.allclose(first[0], other[0])
    assert np.all(np.abs(first[0] - cell.config.home) <= 0.05)


def test_smooth_joint_trajectory_is_tracked_within_two_milliradians(cell):
    # A planner-like trajectory: 40 waypoints of a cosine blend, every joint moving at once.
    times = np.linspace(0.05, 2.0, 40)
    blend = (1.0 - np.cos(np.pi * times / times[-1]))[:, None] / 2.0
    offsets = np.array([0.3, -0.2, 0.25, 0.25, -0.3, 0.2, 0.4])
    waypoints = np.asarray(cell.config.home) + blend * offsets
    report = cell.execute_joint_trajectory(times=times, positions=waypoints)
    assert report.max_error < 2e-3
    assert report.final_error < 2e-4
    assert report.duration == pytest.approx(2.3, abs=cell.model.opt.timestep)
    reached = forward_kinematics(cell.robot, waypoints[-1]).tcp[:3, 3]
    np.testing.assert_allclose(cell.tcp_pose[:3, 3], reached, atol=5e-4)


def test_joint_targets_are_reached_by_stepping(cell):
    target = np.asarray(cell.config.home) + 0.1
    cell.set_joint_targets(target)
    cell.step(500)
    np.testing.assert_allclose(cell.joint_positions, target, atol=2e-3)


def test_observation_reports_the_tcp_pose_of_the_measured_joints_in_the_base_frame(cell):
    cell.reset(seed=1, home_noise=0.1)
    cell.set_joint_targets(cell.config.home)
    cell.step(20)  # mid-motion: poses must match these joint angles, not the previous step's
    obs = cell.observe(image_size=(64, 48))
    pose = forward_kinematics(cell.robot, obs.joint_positions)
    np.testing.assert_allclose(obs.ee_pose, pose_to_xyz_euler(pose.tcp), atol=1e-9)
    np.testing.assert_allclose(obs.flange_pose, pose_to_xyz_euler(pose.flange), atol=1e-9)
    world_tcp = cell.data.site("tcp").xpos
    np.testing.assert_allclose(
        cell.base_pose[:3, :3] @ obs.ee_pose[:3] + cell.base_pose[:3, 3], world_tcp
    )
    assert obs.proprio.shape == (7,)
    assert obs.proprio[-1] == obs.gripper_closure == pytest.approx(0.0, abs=1e-3)


def test_reading_state_and_rendering_never_change_a_rollout(cell):
    def rollout(observe):
        cell.reset(seed=3, home_noise=0.1)
        cell.set_joint_targets(cell.config.home)
        for _ in range(5):
            cell.step(10)
            if observe:
                cell.observe(image_size=(32, 24))
        return cell.data.qpos.copy(), cell.data.qvel.copy()

    quiet, watched = rollout(observe=False), rollout(observe=True)
    np.testing.assert_array_equal(quiet[0], watched[0])
    np.testing.assert_array_equal(quiet[1], watched[1])


def test_commands_outside_the_limits_are_rejected(cell):
    limits = cell.robot.chain.joint_limits
    with pytest.raises(CommandError, match="joint 2"):
        cell.set_joint_targets(np.r_[limits[0, 0], limits[1, 1] + 0.1, limits[2:, 0]])
    with pytest.raises(CommandError, match="closure"):
        cell.set_gripper(1.2)
    with pytest.raises(CommandError, match="times"):
        cell.execute_joint_trajectory(times=[1.0, 0.5], positions=np.tile(cell.config.home, (2, 1)))
    with pytest.raises(CommandError, match="home_noise"):
        cell.reset(seed=0, home_noise=-0.1)
