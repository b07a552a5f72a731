"""Arm joints and gripper closure in the joint states of ros2_kortex and franka_ros2."""

import math

import numpy as np
import pytest

from arm4r_policy.drivers.joint_state_layout import FRANKA_ROS2, ROS2_KORTEX, JointStateLayout
from arm4r_policy.errors import ConfigError, ObservationError

Q = np.array([0.1, -0.2, 0.3, -1.4, 0.5, 0.6, -0.7])


def test_arm_joints_come_in_chain_order_whatever_the_message_order():
    names = [*ROS2_KORTEX.joint_names, ROS2_KORTEX.gripper_joint][::-1]
    positions = [*Q, 0.4][::-1]
    joints, closure = ROS2_KORTEX.read(names, positions)
    np.testing.assert_array_equal(joints, Q)
    assert closure == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("layout", "position", "closure"),
    [
        (ROS2_KORTEX, 0.0, 0.0),
        (ROS2_KORTEX, 0.8, 1.0),
        (FRANKA_ROS2, 0.04, 0.0),  # each finger 40 mm out: 80 mm open
        (FRANKA_ROS2, 0.01, 0.75),  # 20 mm between the pads: 1 - 0.02 / 0.08
        (FRANKA_ROS2, 0.0, 1.0),
        (ROS2_KORTEX, 0.85, 1.0),  # past the closed position: clipped
    ],
)
def test_the_closure_is_linear_between_the_open_and_closed_positions(layout, position, closure):
    assert layout.closure(position) == pytest.approx(closure)


def test_joint_state_gives_back_what_read_takes():
    names, positions = FRANKA_ROS2.joint_state(Q, 0.25)
    joints, closure = FRANKA_ROS2.read(names, positions)
    np.testing.assert_allclose(joints, Q)
    assert closure == pytest.approx(0.25)
    assert positions[-1] == pytest.approx(0.03)


def test_other_joints_are_ignored_and_a_missing_gripper_joint_gives_no_closure():
    names = ["robotiq_85_right_knuckle_joint", *ROS2_KORTEX.joint_names]
    joints, closure = ROS2_KORTEX.read(names, [math.nan, *Q])
    np.testing.assert_array_equal(joints, Q)
    assert closure is None


def test_a_missing_arm_joint_is_refused_naming_it():
    names = [name for name in ROS2_KORTEX.joint_names if name != "joint_4"]
    with pytest.raises(ObservationError, match=r"\['joint_4'\]"):
        ROS2_KORTEX.read(names, [0.0] * 6)


def test_a_name_without_a_position_counts_as_missing():
    with pytest.raises(ObservationError, match="joint_7"):
        ROS2_KORTEX.read(list(ROS2_KORTEX.joint_names), list(Q[:6]))


@pytest.mark.parametrize("joint", ["joint_3", "robotiq_85_left_knuckle_joint"])
def test_a_non_finite_position_is_refused_naming_the_joint(joint):
    names = [*ROS2_KORTEX.joint_names, ROS2_KORTEX.gripper_joint]
    positions = [*Q, 0.4]
    positions[names.index(joint)] = math.nan
    with pytest.raises(ObservationError, match=f"{joint}.*not finite"):
        ROS2_KORTEX.read(names, positions)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"gripper_joint": "joint_1"}, "distinct"),
        ({"joint_names": ("joint_1", "")}, "non-empty"),
        ({"gripper_closed_position": 0.0}, "two different"),
        ({"gripper_open_position": math.inf}, "finite"),
    ],
)
def test_a_layout_that_cannot_be_read_is_refused(fields, named):
    kortex = {
        "joint_names": ROS2_KORTEX.joint_names,
        "gripper_joint": ROS2_KORTEX.gripper_joint,
        "gripper_open_position": 0.0,
        "gripper_closed_position": 0.8,
    }
    with pytest.raises(ConfigError, match=named):
        JointStateLayout(**(kortex | fields))
