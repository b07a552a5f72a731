"""Push buttons: every named button pressed, in the instructed order, none other before them.

Buttons are pressed by setting a 1 kg box on the cap and lifted off again, with ``update`` at the
control ticks in between, as a policy rollout would call it.
"""

import numpy as np
import pytest

from arm4r_policy.sim import Box

from .motion import settle

WEIGHT = Box(
    name="weight",
    size=(0.06, 0.06, 0.06),
    rgba=(0.3, 0.3, 0.3, 1.0),
    mass=1.0,
    position=(0.9, 0.5, 0.78),
)


@pytest.fixture
def buttons(task_cell):
    """``buttons(variation)`` -> (task, cell with a weight parked at the table's far corner)."""

    def build(variation):
        task, sim = task_cell("kinova", "push_buttons", variation, extra_objects=(WEIGHT,))
        task.reset(sim, seed=14)
        return task, sim

    return build


def _press(sim, task, colour):
    """Set the weight on a button for half a second, then park it again."""
    button = f"button_{colour}"
    base, _ = sim.object_pose(button)
    cap = sim.objects[button]
    sim.set_object_pose("weight", base + np.array([0.0, 0.0, cap.base_height + cap.height + 0.031]))
    for _ in range(8):
        settle(sim, 1.0 / 15.0)
        task.update(sim)
    assert sim.button_depth(button) > cap.travel / 2
    sim.set_object_pose("weight", WEIGHT.position)
    for _ in range(8):
        settle(sim, 1.0 / 15.0)
        task.update(sim)
    assert sim.button_depth(button) < cap.travel / 2


@pytest.mark.parametrize(
    ("variation", "presses", "solved"),
    [
        ("red", ["red"], True),
        ("red", ["blue"], False),
        ("red", ["blue", "red"], False),
        ("red", ["red", "blue"], True),
        ("red_then_blue", ["red"], False),
        ("red_then_blue", ["red", "blue"], True),
        ("red_then_blue", ["blue", "red"], False),
        ("red_then_blue", ["blue", "red", "blue"], False),
        ("red_then_blue", ["red", "red", "blue"], True),
    ],
)
def test_buttons_count_only_when_pressed_in_the_instructed_order(
    buttons, variation, presses, solved
):
    task, sim = buttons(variation)
    for colour in presses:
        _press(sim, task, colour)
    assert task.success(sim) is solved


def test_press_times_record_the_first_press_of_each_button(buttons):
    task, sim = buttons("red_then_blue")
    _press(sim, task, "red")
    first = task.press_times["button_red"]
    _press(sim, task, "blue")
    _press(sim, task, "red")
    times = task.press_times
    assert times["button_red"] == first < times["button_blue"]


def test_a_new_episode_forgets_the_presses(buttons):
    task, sim = buttons("red")
    _press(sim, task, "red")
    assert task.success(sim)
    task.reset(sim, seed=15)
    assert task.press_times == {}
    assert not task.success(sim)


def test_goal_lists_the_cap_tops_in_pressing_order(buttons):
    task, sim = buttons("red_then_blue")
    presses = task.goal(sim).presses
    assert [press.name for press in presses] == ["button_red", "button_blue"]
    for press in presses:
        base, _ = sim.object_pose(press.name)
        cap = sim.objects[press.name]
        np.testing.assert_allclose(
            press.top, base + np.array([0.0, 0.0, cap.base_height + cap.height])
        )
        assert press.travel == cap.travel
