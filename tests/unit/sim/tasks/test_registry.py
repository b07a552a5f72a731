"""The task registry: the paper's task list, instructions, step limits, errors listing names."""

from dataclasses import replace

import pytest

from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.sim import CellConfig, SimCell
from arm4r_policy.sim.tasks import CONTROL_RATE_HZ, TASKS, list_tasks, make_task
from arm4r_policy.sim.tasks.props import COLOURS, MAX_GRASP_WIDTH, TOYS

from .conftest import ALL_VARIATIONS


def test_list_tasks_names_the_papers_task_families_and_variations():
    assert list_tasks() == {
        "kinova": {
            "pick_cube": ("yellow", "cyan", "green"),
            "destack": ("yellow", "cyan"),
            "stack": ("yellow_on_cyan", "cyan_on_yellow"),
            "pick_place": ("spiderman", "penguin", "pig", "basketball"),
            "push_buttons": ("red", "red_then_blue"),
        },
        "franka": {
            "pick": ("yellow", "cyan", "green"),
            "stack": ("yellow_on_cyan", "cyan_on_yellow"),
            "destack": ("yellow", "cyan"),
        },
    }


@pytest.mark.parametrize(
    ("cell", "task", "variation", "instruction"),
    [
        ("kinova", "pick_cube", "green", "pick up the green cube"),
        ("kinova", "destack", "yellow", "take the yellow cube off the cyan cube"),
        ("kinova", "stack", "cyan_on_yellow", "put the cyan cube on the yellow cube"),
        ("kinova", "pick_place", "spiderman", "place the spiderman into the bowl"),
        ("kinova", "pick_place", "basketball", "place the basketball into the basket"),
        ("kinova", "push_buttons", "red", "push the red button"),
        ("kinova", "push_buttons", "red_then_blue", "push the red button, then the blue button"),
        ("franka", "pick", "cyan", "pick up the cyan cube"),
    ],
)
def test_instructions_read_like_the_papers(cell, task, variation, instruction):
    assert make_task(cell, task, variation).instruction == instruction


@pytest.mark.parametrize(
    ("cell", "task", "variation", "message"),
    [
        ("ur5", "pick_cube", "yellow", r"cell 'ur5' is unknown; expected .*'franka', 'kinova'"),
        ("franka", "pick_cube", "yellow", r"franka task 'pick_cube' is unknown; .*'pick', 'stack'"),
        ("kinova", "stack", "green_on_cyan", r"'green_on_cyan' is unknown; .*'yellow_on_cyan'"),
        ("kinova", "pick_place", "tiger", r"'tiger' is unknown; .*'spiderman', 'penguin'"),
    ],
)
def test_unknown_cells_tasks_and_variations_are_rejected_listing_the_valid_ones(
    cell, task, variation, message
):
    with pytest.raises(ConfigError, match=message):
        make_task(cell, task, variation)


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_variations_of_a_task_share_their_objects_so_one_cell_serves_them_all(
    cell, task, variation
):
    def at_origin(built):
        return [replace(obj, position=(0.0, 0.0, 0.0), quat=(1.0, 0.0, 0.0, 0.0)) for obj in built]

    first = make_task(cell, task, TASKS[cell][task].variations[0]).objects
    assert at_origin(make_task(cell, task, variation).objects) == at_origin(first)


@pytest.mark.parametrize(("cell", "task", "variation"), ALL_VARIATIONS)
def test_step_limits_count_15hz_control_ticks(cell, task, variation):
    built = make_task(cell, task, variation)
    assert built.max_steps == round(built.max_seconds * CONTROL_RATE_HZ)
    assert 10.0 <= built.max_seconds <= 30.0
    assert CONTROL_RATE_HZ == 15.0


def test_two_button_push_gets_more_time_than_one():
    one = make_task("kinova", "push_buttons", "red").max_steps
    assert make_task("kinova", "push_buttons", "red_then_blue").max_steps == 2 * one


def test_toys_fit_the_2f85_and_wear_distinct_main_colours():
    assert all(toy.grasp_width <= MAX_GRASP_WIDTH <= 0.085 for toy in TOYS.values())
    main_colours = [toy.rgba for toy in TOYS.values()]
    assert len(set(main_colours)) == len(main_colours)
    assert len(set(COLOURS.values())) == len(COLOURS)


def test_reset_refuses_a_cell_without_the_tasks_objects():
    task = make_task("franka", "pick", "yellow")
    with SimCell(CellConfig.franka()) as cell, pytest.raises(CommandError, match="cube_cyan"):
        task.reset(cell, seed=0)


def test_layout_is_unavailable_before_the_first_reset():
    with pytest.raises(CommandError, match="reset"):
        _ = make_task("kinova", "stack", "yellow_on_cyan").layout
