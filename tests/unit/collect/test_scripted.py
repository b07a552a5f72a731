"""Scripted demonstrations: every task variation of both cells solved from its ground-truth goal.

The per-variation success test runs the real planner and physics without recording (the slow part
of this module, about a minute on 2 cores); the rest pins the frame conversion, the gripper
orientation and the randomisation.
"""

import numpy as np
import pytest

from arm4r_policy.collect.scripted import (
    DemoRandomization,
    DemoSettings,
    DemoTargets,
    pointing_down,
    rotation_about,
    run_demo,
    targets_in_base,
)
from arm4r_policy.collect.session import demo_settings, perform_demo, sim_robot
from arm4r_policy.errors import ConfigError
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.tasks import TASKS, list_tasks, make_task
from arm4r_policy.sim.transforms import rot_x, rot_z

ALL_VARIATIONS = [
    (cell, task, variation)
    for cell, tasks in list_tasks().items()
    for task, variations in tasks.items()
    for variation in variations
]
SEEDS = range(10)
DOWN = np.diag([1.0, -1.0, -1.0])
"""A TCP orientation pointing down (z along -z) in a level base frame."""


@pytest.fixture(scope="module")
def task_robot():
    """``task_robot(cell, task, variation)`` -> a collection ``SimRobot``; one cell per task."""
    cells = {}

    def build(cell, task, variation):
        if (cell, task) not in cells:
            first = make_task(cell, task, TASKS[cell][task].variations[0])
            cells[cell, task] = SimCell(first.workspace.config(), objects=first.objects)
        return sim_robot(make_task(cell, task, variation), cells[cell, task])

    yield build
    for cell in cells.values():
        cell.close()


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_scripted_demo_solves_the_task_on_at_least_9_of_10_seeds_in_3_to_15_s(
    task_robot, cell, task, variation
):
    robot = task_robot(cell, task, variation)
    outcomes = []
    for seed in SEEDS:
        robot.home(seed)
        outcomes.append(perform_demo(robot, seed))
    failures = {seed: o.failure for seed, o in zip(SEEDS, outcomes, strict=True) if not o.success}
    assert len(failures) <= 1, failures
    durations = [o.duration for o in outcomes if o.success]
    assert min(durations) >= 3.0
    assert max(durations) <= 15.0


def test_goal_is_converted_to_the_base_frame_points_moved_and_directions_turned(task_robot):
    robot = task_robot("kinova", "stack", "yellow_on_cyan")
    robot.home(seed=2)
    cell, goal = robot.cell, robot.task.goal(robot.cell)
    targets = targets_in_base(goal, cell.base_from_world)
    rotation, shift = cell.base_from_world[:3, :3], cell.base_from_world[:3, 3]
    np.testing.assert_allclose(targets.grasp.position, rotation @ goal.grasp.position + shift)
    np.testing.assert_allclose(targets.place, rotation @ goal.place + shift)
    for axis, world_axis in zip(targets.grasp.closing_axes, goal.grasp.closing_axes, strict=True):
        np.testing.assert_allclose(axis, rotation @ world_axis)
    np.testing.assert_allclose(targets.up, rotation[:, 2])
    assert targets.up[2] < 0.95  # the Kinova base is pitched: up is not the base z axis


@pytest.mark.parametrize("axis_yaw_deg", [-80.0, -30.0, 0.0, 44.0, 100.0, 170.0])
def test_jaws_turn_by_the_smallest_angle_that_closes_them_along_a_cube_face(axis_yaw_deg):
    up = np.array([0.0, 0.0, 1.0])
    first = rot_z(np.radians(axis_yaw_deg)) @ np.array([1.0, 0.0, 0.0])
    second = np.cross(up, first)
    turned = pointing_down(DOWN, up, (first, second))
    np.testing.assert_allclose(turned[:, 2], -up, atol=1e-12)
    jaw = turned[:, 1]
    assert max(abs(jaw @ first), abs(jaw @ second)) == pytest.approx(1.0)
    turn = np.arccos(np.clip(DOWN[:, 0] @ turned[:, 0], -1.0, 1.0))
    # The four jaw directions lie every 90 deg; the jaw starts on one of those multiples.
    expected = abs((np.radians(axis_yaw_deg) + np.pi / 4) % (np.pi / 2) - np.pi / 4)
    assert turn == pytest.approx(expected, abs=1e-9)
    assert turn <= np.pi / 4 + 1e-9


def test_a_tilted_tcp_is_levelled_to_point_down_with_its_yaw_kept():
    up = np.array([0.0, 0.0, 1.0])
    tilted = rot_x(0.2) @ rot_z(0.3) @ DOWN
    levelled = pointing_down(tilted, up)
    np.testing.assert_allclose(levelled[:, 2], -up, atol=1e-12)
    angle = np.arccos((np.trace(levelled.T @ tilted) - 1.0) / 2.0)
    assert angle == pytest.approx(0.2, abs=1e-9)  # only the tilt is taken out


def test_rotation_about_an_axis_matches_rot_z_about_z():
    np.testing.assert_allclose(rotation_about(np.array([0.0, 0.0, 1.0]), 0.7), rot_z(0.7))


def test_demo_motions_follow_the_episode_draws_and_replay_for_the_same_draws(task_robot):
    robot = task_robot("kinova", "pick_cube", "green")
    settings = demo_settings(robot.cell)
    finals = []
    for draws in (1, 1, 2):
        robot.home(seed=4)
        targets = targets_in_base(robot.task.goal(robot.cell), robot.cell.base_from_world)
        run_demo(robot, targets, np.random.default_rng(draws), settings)
        finals.append(robot.cell.tcp_pose)
    np.testing.assert_array_equal(finals[0], finals[1])
    assert np.linalg.norm(finals[0][:3, 3] - finals[2][:3, 3]) > 1e-3


def test_a_pick_lifts_the_object_higher_than_the_goal_asks(task_robot):
    robot = task_robot("franka", "pick", "cyan")
    robot.home(seed=6)
    start, _ = robot.cell.object_pose("cube_cyan")
    lift = robot.task.goal(robot.cell).lift
    assert perform_demo(robot, seed=6).success
    end, _ = robot.cell.object_pose("cube_cyan")
    assert end[2] - start[2] > lift + 0.05


def test_buttons_are_pressed_in_the_instructed_order(task_robot):
    robot = task_robot("kinova", "push_buttons", "red_then_blue")
    robot.home(seed=8)
    assert perform_demo(robot, seed=8).success
    times = robot.task.press_times
    assert times["button_red"] < times["button_blue"]


def test_an_unreachable_object_is_a_failure_naming_the_refused_motion(task_robot):
    robot = task_robot("kinova", "pick_cube", "yellow")
    robot.home(seed=1)
    robot.cell.set_object_pose("cube_yellow", np.array([1.6, 0.0, 0.7725]))
    outcome = perform_demo(robot, seed=1)
    assert not outcome.success
    assert outcome.failure.startswith("motion refused:")
    assert "unreachable" in outcome.failure


def test_a_goal_with_nothing_to_grasp_or_press_is_refused(task_robot):
    robot = task_robot("kinova", "pick_cube", "yellow")
    robot.home(seed=0)
    empty = DemoTargets(up=np.array([0.0, 0.0, 1.0]))
    with pytest.raises(ConfigError, match="nothing to do"):
        run_demo(robot, empty, np.random.default_rng(0), DemoSettings(0.019))


@pytest.mark.parametrize(
    ("field", "value"),
    [("press_fraction", (0.4, 0.8)), ("approach_height", (0.2, 0.1)), ("place_offset", -0.01)],
)
def test_randomization_ranges_out_of_bounds_are_refused_by_name(field, value):
    with pytest.raises(ConfigError, match=field):
        DemoRandomization(**{field: value})
