"""The closed loop in simulation: sim_node, policy_node and moveit_bridge_node as three processes
over real DDS, a random tiny policy driving the simulated Kinova arm."""

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Path
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import motion_result_target_ns, stamp_to_ns
from arm4r_policy.nodes.sim_messages import joint_positions, pose_to_matrix

from .sim_graph import (
    CELL,
    SIM_PARAMETERS,
    STARTUP,
    latest_before,
    loop_policy_parameters,
    save_tiny_checkpoint,
    tcp_error,
)

STEPS = 10
LOOP = 60.0  # [s] for STEPS motions once the policy is up; about 1 s each on 2 busy cores
HOLD = 2.0  # [s] watched for motion after the policy was killed


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return save_tiny_checkpoint(tmp_path_factory.mktemp("kinova_checkpoint"))


class Loop:
    """What the test watches of the running loop."""

    def __init__(self, graph) -> None:
        self.targets = graph.record(PoseStamped, topics.TARGET_POSE)
        self.paths = graph.record(Path, topics.PREDICTED_PATH)
        self.results = graph.record(DiagnosticStatus, topics.MOTION_RESULT)
        self.pose = graph.record(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
        self.joints = graph.record(JointState, topics.JOINT_STATES, topics.SENSOR_QOS)
        self.trajectories = graph.record(JointTrajectory, topics.SIM_JOINT_TRAJECTORY)

    def recorded_target(self, result: DiagnosticStatus) -> bool:
        stamp_ns = motion_result_target_ns(result)
        return any(stamp_to_ns(t.header.stamp) == stamp_ns for t in self.targets.messages)

    def target_of(self, result: DiagnosticStatus) -> PoseStamped:
        stamp_ns = motion_result_target_ns(result)
        (target,) = [t for t in self.targets.messages if stamp_to_ns(t.header.stamp) == stamp_ns]
        return target


@pytest.fixture
def loop(graph, start_node, checkpoint):
    """The three nodes running; returns (loop, policy process, every process)."""
    watched = Loop(graph)
    nodes = [
        start_node("sim_node", **SIM_PARAMETERS),
        start_node("moveit_bridge_node", backend="sim", cell="kinova"),
        start_node("policy_node", **loop_policy_parameters(checkpoint)),
    ]
    return watched, nodes[2], nodes


def logs(nodes) -> str:
    return "\n".join(node.output() for node in nodes)


def test_the_policy_drives_the_simulated_arm_to_its_clamped_targets_for_ten_steps(graph, loop):
    watched, _policy, nodes = loop
    # the targets reader may match the policy later than the results reader: count from the
    # first result whose target it recorded; from there on every target reached it too
    matched = lambda: any(map(watched.recorded_target, watched.results.messages))  # noqa: E731
    assert graph.spin_until(matched, STARTUP), logs(nodes)
    first = next(
        i for i, result in enumerate(watched.results.messages) if watched.recorded_target(result)
    )
    assert graph.spin_until(lambda: len(watched.results) >= first + STEPS, LOOP), logs(nodes)

    assert all(len(path.poses) == 16 for path in watched.paths.messages)
    steps = list(zip(watched.results.messages, watched.results.arrivals_ns, strict=True))[first:]
    done = [(result, arrival) for result, arrival in steps if result.level == DiagnosticStatus.OK]
    assert len(done) >= STEPS // 2, [result.message for result, _ in steps]
    for result, arrival_ns in done:
        reached = latest_before(watched.pose, arrival_ns)
        target = pose_to_matrix(watched.target_of(result), "base_link")
        distance_mm, angle_deg = tcp_error(reached, target)
        assert distance_mm < 5.0, result.message
        assert angle_deg < 2.0, result.message


def test_a_killed_policy_leaves_the_arm_holding_still(graph, loop):
    watched, policy, nodes = loop
    assert graph.spin_until(lambda: len(watched.results) >= 2, STARTUP + LOOP / 5), logs(nodes)
    policy.popen.kill()
    assert policy.wait_exit(5.0) is not None
    graph.spin_for(1.5)  # the motion in flight ends
    trajectories, results = len(watched.trajectories), len(watched.results)
    start = len(watched.joints)
    graph.spin_for(HOLD)

    assert len(watched.trajectories) == trajectories
    assert len(watched.results) == results
    held = np.array(
        [joint_positions(m, CELL.robot.chain.joint_names) for m in watched.joints.messages[start:]]
    )
    assert len(held) > 0.5 * HOLD * SIM_PARAMETERS["state_rate_hz"]
    assert np.ptp(held, axis=0).max() < 1e-3
