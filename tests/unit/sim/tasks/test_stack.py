"""Stack and destack: the cube picked, put where the instruction says, and released."""

import numpy as np
import pytest

from arm4r_policy.sim.tasks.contact_state import TABLE, is_touching
from arm4r_policy.sim.tasks.placing import PLACE_CLEARANCE
from arm4r_policy.sim.tasks.props import CUBE_EDGE

from .motion import carry_to, pick_up, release

STACK_CASES = [
    ("kinova", "yellow_on_cyan"),
    ("kinova", "cyan_on_yellow"),
    ("franka", "yellow_on_cyan"),
]
DESTACK_CASES = [("kinova", "yellow"), ("kinova", "cyan"), ("franka", "cyan")]


@pytest.mark.parametrize(("cell", "variation"), STACK_CASES)
def test_cube_on_the_other_counts_once_released_not_while_gripped(task_cell, cell, variation):
    task, sim = task_cell(cell, "stack", variation)
    top, bottom = (f"cube_{colour}" for colour in variation.split("_on_"))
    task.reset(sim, seed=5)
    pick_up(sim, task)
    carry_to(sim, task, task.goal(sim).place - np.array([0.0, 0.0, PLACE_CLEARANCE]))
    assert task.was_picked
    assert task.in_place(sim)  # set down on the other cube...
    assert not task.success(sim)  # ...but still gripped
    release(sim, task)
    assert task.success(sim)
    offset = sim.object_pose(top)[0] - sim.object_pose(bottom)[0]
    assert offset[2] == pytest.approx(CUBE_EDGE, abs=2e-3)


def test_cube_put_on_the_other_by_hand_without_a_grasp_is_not_stacked(task_cell):
    task, sim = task_cell("kinova", "stack", "yellow_on_cyan")
    task.reset(sim, seed=6)
    bottom, quat = sim.object_pose("cube_cyan")
    sim.set_object_pose("cube_yellow", bottom + np.array([0.0, 0.0, CUBE_EDGE]), quat)
    task.update(sim)
    assert task.in_place(sim)
    assert not task.success(sim)


def test_cube_released_beside_the_other_is_not_stacked(task_cell):
    task, sim = task_cell("kinova", "stack", "cyan_on_yellow")
    task.reset(sim, seed=7)
    pick_up(sim, task)
    bottom, _ = sim.object_pose("cube_yellow")
    beside = bottom + np.array([0.0, np.sign(-bottom[1]) * 1.5 * CUBE_EDGE, 0.0])
    beside[2] = sim.config.table.top_height + CUBE_EDGE / 2 + 0.01
    carry_to(sim, task, beside)
    release(sim, task)
    assert not task.success(sim)


@pytest.mark.parametrize(("cell", "variation"), DESTACK_CASES)
def test_top_cube_released_on_the_table_at_point_b_is_destacked(task_cell, cell, variation):
    task, sim = task_cell(cell, "destack", variation)
    layout = task.reset(sim, seed=8)
    top = f"cube_{variation}"
    assert task.goal(sim).grasp.name == top
    pick_up(sim, task)
    assert not task.success(sim)  # held in the air
    carry_to(sim, task, task.goal(sim).place)
    release(sim, task)
    assert task.success(sim)
    resting, _ = sim.object_pose(top)
    np.testing.assert_allclose(resting[:2], layout.place_spot[:2], atol=5e-3)
    assert is_touching(sim, top, TABLE)


def test_top_cube_knocked_off_without_a_grasp_is_not_destacked(task_cell):
    task, sim = task_cell("kinova", "destack", "yellow")
    layout = task.reset(sim, seed=9)
    spot = layout.place_spot + np.array([0.0, 0.0, CUBE_EDGE / 2])
    sim.set_object_pose("cube_yellow", spot)
    task.update(sim)
    assert task.in_place(sim)
    assert not task.success(sim)


def test_destacked_cube_put_back_on_the_other_is_not_destacked(task_cell):
    task, sim = task_cell("kinova", "destack", "cyan")
    task.reset(sim, seed=10)
    pick_up(sim, task)
    bottom, _ = sim.object_pose("cube_yellow")
    carry_to(sim, task, bottom + np.array([0.0, 0.0, CUBE_EDGE + 0.01]))
    release(sim, task)
    assert task.was_picked
    assert not task.success(sim)
