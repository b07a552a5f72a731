"""Both grippers open and close over their published stroke and hold a cube by friction alone."""

import numpy as np
import pytest

from arm4r_policy.sim import Box, CellConfig, SimCell
from arm4r_policy.sim.transforms import transform_points

from .ik import solve_tcp_ik

CUBE_EDGE = 0.045
CUBE_CENTRE = {
    "kinova": (0.45, 0.05, 0.75 + CUBE_EDGE / 2),
    "franka": (0.45, 0.0, 0.75 + CUBE_EDGE / 2),
}


@pytest.fixture(scope="module", params=["kinova", "franka"])
def cube_cell(request):
    cube = Box(
        name="cube",
        size=(CUBE_EDGE,) * 3,
        rgba=(1.0, 0.85, 0.0, 1.0),
        mass=0.1,
        position=CUBE_CENTRE[request.param],
    )
    with SimCell(getattr(CellConfig, request.param)(), objects=[cube]) as cell:
        yield cell


def _tcp_target_above_cube(cell, height):
    """TCP pose (4, 4, base frame): home orientation, ``height`` [m] above the cube centre."""
    target = cell.forward_kinematics(cell.config.home).tcp
    centre = np.add(CUBE_CENTRE[cell.config.name], (0.0, 0.0, height))
    target[:3, 3] = transform_points(cell.base_from_world, centre)
    return target


def _tcp_in_world(cell):
    return (cell.base_pose @ cell.tcp_pose)[:3, 3]


def _move_tcp_to(cell, target, duration):
    goal = solve_tcp_ik(cell.robot, target, cell.joint_positions)
    times = np.linspace(duration / 20, duration, 20)
    waypoints = cell.joint_positions + np.linspace(0.05, 1.0, 20)[:, None] * (
        goal - cell.joint_positions
    )
    return cell.execute_joint_trajectory(times, waypoints)


@pytest.mark.parametrize("closure", [0.0, 0.5, 1.0])
def test_measured_width_follows_the_closure_over_the_full_stroke(cube_cell, closure):
    cube_cell.reset(seed=0)
    cube_cell.set_gripper(closure)
    cube_cell.step(400)
    stroke = cube_cell.robot.gripper.stroke
    assert stroke == {"kinova": 0.085, "franka": 0.08}[cube_cell.config.name]
    assert cube_cell.gripper_width == pytest.approx(stroke * (1.0 - closure), abs=5e-4)
    assert cube_cell.gripper_closure == pytest.approx(closure, abs=0.01)


def test_cube_is_grasped_by_friction_rises_with_the_tcp_and_drops_when_released(cube_cell):
    cell = cube_cell
    cell.reset(seed=0)
    start, _ = cell.object_pose("cube")
    _move_tcp_to(cell, _tcp_target_above_cube(cell, 0.10), duration=1.0)
    _move_tcp_to(cell, _tcp_target_above_cube(cell, 0.0), duration=1.0)
    np.testing.assert_allclose(cell.object_pose("cube")[0], start, atol=2e-3)

    cell.set_gripper(1.0)
    cell.step(250)
    assert cell.gripper_width == pytest.approx(CUBE_EDGE, abs=1.5e-3)
    cube_before, _ = cell.object_pose("cube")
    tcp_before = _tcp_in_world(cell)

    _move_tcp_to(cell, _tcp_target_above_cube(cell, 0.15), duration=1.5)
    cube_after, _ = cell.object_pose("cube")
    tcp_after = _tcp_in_world(cell)
    assert cube_after[2] - cube_before[2] == pytest.approx(0.15, abs=5e-3)
    np.testing.assert_allclose(cube_after - tcp_after, cube_before - tcp_before, atol=3e-3)

    cell.set_gripper(0.0)
    cell.step(400)
    assert cell.object_pose("cube")[0][2] == pytest.approx(
        CUBE_CENTRE[cell.config.name][2], abs=2e-3
    )
