"""Goal documents: a simulated task's goal survives JSON and YAML unchanged, and a malformed
document is refused naming its field."""

import json

import numpy as np
import pytest
import yaml

from arm4r_policy.collect.goal_document import EpisodeGoal, load_goal_file
from arm4r_policy.collect.scripted import targets_in_base
from arm4r_policy.errors import ConfigError
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.tasks import make_task

PICK = {
    "task": "pick_cube",
    "variation": "yellow",
    "instruction": "pick up the yellow cube",
    "up": [0.0, 0.0, 2.0],
    "grasp": {
        "name": "cube_yellow",
        "position": [0.5, 0.1, 0.02],
        "closing_axes": [[1, 0, 0], [0, 1, 0]],
        "width": 0.04,
    },
    "lift": 0.05,
}


def simulated_goal(task_name, variation, seed=3):
    """The goal of a Kinova task's episode ``seed`` as sim_node answers it."""
    task = make_task("kinova", task_name, variation)
    with SimCell(task.workspace.config(), objects=task.objects) as cell:
        task.reset(cell, seed)
        targets = targets_in_base(task.goal(cell), cell.base_from_world)
    return EpisodeGoal(task.name, task.variation, task.instruction, targets)


def assert_same_targets(read, written):
    assert np.allclose(read.up, written.up)
    assert read.lift == pytest.approx(written.lift)
    assert (read.grasp is None) == (written.grasp is None)
    if written.grasp is not None:
        assert read.grasp.name == written.grasp.name
        assert np.allclose(read.grasp.position, written.grasp.position)
        assert np.allclose(read.grasp.closing_axes, written.grasp.closing_axes)
        assert read.grasp.width == pytest.approx(written.grasp.width)
    assert (read.place is None) == (written.place is None)
    if written.place is not None:
        assert np.allclose(read.place, written.place)
    assert [b.name for b in read.presses] == [b.name for b in written.presses]
    for got, expected in zip(read.presses, written.presses, strict=True):
        assert np.allclose(got.top, expected.top)
        assert got.travel == pytest.approx(expected.travel)


@pytest.mark.parametrize(
    ("task", "variation"), [("pick_place", "penguin"), ("push_buttons", "red_then_blue")]
)
def test_a_simulated_goal_survives_the_json_sim_node_answers_with(task, variation):
    goal = simulated_goal(task, variation)
    read = EpisodeGoal.from_document(json.loads(json.dumps(goal.to_document())), "test")
    assert (read.task, read.variation, read.instruction) == (
        goal.task,
        goal.variation,
        goal.instruction,
    )
    assert_same_targets(read.targets, goal.targets)


def test_an_operator_goal_file_is_read_with_unit_directions(tmp_path):
    path = tmp_path / "goal.yaml"
    path.write_text(yaml.safe_dump(PICK), encoding="utf-8")
    goal = load_goal_file(path)
    assert goal.task == "pick_cube"
    assert np.allclose(goal.targets.up, [0.0, 0.0, 1.0])
    assert np.allclose(goal.targets.grasp.position, [0.5, 0.1, 0.02])
    assert goal.targets.place is None
    assert goal.targets.presses == ()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"task": ""}, "task"),
        ({"up": [0.0, 0.0]}, "up"),
        ({"up": [0.0, 0.0, 0.0]}, "non-zero"),
        ({"grasp": {**PICK["grasp"], "position": "here"}}, "grasp: position"),
        ({"grasp": {**PICK["grasp"], "width": -0.01}}, "width"),
        ({"grasp": {**PICK["grasp"], "closing_axes": []}}, "closing_axes"),
        ({"lift": float("nan")}, "lift"),
        ({"place": [1.0, 2.0, None]}, "place"),
    ],
)
def test_a_malformed_goal_is_refused_naming_the_field(change, named):
    with pytest.raises(ConfigError, match=named):
        EpisodeGoal.from_document(PICK | change, "goal.yaml")


def test_a_goal_without_an_object_or_buttons_is_refused():
    without_grasp = {key: value for key, value in PICK.items() if key != "grasp"}
    with pytest.raises(ConfigError, match="neither"):
        EpisodeGoal.from_document(without_grasp, "goal.yaml")


def test_an_unreadable_goal_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="missing.yaml"):
        load_goal_file(tmp_path / "missing.yaml")
