"""Task objects: shapes, masses, poses, a spring button and containers that hold things."""

import numpy as np
import pytest

from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.sim import Box, Button, CellConfig, Container, Cylinder, SimCell, Sphere

TABLE = 0.75
BUTTON = Button(
    name="button_red", radius=0.025, rgba=(0.9, 0.1, 0.1, 1), mass=0.02, position=(0.5, -0.2, TABLE)
)
WEIGHT = Box(
    name="weight",
    size=(0.06, 0.06, 0.06),
    rgba=(0.3, 0.3, 0.3, 1),
    mass=1.0,
    position=(0.7, 0.3, TABLE + 0.03),
)
BOWL = Container(
    name="bowl",
    radius=0.08,
    height=0.06,
    rgba=(0.2, 0.4, 0.9, 1),
    mass=0.2,
    position=(0.6, 0.0, TABLE),
)
BASKET = Container(
    name="basket",
    radius=0.07,
    height=0.08,
    sides=4,
    rgba=(0.6, 0.4, 0.2, 1),
    mass=0.3,
    position=(0.5, 0.3, TABLE),
)
BALL = Sphere(
    name="ball", radius=0.02, rgba=(1.0, 0.5, 0.0, 1), mass=0.05, position=(0.8, -0.3, TABLE + 0.02)
)
CAN = Cylinder(
    name="can",
    radius=0.03,
    height=0.1,
    rgba=(0.8, 0.8, 0.8, 1),
    mass=0.2,
    position=(0.8, 0.3, TABLE + 0.05),
)


@pytest.fixture(scope="module")
def object_cell():
    with SimCell(CellConfig.kinova(), objects=[BUTTON, WEIGHT, BOWL, BASKET, BALL, CAN]) as cell:
        yield cell


def _settle(cell, seconds):
    cell.step(int(seconds / cell.model.opt.timestep))


def test_objects_rest_on_the_table_where_they_were_placed(object_cell):
    object_cell.reset(seed=0)
    _settle(object_cell, 0.5)
    for obj in (WEIGHT, BOWL, BASKET, BALL, CAN):
        position, _ = object_cell.object_pose(obj.name)
        np.testing.assert_allclose(position, obj.position, atol=2e-3)


def test_object_masses_are_the_requested_ones(object_cell):
    for obj in (WEIGHT, BOWL, BASKET, BALL, CAN):
        assert object_cell.model.body(obj.name).mass[0] == pytest.approx(obj.mass)


def test_set_object_pose_places_a_free_object_at_rest(object_cell):
    object_cell.reset(seed=0)
    quat = np.array([np.cos(0.3), 0.0, 0.0, np.sin(0.3)])
    object_cell.set_object_pose("can", (0.4, -0.4, TABLE + 0.05), quat)
    position, read_quat = object_cell.object_pose("can")
    np.testing.assert_allclose(position, (0.4, -0.4, TABLE + 0.05))
    np.testing.assert_allclose(read_quat, quat, atol=1e-12)
    _settle(object_cell, 0.3)
    np.testing.assert_allclose(
        object_cell.object_pose("can")[0], (0.4, -0.4, TABLE + 0.05), atol=2e-3
    )


def test_button_sinks_by_weight_over_stiffness_and_is_pressed_by_a_heavy_box(object_cell):
    object_cell.reset(seed=0)
    assert object_cell.button_depth("button_red") == pytest.approx(0.0, abs=1e-6)
    cap_top = TABLE + BUTTON.base_height + BUTTON.height
    light = 0.05 * 9.81 / BUTTON.stiffness  # a 0.05 kg ball rests on the cap
    object_cell.set_object_pose("ball", (0.5, -0.2, cap_top + BALL.radius))
    _settle(object_cell, 0.5)
    assert object_cell.button_depth("button_red") == pytest.approx(light, abs=2e-4)
    object_cell.set_object_pose("weight", (0.5, -0.2, cap_top + 0.031))
    object_cell.set_object_pose("ball", BALL.position)
    _settle(object_cell, 0.5)
    assert object_cell.button_depth("button_red") == pytest.approx(BUTTON.travel, abs=1e-3)


def test_button_base_moves_with_set_object_pose(object_cell):
    object_cell.reset(seed=0)
    object_cell.set_object_pose("button_red", (0.35, 0.1, TABLE))
    np.testing.assert_allclose(object_cell.object_pose("button_red")[0], (0.35, 0.1, TABLE))
    object_cell.set_object_pose("button_red", BUTTON.position)


@pytest.mark.parametrize("container", [BOWL, BASKET])
def test_containers_catch_and_hold_a_dropped_ball(object_cell, container):
    object_cell.reset(seed=0)
    drop = np.add(container.position, (0.01, 0.0, 0.12))
    object_cell.set_object_pose("ball", drop)
    _settle(object_cell, 1.0)
    ball, _ = object_cell.object_pose("ball")
    assert (
        np.linalg.norm(ball[:2] - np.asarray(container.position[:2]))
        < container.radius - BALL.radius
    )
    assert ball[2] == pytest.approx(TABLE + container.wall + BALL.radius, abs=2e-3)
    np.testing.assert_allclose(
        object_cell.object_pose(container.name)[0], container.position, atol=3e-3
    )


def test_unknown_objects_and_wrong_kinds_are_rejected_with_names(object_cell):
    with pytest.raises(CommandError, match="'cube'.*objects"):
        object_cell.object_pose("cube")
    with pytest.raises(CommandError, match="not a Button"):
        object_cell.button_depth("ball")
    with pytest.raises(CommandError, match="position"):
        object_cell.set_object_pose("ball", (0.1, 0.2))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Box(name="b", size=(0.05, 0.0, 0.05), rgba=(1, 0, 0, 1), mass=0.1), "size_y"),
        (lambda: Sphere(name="s", radius=0.02, rgba=(1, 0, 0, 1), mass=0.0), "mass"),
        (lambda: Cylinder(name="c", radius=0.02, height=0.1, rgba=(1, 0, 0, 2), mass=0.1), "rgba"),
        (
            lambda: Container(
                name="k", radius=0.05, height=0.05, sides=3, rgba=(1, 0, 0, 1), mass=0.1
            ),
            "sides",
        ),
        (lambda: Button(name="", radius=0.02, rgba=(1, 0, 0, 1), mass=0.01), "name"),
    ],
)
def test_invalid_object_fields_are_named_in_the_error(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_duplicate_object_names_are_rejected():
    with pytest.raises(ConfigError, match="distinct"):
        SimCell(CellConfig.franka(), objects=[BALL, BALL])
