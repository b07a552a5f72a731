"""The start of an episode: not solved, at rest, the same for a seed, and left alone by readers."""

import numpy as np
import pytest

from .conftest import ALL_VARIATIONS
from .motion import settle

SEEDS = range(10)


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_no_task_is_solved_at_the_start_or_after_the_scene_settles(
    task_cell, cell, task, variation
):
    task, sim = task_cell(cell, task, variation)
    for seed in SEEDS:
        task.reset(sim, seed)
        assert not task.success(sim), seed
        for _ in range(3):  # three control ticks of physics
            settle(sim, 1.0 / 15.0)
            task.update(sim)
        assert not task.success(sim), seed


@pytest.mark.parametrize(
    ("cell", "task", "variation"),
    [
        ("kinova", "pick_place", "pig"),
        ("kinova", "destack", "cyan"),
        ("franka", "destack", "yellow"),
    ],
)
def test_objects_rest_where_the_layout_puts_them(task_cell, cell, task, variation):
    task, sim = task_cell(cell, task, variation)
    for seed in range(3):
        layout = task.reset(sim, seed)
        settle(sim, 0.5)
        for name, pose in layout.poses.items():
            np.testing.assert_allclose(sim.object_pose(name)[0], pose.position, atol=2e-3)


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_reset_gives_the_same_state_for_a_seed_and_another_for_another_seed(
    task_cell, cell, task, variation
):
    task, sim = task_cell(cell, task, variation)

    def start_state(seed):
        task.reset(sim, seed, home_noise=0.05)
        return sim.data.qpos.copy(), sim.data.mocap_pos.copy()

    first, again, other = start_state(4), start_state(4), start_state(5)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.allclose(np.r_[first[0], first[1].ravel()], np.r_[other[0], other[1].ravel()])


@pytest.mark.parametrize(
    ("cell", "task", "variation"),
    [("kinova", "stack", "yellow_on_cyan"), ("kinova", "push_buttons", "red_then_blue")],
)
def test_checking_success_and_goal_never_changes_a_rollout(task_cell, cell, task, variation):
    task, sim = task_cell(cell, task, variation)

    def rollout(read):
        task.reset(sim, seed=2)
        sim.set_gripper(0.6)
        for _ in range(10):
            settle(sim, 1.0 / 15.0)
            task.update(sim)
            if read:
                task.success(sim)
                task.goal(sim)
        return sim.data.qpos.copy(), sim.data.qvel.copy()

    quiet, read = rollout(read=False), rollout(read=True)
    np.testing.assert_array_equal(quiet[0], read[0])
    np.testing.assert_array_equal(quiet[1], read[1])
