"""The robot state node's parameters: driver defaults per robot, the arm backends' refusals."""

import importlib.util

import numpy as np
import pytest

from arm4r_policy.drivers.joint_state_layout import DRIVER_LAYOUTS
from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.robot_state_parameters import (
    PARAMETERS,
    connect_arm,
    joint_state_layout,
    layout_parameters,
    passthrough_kinematics,
)
from arm4r_policy.sim.forward_kinematics import forward_kinematics
from arm4r_policy.sim.robots import FRANKA_PANDA_HAND

DEFAULTS = {spec.name: spec.default for spec in PARAMETERS}


@pytest.mark.parametrize("robot", ["kinova", "franka"])
def test_the_joint_state_defaults_are_those_of_the_robots_ros_driver(robot):
    values = {spec.name: spec.default for spec in layout_parameters(robot)}
    assert joint_state_layout(values) == DRIVER_LAYOUTS[robot]


def test_a_layout_that_cannot_be_read_names_its_parameters():
    values = {spec.name: spec.default for spec in layout_parameters("kinova")}
    with pytest.raises(ConfigError, match="parameters joint_names and gripper_joint"):
        joint_state_layout(values | {"gripper_joint": "joint_7"})


def test_passthrough_kinematics_is_the_simulations_tcp():
    q = np.array([0.0, -0.8, 0.0, -2.4, 0.0, 1.6, 0.8])
    tcp = passthrough_kinematics("franka")(q)
    np.testing.assert_array_equal(tcp, forward_kinematics(FRANKA_PANDA_HAND, q).tcp)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"backend": "franky", "robot": "kinova", "robot_ip": "172.16.0.2"}, "parameter robot:"),
        ({"backend": "kortex", "robot": "kinova", "robot_ip": ""}, "parameter robot_ip:"),
    ],
)
def test_an_arm_backend_refuses_another_arm_or_no_address_before_connecting(values, named):
    with pytest.raises(ConfigError, match=named):
        connect_arm(DEFAULTS | values)


@pytest.mark.skipif(
    importlib.util.find_spec("kortex_api") is not None,
    reason="kortex_api is installed: the kortex backend would try to connect",
)
def test_the_kortex_backend_without_kortex_api_names_backend_and_the_library():
    with pytest.raises(ConfigError, match=r"parameter backend: 'kortex' needs kortex_api"):
        connect_arm(DEFAULTS | {"backend": "kortex", "robot_ip": "192.168.1.10"})
