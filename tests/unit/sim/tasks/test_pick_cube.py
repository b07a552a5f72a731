"""Pick cube: held between both fingers and at least 5 cm above where it rested."""

import numpy as np
import pytest

from arm4r_policy.sim.tasks import make_task
from arm4r_policy.sim.tasks.contact_state import is_held
from arm4r_policy.sim.tasks.pick_cube import LIFT_HEIGHT

from .motion import pick_up, raise_tcp, settle


@pytest.mark.parametrize(("cell", "task"), [("kinova", "pick_cube"), ("franka", "pick")])
def test_grasped_cube_counts_once_lifted_past_the_threshold_and_not_after_dropping(
    task_cell, cell, task
):
    task, sim = task_cell(cell, task, "cyan")
    task.reset(sim, seed=1)
    assert task.goal(sim).lift == LIFT_HEIGHT == 0.05
    rest_height = sim.object_pose("cube_cyan")[0][2]
    pick_up(sim, task, lift=0.0)
    assert is_held(sim, "cube_cyan")
    assert not task.success(sim)  # held at the table
    raise_tcp(sim, task, 0.03)
    assert sim.object_pose("cube_cyan")[0][2] - rest_height == pytest.approx(0.03, abs=3e-3)
    assert not task.success(sim)
    raise_tcp(sim, task, 0.07)
    assert task.success(sim)
    sim.set_gripper(0.0)
    settle(sim, 0.6)
    assert not task.success(sim)


def test_cube_lifted_without_the_fingers_is_not_picked(task_cell):
    task, sim = task_cell("kinova", "pick_cube", "yellow")
    layout = task.reset(sim, seed=2)
    start = layout.poses["cube_yellow"]
    sim.set_object_pose("cube_yellow", start.position + np.array([0.0, 0.0, 0.1]), start.quat)
    assert not task.success(sim)


def test_picking_a_distractor_cube_is_not_success(task_cell):
    task, sim = task_cell("kinova", "pick_cube", "green")
    other = make_task("kinova", "pick_cube", "yellow")
    other.reset(sim, seed=3)
    task.reset(sim, seed=3)
    pick_up(sim, other, lift=0.1)
    assert other.success(sim)
    assert not task.success(sim)


def test_goal_grasps_the_named_cube_at_its_centre_across_its_faces(task_cell):
    task, sim = task_cell("kinova", "pick_cube", "green")
    task.reset(sim, seed=4)
    grasp = task.goal(sim).grasp
    position, _ = sim.object_pose("cube_green")
    assert grasp.name == "cube_green"
    np.testing.assert_allclose(grasp.position, position)
    first, second = grasp.closing_axes
    assert first @ second == pytest.approx(0.0, abs=1e-12)
    assert first[2] == second[2] == pytest.approx(0.0, abs=1e-12)
