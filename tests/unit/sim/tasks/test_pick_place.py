"""Pick & place: the named toy picked, released, and inside its container."""

import numpy as np
import pytest

from arm4r_policy.sim.tasks.pick_place import CONTAINER_OF_TOY, is_inside
from arm4r_policy.sim.tasks.props import BASKET, BOWL
from arm4r_policy.sim.transforms import make_pose, quat_to_matrix, rot_z

from .motion import carry_to, pick_up, release


@pytest.mark.parametrize("toy", ["spiderman", "penguin", "pig", "basketball"])
def test_toy_released_into_its_container_is_placed(task_cell, toy):
    task, sim = task_cell("kinova", "pick_place", toy)
    task.reset(sim, seed=11)
    assert task.goal(sim).grasp.name == toy
    pick_up(sim, task)
    carry_to(sim, task, task.goal(sim).place)
    assert task.in_place(sim)
    assert not task.success(sim)  # still gripped
    release(sim, task)
    assert task.success(sim)


def test_toy_released_beside_its_container_is_not_placed(task_cell):
    task, sim = task_cell("kinova", "pick_place", "penguin")
    task.reset(sim, seed=12)
    pick_up(sim, task)
    bowl, _ = sim.object_pose("bowl")
    beside = task.goal(sim).place + np.array([0.0, np.sign(-bowl[1]) * 0.14, 0.0])
    carry_to(sim, task, beside)
    release(sim, task)
    assert task.was_picked
    assert not task.in_place(sim)
    assert not task.success(sim)


def test_toy_released_into_the_other_container_is_not_placed(task_cell):
    task, sim = task_cell("kinova", "pick_place", "pig")
    task.reset(sim, seed=13)
    pick_up(sim, task)
    basket, quat = sim.object_pose("basket")
    carry_to(sim, task, basket + np.array([0.0, 0.0, 0.05]))
    release(sim, task)
    assert is_inside(BASKET, make_pose(quat_to_matrix(quat), basket), sim.data.body("pig").xipos)
    assert not task.success(sim)


def test_figures_go_into_the_bowl_and_the_basketball_into_the_basket():
    assert CONTAINER_OF_TOY == {
        "spiderman": BOWL,
        "penguin": BOWL,
        "pig": BOWL,
        "basketball": BASKET,
    }


@pytest.mark.parametrize("container", [BOWL, BASKET])
def test_inside_means_within_the_walls_and_between_floor_and_rim(container):
    pose = make_pose(rot_z(0.4), (0.5, -0.1, 0.75))
    inner = container.radius - container.wall

    def at(local):
        return pose[:3, :3] @ np.asarray(local) + pose[:3, 3]

    assert is_inside(container, pose, at((0.0, 0.0, container.height / 2)))
    assert is_inside(container, pose, at((inner - 0.005, 0.0, 0.02)))
    assert not is_inside(container, pose, at((inner + 0.005, 0.0, 0.02)))
    assert not is_inside(container, pose, at((0.0, 0.0, container.height + 0.005)))
    assert not is_inside(container, pose, at((0.0, 0.0, -0.01)))
