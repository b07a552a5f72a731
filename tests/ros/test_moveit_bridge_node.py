"""moveit_bridge_node and sim_node in their own processes: targets in, motions and results out."""

import importlib.util

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64
from trajectory_msgs.msg import JointTrajectory

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.sim_messages import joint_positions, pose_to_matrix

from .sim_graph import (
    CELL,
    SIM_PARAMETERS,
    STARTUP,
    call_trigger,
    results_for,
    send_when_matched,
    shifted,
    target_message,
    tcp_error,
)
from .test_policy_node import assert_stops_naming

JOINTS = list(CELL.robot.chain.joint_names)
MOTION = 10.0  # [s] longest wait for a motion result
NO_MOVEIT = "moveit_py is not installable here; runs in the docker image"
HAS_MOVEIT = importlib.util.find_spec("moveit") is not None


class Arm:
    """The test's side: sends targets and gripper commands, records the robot and the results."""

    def __init__(self, graph) -> None:
        self.graph = graph
        self.pose = graph.record(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
        self.joints = graph.record(JointState, topics.JOINT_STATES, topics.SENSOR_QOS)
        self.gripper = graph.record(JointState, topics.GRIPPER_STATE, topics.SENSOR_QOS)
        self.results = graph.record(DiagnosticStatus, topics.MOTION_RESULT)
        self.trajectories = graph.record(JointTrajectory, topics.SIM_JOINT_TRAJECTORY)
        self.targets = graph.publisher(PoseStamped, topics.TARGET_POSE)
        self.gripper_commands = graph.publisher(Float64, topics.GRIPPER_COMMAND)

    def tcp(self) -> np.ndarray:
        latest = self.pose.messages[-1]
        return pose_to_matrix(latest, latest.header.frame_id)

    def send(self, pose: np.ndarray) -> PoseStamped:
        target = target_message(self.graph, pose)
        assert send_when_matched(self.graph, self.targets, target)
        return target

    def await_result(self, target: PoseStamped, timeout: float = MOTION) -> DiagnosticStatus:
        assert self.graph.spin_until(lambda: results_for(self.results, target), timeout)
        return results_for(self.results, target)[0]


@pytest.fixture
def arm(graph, start_node):
    """sim_node and the bridge (sim backend) running, the robot state streaming."""
    recorded = Arm(graph)
    sim = start_node("sim_node", **SIM_PARAMETERS)
    bridge = start_node("moveit_bridge_node", backend="sim", cell="kinova")
    up = graph.spin_until(
        lambda: (
            recorded.pose
            and recorded.joints
            and recorded.gripper
            and recorded.targets.get_subscription_count()
        ),
        STARTUP,
    )
    assert up, f"{sim.output()}\n{bridge.output()}"
    return recorded


def test_a_reachable_target_is_reached_and_answered_once_as_done(graph, arm):
    goal = shifted(arm.tcp(), (0.03, -0.02, -0.03), yaw=0.2)
    target = arm.send(goal)
    result = arm.await_result(target)
    assert result.level == DiagnosticStatus.OK, result.message
    assert result.name == "moveit_bridge_node"
    graph.spin_for(0.3)
    assert len(results_for(arm.results, target)) == 1
    distance_mm, angle_deg = tcp_error(arm.pose.messages[-1], goal)
    assert distance_mm < 5.0
    assert angle_deg < 2.0


def test_an_unreachable_target_fails_with_the_planners_reason_and_the_arm_holds(graph, arm):
    before = joint_positions(arm.joints.messages[-1], JOINTS)
    target = arm.send(shifted(arm.tcp(), (1.5, 0.0, 0.0)))
    result = arm.await_result(target)
    assert result.level == DiagnosticStatus.ERROR
    assert "PlanningError" in result.message
    assert "unreachable" in result.message
    graph.spin_for(1.0)
    assert len(arm.trajectories) == 0
    after = joint_positions(arm.joints.messages[-1], JOINTS)
    np.testing.assert_allclose(after, before, atol=1e-4)


def test_a_gripper_command_closes_the_gripper_after_the_motion(graph, arm):
    assert arm.gripper.messages[-1].position[0] < 0.05
    assert send_when_matched(graph, arm.gripper_commands, Float64(data=1.0))
    target = arm.send(shifted(arm.tcp(), (0.0, 0.0, 0.02)))
    result = arm.await_result(target)
    assert result.level == DiagnosticStatus.OK, result.message
    assert "gripper" in result.message
    graph.spin_for(0.1)
    assert arm.gripper.messages[-1].position[0] > 0.9


def test_after_a_reset_opens_the_gripper_a_repeated_close_command_closes_it_again(graph, arm):
    def close_with_a_motion() -> DiagnosticStatus:
        assert send_when_matched(graph, arm.gripper_commands, Float64(data=1.0))
        return arm.await_result(arm.send(shifted(arm.tcp(), (0.0, 0.0, 0.02))))

    assert "gripper" in close_with_a_motion().message
    assert call_trigger(graph, topics.SIM_RESET).success
    assert graph.spin_until(lambda: arm.gripper.messages[-1].position[0] < 0.05, MOTION)
    graph.spin_for(0.3)
    result = close_with_a_motion()
    assert result.level == DiagnosticStatus.OK, result.message
    assert "gripper moved to closure 1.00" in result.message
    graph.spin_for(0.1)
    assert arm.gripper.messages[-1].position[0] > 0.9


def test_a_target_sent_during_a_motion_is_refused_and_the_motion_goes_on(graph, arm):
    start = arm.tcp()
    first = arm.send(shifted(start, (0.0, 0.0, 0.1)))  # about 0.6 s of motion
    graph.spin_for(0.05)
    second = target_message(graph, shifted(start, (0.0, 0.05, 0.0)))
    arm.targets.publish(second)
    refused = arm.await_result(second)
    assert refused.level == DiagnosticStatus.ERROR
    assert "still running" in refused.message
    assert not results_for(arm.results, first)
    done = arm.await_result(first)
    assert done.level == DiagnosticStatus.OK, done.message


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"backend": "ros1"}, "backend"),
        ({"cell": "ur5"}, "cell"),
        ({"speed_scaling": 1.5}, "speed_scaling"),
    ],
)
def test_an_invalid_parameter_stops_the_node_with_its_name(start_node, parameters, named):
    assert_stops_naming(start_node("moveit_bridge_node", **parameters), named)


@pytest.mark.skipif(HAS_MOVEIT, reason="moveit_py is installed: the moveit backend can start")
def test_the_moveit_backend_without_moveit_py_stops_the_node_naming_both(start_node):
    node = start_node("moveit_bridge_node", backend="moveit")
    assert_stops_naming(node, "backend")
    assert "moveit_py" in node.output()


@pytest.mark.skipif(not HAS_MOVEIT, reason=NO_MOVEIT)
def test_the_moveit_backend_answers_an_unreachable_target_once_with_an_error(graph, start_node):
    results = graph.record(DiagnosticStatus, topics.MOTION_RESULT)
    targets = graph.publisher(PoseStamped, topics.TARGET_POSE)
    node = start_node("moveit_bridge_node", backend="moveit", cell="kinova")
    target = target_message(graph, shifted(np.eye(4), (3.0, 0.0, 0.0)))
    assert send_when_matched(graph, targets, target, timeout=60.0), node.output()
    assert graph.spin_until(lambda: results_for(results, target), 60.0), node.output()
    graph.spin_for(1.0)
    (result,) = results_for(results, target)
    assert result.level == DiagnosticStatus.ERROR
