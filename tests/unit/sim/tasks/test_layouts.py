"""Randomised layouts: inside the stated region, apart, upright, reachable, in view, and a pure
function of the seed."""

import numpy as np
import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim import project_points
from arm4r_policy.sim.tasks import KINOVA_WORKSPACE, Workspace, layout_rng, make_task
from arm4r_policy.sim.tasks.cube_scene import CUBE_MARGIN
from arm4r_policy.sim.tasks.layout import scatter
from arm4r_policy.sim.tasks.pick_place import TOY_MARGIN, PickPlace
from arm4r_policy.sim.tasks.props import CUBE_EDGE, footprint_radius, rest_height
from arm4r_policy.sim.tasks.push_buttons import BUTTON_MARGIN, PushButtons
from arm4r_policy.sim.tasks.stack import Destack
from arm4r_policy.sim.transforms import transform_points

from ..ik import solve_tcp_ik
from .conftest import ALL_VARIATIONS
from .motion import down_pose

SEEDS = range(10)


def _margin(task):
    if isinstance(task, PickPlace):
        return TOY_MARGIN
    return BUTTON_MARGIN if isinstance(task, PushButtons) else CUBE_MARGIN


def _standing(task, layout):
    """Objects resting on the table (not on another object): name -> (xy, footprint radius)."""
    table = task.workspace.table_height
    return {
        obj.name: (layout.poses[obj.name].position[:2], footprint_radius(obj))
        for obj in task.objects
        if np.isclose(layout.poses[obj.name].position[2], table + rest_height(obj))
    }


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_objects_stand_apart_inside_the_workspace(cell, task, variation):
    task = make_task(cell, task, variation)
    for seed in SEEDS:
        layout = task.sample_layout(layout_rng(seed))
        assert set(layout.poses) == {obj.name for obj in task.objects}
        discs = _standing(task, layout)
        if layout.place_spot is not None:
            discs["place_spot"] = (layout.place_spot[:2], CUBE_EDGE / np.sqrt(2))
        for xy, _ in discs.values():
            assert task.workspace.contains(xy)
        names = sorted(discs)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                (a, ra), (b, rb) = discs[first], discs[second]
                assert np.linalg.norm(a - b) >= ra + rb + _margin(task) - 1e-9, (first, second)


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_objects_start_upright_at_their_rest_height_or_stacked(cell, task, variation):
    task = make_task(cell, task, variation)
    layout = task.sample_layout(layout_rng(3))
    standing = _standing(task, layout)
    for name, pose in layout.poses.items():
        assert pose.quat[1] == pose.quat[2] == 0.0  # a pure yaw
        if name not in standing:
            assert isinstance(task, Destack)
            assert name == f"cube_{task.variation}"
            below = layout.poses[f"cube_{task.bottom_colour}"].position
            np.testing.assert_allclose(pose.position, below + np.array([0.0, 0.0, CUBE_EDGE]))


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_layout_is_a_pure_function_of_the_seed_and_changes_with_it(cell, task, variation):
    task = make_task(cell, task, variation)

    def positions(seed):
        layout = task.sample_layout(layout_rng(seed))
        return np.array([layout.poses[obj.name].position for obj in task.objects])

    np.testing.assert_array_equal(positions(5), positions(5))
    assert np.all(np.linalg.norm(positions(5) - positions(6), axis=1) > 1e-3)


def _reach_targets(task, cell):
    """World TCP poses (4, 4) a demo needs, gripper down: above every object's origin, and the
    goal's grasp (jaws along its axis), place and press points."""
    goal = task.goal(cell)
    points = [(pose.position, None) for pose in task.layout.poses.values()]
    if goal.grasp is not None:
        points.append((goal.grasp.position, goal.grasp.closing_axes))
    if goal.place is not None:
        points.append((goal.place, None))
    points += [(press.top, None) for press in goal.presses]
    return [down_pose(cell, point, axes) for point, axes in points]


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_every_object_and_goal_is_reachable_from_above_with_the_gripper_down(
    task_cell, cell, task, variation
):
    """The TCP reaches 15 cm, 5 cm and 0 cm above each target, descending from home."""
    task, sim = task_cell(cell, task, variation)
    for seed in range(2):
        task.reset(sim, seed)
        for target in _reach_targets(task, sim):
            q = np.asarray(sim.config.home)
            for height in (0.15, 0.05, 0.0):
                above = target.copy()
                above[2, 3] += height
                q = solve_tcp_ik(sim.robot, sim.base_from_world @ above, q)
                reached = sim.base_pose @ sim.forward_kinematics(q).tcp
                np.testing.assert_allclose(reached, above, atol=1e-6)


@pytest.mark.parametrize(("cell", "task"), [("kinova", "pick_place"), ("franka", "destack")])
def test_every_object_is_inside_both_camera_images(task_cell, cell, task):
    variation = "spiderman" if task == "pick_place" else "yellow"
    task, sim = task_cell(cell, task, variation)
    width, height = sim.config.image_size
    for seed in SEEDS:
        task.reset(sim, seed)
        centres = np.array([pose.position for pose in task.layout.poses.values()])
        for camera in sim.camera_names:
            pixels = project_points(
                transform_points(sim.base_from_world, centres),
                sim.camera_intrinsics(camera),
                sim.camera_extrinsics(camera),
            )
            assert np.all((pixels > 20) & (pixels < (width - 20, height - 20))), camera


def test_scatter_reports_discs_that_cannot_fit_the_region():
    with pytest.raises(ConfigError, match="do not fit the kinova region"):
        scatter(np.random.default_rng(0), KINOVA_WORKSPACE, [0.25, 0.25], margin=0.03)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [((0.35, 1.2), (-0.2, 0.2), "Workspace.x"), ((0.4, 0.6), (0.2, -0.2), "Workspace.y")],
)
def test_workspace_must_be_an_increasing_range_on_the_table(x, y, message):
    with pytest.raises(ConfigError, match=message):
        Workspace(cell="kinova", x=x, y=y)
