"""Franka backend with the real franky objects (franky-control is installed; no robot is)."""

import math
import os

import franky
import numpy as np
import pytest

from arm4r_policy.drivers.franka import (
    FRANKA_READY_JOINTS,
    FrankaConfig,
    affine_from_matrix,
    cartesian_motion,
    ee_to_tcp,
    franka_hand_tcp_in_flange,
    gripper_command,
    limit_dynamics_factor,
    matrix_from_affine,
)
from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.sim import FRANKA_HAND, CellConfig
from tests.unit.drivers.imports import top_level_modules_imported_by
from tests.unit.drivers.poses import pose

FRANKA_IP = os.environ.get("ARM4R_FRANKA_IP")
needs_robot = pytest.mark.skipif(
    not FRANKA_IP, reason="needs a Franka robot on the network (set ARM4R_FRANKA_IP)"
)


TARGET = pose([0.45, -0.1, 0.3], [math.pi, 0.2, -0.4])


def test_importing_the_backend_does_not_import_franky():
    assert "franky" not in top_level_modules_imported_by("arm4r_policy.drivers.franka")


def test_the_franky_api_the_backend_uses_exists():
    for cls, names in [
        (franky.Robot, ["move", "join_motion", "recover_from_errors", "stop", "state"]),
        (franky.Robot, ["relative_dynamics_factor"]),
        (franky.RobotState, ["O_T_EE", "F_T_EE", "q"]),
        (franky.Gripper, ["open_async", "move_async", "grasp_async", "stop", "width"]),
        (franky.BoolFuture, ["wait", "get"]),
    ]:
        missing = [name for name in names if not hasattr(cls, name)]
        assert not missing, f"{cls.__name__} lacks {missing}"


def test_affine_quaternion_is_x_y_z_w():
    quarter_turn_about_z = pose([0.0, 0.0, 0.0], [0.0, 0.0, math.pi / 2])
    quaternion = affine_from_matrix(quarter_turn_about_z).quaternion
    np.testing.assert_allclose(quaternion, [0.0, 0.0, math.sqrt(0.5), math.sqrt(0.5)], atol=1e-12)


def test_pose_to_affine_agrees_with_frankys_matrix_constructor_and_round_trips():
    ours = affine_from_matrix(TARGET)
    np.testing.assert_allclose(ours.matrix, franky.Affine(TARGET).matrix, atol=1e-12)
    np.testing.assert_allclose(matrix_from_affine(ours), TARGET, atol=1e-12)


def test_the_hand_tcp_is_the_simulated_one():
    np.testing.assert_allclose(franka_hand_tcp_in_flange(), FRANKA_HAND.tcp_in_flange, atol=1e-12)
    np.testing.assert_allclose(FRANKA_READY_JOINTS, CellConfig.franka().home)


def test_ee_to_tcp_whatever_desk_calls_the_end_effector():
    hand_tcp = franka_hand_tcp_in_flange()
    np.testing.assert_allclose(ee_to_tcp(hand_tcp, hand_tcp), np.eye(4), atol=1e-12)  # hand set
    np.testing.assert_allclose(ee_to_tcp(np.eye(4), hand_tcp), hand_tcp)  # no end effector set


def test_a_cartesian_motion_targets_the_tcp_in_the_base_frame():
    ee_t_tcp = ee_to_tcp(np.eye(4), franka_hand_tcp_in_flange())
    motion = cartesian_motion(TARGET, ee_t_tcp, dynamics_factor=0.3)
    assert isinstance(motion, franky.CartesianMotion)
    assert motion.reference_type == franky.ReferenceType.Absolute
    assert motion.return_when_finished
    assert motion.relative_dynamics_factor.velocity == pytest.approx(0.3)
    np.testing.assert_allclose(motion.target.pose.end_effector_pose.matrix, TARGET, atol=1e-12)
    np.testing.assert_allclose(motion.ee_frame.matrix, ee_t_tcp, atol=1e-12)


def test_dynamics_factor_can_only_go_down():
    assert limit_dynamics_factor(1.5) == 1.0
    assert limit_dynamics_factor(0.3) == 0.3
    assert limit_dynamics_factor(0.5, ceiling=0.2) == 0.2
    for bad in (0.0, -0.1, math.nan, math.inf):
        with pytest.raises(ConfigError, match="expected a number in"):
            limit_dynamics_factor(bad)


def test_configuration_starts_slow_and_clamps_the_factor():
    assert FrankaConfig(ip="172.16.0.2").dynamics_factor == 0.1
    assert FrankaConfig(ip="172.16.0.2", dynamics_factor=3.0).dynamics_factor == 1.0
    with pytest.raises(ConfigError, match="grasp_from"):
        FrankaConfig(ip="172.16.0.2", grasp_from=0.0)


def test_gripper_commands_open_move_or_grasp():
    assert gripper_command(0.0, 0.08, grasp_from=0.5) == ("open", 0.08)
    assert gripper_command(0.25, 0.08, grasp_from=0.5) == ("move", pytest.approx(0.06))
    assert gripper_command(1.0, 0.08, grasp_from=0.5) == ("grasp", 0.0)
    with pytest.raises(CommandError, match="closure = 1.2"):
        gripper_command(1.2, 0.08, grasp_from=0.5)


@needs_robot
def test_a_real_robot_reports_its_state():
    from arm4r_policy.drivers.franka import FrankaRobot

    with FrankaRobot(FrankaConfig(ip=FRANKA_IP), cameras={}) as robot:
        state = robot.arm_state()
    assert state.joint_positions.shape == (7,)
    assert 0.0 <= state.gripper_closure <= 1.0
