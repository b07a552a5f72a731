import os

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np
import pytest

from arm4r_policy.errors import PlanningError
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.robot import SimRobot
from arm4r_policy.sim.tasks import make_task


@pytest.fixture(scope="module")
def robot():
    task = make_task("kinova", "pick_cube", "yellow")
    with SimCell(task.workspace.config(), objects=task.objects) as cell:
        yield SimRobot(cell, task)


def test_a_move_to_the_current_pose_holds_still(robot):
    robot.home(0)
    start, before = robot.cell.tcp_pose.copy(), robot.time
    robot.move_linear(start)
    assert robot.time == pytest.approx(before + robot.settle_time, abs=0.01)
    np.testing.assert_allclose(robot.cell.tcp_pose[:3, 3], start[:3, 3], atol=1e-3)


def test_a_linear_move_reaches_its_target(robot):
    robot.home(1)
    target = robot.cell.tcp_pose.copy()
    target[:3, 3] += [0.05, -0.03, 0.04]
    robot.move_linear(target)
    assert np.linalg.norm(robot.cell.tcp_pose[:3, 3] - target[:3, 3]) < 0.005


def test_an_unreachable_target_raises_and_leaves_the_arm_still(robot):
    robot.home(2)
    q = robot.cell.joint_positions
    far = robot.cell.tcp_pose.copy()
    far[:3, 3] += [2.0, 0.0, 0.0]
    with pytest.raises(PlanningError, match="unreachable"):
        robot.move_linear(far)
    np.testing.assert_array_equal(robot.cell.joint_positions, q)


def test_home_starts_the_task_episode_of_the_seed(robot):
    robot.home(5)
    first = robot.cell.object_pose("cube_yellow")[0]
    robot.home(5)
    np.testing.assert_array_equal(robot.cell.object_pose("cube_yellow")[0], first)
    assert not robot.task.success(robot.cell)
