"""One episode, real physics and planner: an oracle policy solves pick_cube through the safety
layer and the planner; refusals end episodes with their reason."""

import numpy as np
import pytest

from arm4r_policy.collect.scripted import CLOSED, OPEN
from arm4r_policy.collect.session import HOME_NOISE
from arm4r_policy.sim.robot import SimRobot
from arm4r_policy.sim.transforms import transform_points
from arm4r_training.evaluation import (
    PLANNING_REFUSED,
    SAFETY_REFUSED,
    Rollout,
    RolloutSettings,
    WorkspaceMargins,
    workspace_safety_limits,
)

from .oracle import SETTINGS, ConstantPolicy, CountingSimRobot, PickOracle


@pytest.fixture(scope="module")
def oracle_episode(pick_cube_cell):
    task, cell = pick_cube_cell
    robot = CountingSimRobot(cell, task)
    result = Rollout(robot, SETTINGS).run(PickOracle(robot), seed=1_000_000)
    return result, robot.gripper_commands


def test_an_oracle_policy_solves_pick_cube_through_safety_and_planner(oracle_episode):
    result, _ = oracle_episode
    assert result.success, result
    assert result.failure is None
    assert result.detail == ""
    assert result.planning_refusals == 0
    assert result.safety_refusals == 0
    assert result.safety_adjusted > 0  # the long first moves were shortened to 5 cm steps
    assert 5 < result.steps < SETTINGS.max_steps


def test_the_first_grasp_is_kept_where_the_oracle_closed_on_the_cube(oracle_episode):
    result, _ = oracle_episode
    assert result.grasp_offset is not None
    assert np.linalg.norm(result.grasp_offset) < 0.01, result.grasp_offset


def test_an_episode_that_never_closes_has_no_grasp_offset(pick_cube_cell):
    task, cell = pick_cube_cell
    robot = CountingSimRobot(cell, task)
    hold = np.r_[0.45, 0.0, 0.43, np.pi, 0.0, np.pi / 2, OPEN]
    result = Rollout(robot, RolloutSettings(("ego", "side"), 32, max_steps=3)).run(
        ConstantPolicy(hold), seed=3
    )
    assert result.grasp_offset is None


def test_the_gripper_is_commanded_only_when_the_binary_command_changes(oracle_episode):
    _, commands = oracle_episode
    assert commands == [CLOSED]


def test_non_finite_targets_end_the_episode_as_safety_refused_without_motion(pick_cube_cell):
    task, cell = pick_cube_cell
    robot = CountingSimRobot(cell, task)
    result = Rollout(robot, SETTINGS).run(ConstantPolicy([np.nan] * 7), seed=3)
    assert not result.success
    assert result.failure == SAFETY_REFUSED
    assert "not 7 finite values" in result.detail
    assert result.steps == result.safety_refusals == SETTINGS.max_consecutive_refusals
    assert result.sim_seconds == 0.0
    assert robot.gripper_commands == []


def test_an_unreachable_target_ends_the_episode_as_planning_refused(pick_cube_cell):
    task, cell = pick_cube_cell
    wide = WorkspaceMargins(horizontal_margin=3.0, ceiling=3.0)
    settings = RolloutSettings(("ego", "side"), 32, max_steps=60, margins=wide)
    robot = CountingSimRobot(cell, task)
    far_away = np.r_[2.5, 0.0, 0.3, np.pi, 0.0, 0.0, OPEN]  # base frame, beyond the arm's reach
    result = Rollout(robot, settings).run(ConstantPolicy(far_away), seed=3)
    assert result.failure == PLANNING_REFUSED
    assert "unreachable" in result.detail or "jumps" in result.detail
    assert result.planning_refusals >= settings.max_consecutive_refusals
    assert result.steps < settings.max_steps


def test_the_safety_box_holds_the_start_pose_and_every_object_position(pick_cube_cell):
    task, cell = pick_cube_cell
    limits = workspace_safety_limits(task.workspace, WorkspaceMargins())
    low, high = np.array(limits.workspace_min), np.array(limits.workspace_max)
    robot = SimRobot(cell, task, home_noise=HOME_NOISE)
    for seed in range(5):
        robot.home(seed)
        objects = [cell.object_pose(name)[0] for name in cell.objects]
        points = np.vstack([cell.tcp_pose[:3, 3], transform_points(cell.base_from_world, objects)])
        assert np.all((low <= points) & (points <= high)), (seed, points, low, high)
