"""robot_state_node in its own process over real DDS; the test plays the arm's ROS 2 driver."""

import importlib.util
import math
import os

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from sensor_msgs.msg import JointState
from std_msgs.msg import Header

from arm4r_policy.drivers.joint_state_layout import DRIVER_LAYOUTS
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import GRIPPER_JOINT, stamp_to_ns
from arm4r_policy.runtime.pose import quat_xyzw_to_matrix
from arm4r_policy.sim.forward_kinematics import forward_kinematics
from arm4r_policy.sim.robots import FRANKA_PANDA_HAND, KINOVA_GEN3_2F85

from .harness import diagnostics_matching
from .test_policy_node import STARTUP, assert_stops_naming

ROBOTS = {"kinova": KINOVA_GEN3_2F85, "franka": FRANKA_PANDA_HAND}
Q = np.array([0.3, -0.5, 0.2, -1.9, 0.4, 1.1, -0.6])  # [rad]
# Gripper joint position and the closure it means: the 2F-85 knuckle at 0.4 of 0.8 rad; each
# Franka finger 10 mm out, 20 mm between the pads of 80 mm.
GRIPPER = {"kinova": (0.4, 0.5), "franka": (0.01, 0.75)}
HAS_KORTEX_API = importlib.util.find_spec("kortex_api") is not None
NO_KORTEX_API = (
    "kortex_api (Kinova's wheel, not on PyPI) is not installed; runs in the docker image"
)
HAS_FRANKY = importlib.util.find_spec("franky") is not None
ARM_IPS = {"kortex": os.environ.get("ARM4R_KINOVA_IP"), "franky": os.environ.get("ARM4R_FRANKA_IP")}


def driver_joint_state(graph, robot: str, positions: list[float] | None = None) -> JointState:
    """What the robot's ROS 2 driver publishes at ``Q`` with the gripper of ``GRIPPER``, the
    gripper first and the arm joints in reverse order (a driver's order is its own)."""
    layout = DRIVER_LAYOUTS[robot]
    header = Header(stamp=graph.node.get_clock().now().to_msg())
    return JointState(
        header=header,
        name=[layout.gripper_joint, *reversed(layout.joint_names)],
        position=positions or [GRIPPER[robot][0], *Q[::-1]],
    )


@pytest.mark.parametrize("robot", ["kinova", "franka"])
def test_passthrough_publishes_the_tcp_by_forward_kinematics_and_the_closure_at_the_same_stamp(
    graph, start_node, robot
):
    node = start_node("robot_state_node", backend="passthrough", robot=robot)
    poses = graph.record(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
    grippers = graph.record(JointState, topics.GRIPPER_STATE, topics.SENSOR_QOS)
    joint_state = driver_joint_state(graph, robot)
    driver = graph.publisher(JointState, topics.JOINT_STATES)
    both = lambda: poses and grippers  # noqa: E731
    assert graph.publish_until(driver, joint_state, both, STARTUP), node.output()

    pose = poses.messages[0]
    assert pose.header.stamp == joint_state.header.stamp
    assert pose.header.frame_id == "base_link"
    expected = forward_kinematics(ROBOTS[robot], Q).tcp
    p, q = pose.pose.position, pose.pose.orientation
    np.testing.assert_allclose([p.x, p.y, p.z], expected[:3, 3], atol=1e-6)
    rotation = quat_xyzw_to_matrix(np.array([q.x, q.y, q.z, q.w]))
    np.testing.assert_allclose(rotation, expected[:3, :3], atol=1e-6)

    gripper = grippers.messages[0]
    assert gripper.header == pose.header
    assert list(gripper.name) == [GRIPPER_JOINT]
    assert gripper.position[0] == pytest.approx(GRIPPER[robot][1])
    assert graph.node.count_publishers(topics.JOINT_STATES) == 1, "only the driver publishes them"


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ({"position": math.nan}, ("joint_3", "not finite")),
        ({"name": "joint_3b"}, ("no position for the arm joint", "joint_3")),
    ],
)
def test_a_joint_state_with_a_nan_or_without_an_arm_joint_publishes_nothing_and_says_why(
    graph, start_node, broken, reason
):
    node = start_node("robot_state_node", backend="passthrough", robot="kinova")
    poses = graph.record(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
    grippers = graph.record(JointState, topics.GRIPPER_STATE, topics.SENSOR_QOS)
    diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
    joint_state = driver_joint_state(graph, "kinova")
    joint_3 = joint_state.name.index("joint_3")
    if "name" in broken:
        joint_state.name[joint_3] = broken["name"]
    else:
        joint_state.position[joint_3] = broken["position"]

    refused = lambda: diagnostics_matching(  # noqa: E731
        diagnostics, DiagnosticStatus.ERROR, "joint state refused", *reason
    )
    driver = graph.publisher(JointState, topics.JOINT_STATES)
    assert graph.publish_until(driver, joint_state, refused, STARTUP), node.output()
    graph.spin_for(0.5)
    assert (len(poses), len(grippers)) == (0, 0)


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"backend": "ros1"}, "backend"),
        ({"robot": "ur5"}, "robot"),
        ({"rate_hz": -1.0}, "rate_hz"),
        ({"joint_names": ["joint_1", "joint_2"]}, "joint_names"),
        ({"gripper_open_position": 0.8}, "gripper_open_position"),
        ({"backend": "kortex"}, "robot_ip"),
    ],
)
def test_an_invalid_parameter_stops_the_node_with_its_name(start_node, parameters, named):
    assert_stops_naming(start_node("robot_state_node", **parameters), named)


def assert_stops_without_a_traceback(node, named: str, *words: str) -> None:
    assert_stops_naming(node, named)
    output = node.output()
    assert "Traceback" not in output, output
    fatal = [line for line in output.splitlines() if "[FATAL]" in line][-1]
    assert all(word in fatal for word in words), fatal


@pytest.mark.skipif(HAS_KORTEX_API, reason="kortex_api is installed: the kortex backend can start")
def test_the_kortex_backend_without_kortex_api_stops_the_node_naming_the_library(start_node):
    node = start_node("robot_state_node", backend="kortex", robot_ip="192.168.1.10")
    assert_stops_without_a_traceback(node, "backend", "kortex_api", "not on PyPI")


@pytest.mark.skipif(not HAS_KORTEX_API, reason=NO_KORTEX_API)
def test_the_kortex_backend_with_no_arm_at_the_address_stops_the_node_naming_robot_ip(start_node):
    node = start_node("robot_state_node", backend="kortex", robot_ip="127.0.0.1")
    assert_stops_without_a_traceback(node, "robot_ip", "127.0.0.1")


@pytest.mark.skipif(not HAS_FRANKY, reason="franky (franky-control) is not installed")
def test_the_franky_backend_with_no_arm_at_the_address_stops_the_node_naming_robot_ip(start_node):
    node = start_node("robot_state_node", backend="franky", robot="franka", robot_ip="127.0.0.1")
    assert_stops_without_a_traceback(node, "robot_ip", "127.0.0.1", "cannot connect")


@pytest.mark.parametrize(
    ("backend", "robot"),
    [
        pytest.param(
            "kortex",
            "kinova",
            marks=[
                pytest.mark.skipif(not HAS_KORTEX_API, reason=NO_KORTEX_API),
                pytest.mark.skipif(
                    not ARM_IPS["kortex"],
                    reason="needs a Kinova arm on the network (set ARM4R_KINOVA_IP)",
                ),
            ],
        ),
        pytest.param(
            "franky",
            "franka",
            marks=pytest.mark.skipif(
                not ARM_IPS["franky"],
                reason="needs a Franka robot on the network (set ARM4R_FRANKA_IP)",
            ),
        ),
    ],
)
def test_a_real_arm_is_read_at_the_rate_into_joint_states_pose_and_gripper(
    graph, start_node, backend, robot
):
    rate_hz = 20.0
    node = start_node(
        "robot_state_node", backend=backend, robot=robot, robot_ip=ARM_IPS[backend], rate_hz=rate_hz
    )
    joints = graph.record(JointState, topics.JOINT_STATES)
    poses = graph.record(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
    grippers = graph.record(JointState, topics.GRIPPER_STATE, topics.SENSOR_QOS)
    enough = lambda: min(len(joints), len(poses), len(grippers)) >= 40  # noqa: E731
    assert graph.spin_until(enough, STARTUP), node.output()

    layout = DRIVER_LAYOUTS[robot]
    assert list(joints.messages[-1].name) == [*layout.joint_names, layout.gripper_joint]
    assert poses.messages[-1].header.frame_id == "base_link"
    assert 0.0 <= grippers.messages[-1].position[0] <= 1.0
    stamps = [stamp_to_ns(pose.header.stamp) for pose in poses.messages[-20:]]
    assert np.median(np.diff(stamps)) / 1e9 == pytest.approx(1.0 / rate_hz, rel=0.2)
