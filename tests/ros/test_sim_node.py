"""sim_node in its own process: cameras, robot state, controllers and services over real DDS."""

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from sensor_msgs.msg import CameraInfo, Image, JointState
from std_msgs.msg import Header, String
from trajectory_msgs.msg import JointTrajectory

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import motion_result_target_ns, stamp_to_ns
from arm4r_policy.nodes.sim_messages import joint_positions, joint_trajectory
from arm4r_policy.sim import SimCell

from .sim_graph import (
    CAMERAS,
    CELL,
    INSTRUCTION,
    SIM_PARAMETERS,
    STARTUP,
    call_trigger,
    home_tcp,
    send_when_matched,
    tcp_error,
)
from .test_policy_node import assert_stops_naming

JOINTS = list(CELL.robot.chain.joint_names)
MEASURED = 2.0  # [s] over which rates are counted


class Streams:
    """Everything sim_node publishes, recorded by the test."""

    def __init__(self, graph) -> None:
        sensor = topics.SENSOR_QOS
        self.images = {c: graph.record(Image, topics.camera_image(c), sensor) for c in CAMERAS}
        self.infos = {c: graph.record(CameraInfo, topics.camera_info(c), sensor) for c in CAMERAS}
        self.joints = graph.record(JointState, topics.JOINT_STATES, sensor)
        self.pose = graph.record(PoseStamped, topics.EE_POSE, sensor)
        self.gripper = graph.record(JointState, topics.GRIPPER_STATE, sensor)
        self.instruction = graph.record(String, topics.INSTRUCTION, topics.LATCHED_QOS)
        self.done = graph.record(DiagnosticStatus, topics.SIM_TRAJECTORY_DONE)

    def all(self):
        return [*self.images.values(), *self.infos.values(), self.joints, self.pose, self.gripper]


@pytest.fixture
def streams(graph, start_node):
    """The recorded streams, once every one has delivered."""
    recorded = Streams(graph)
    node = start_node("sim_node", **SIM_PARAMETERS)
    assert graph.spin_until(lambda: all(recorded.all()), STARTUP), node.output()
    return recorded


def send_trajectory(graph, goal: np.ndarray, duration: float, streams) -> JointTrajectory:
    """A trajectory from the current joint angles to ``goal`` (7,) [rad] in ``duration`` [s]."""
    start = joint_positions(streams.joints.messages[-1], JOINTS)
    header = Header(stamp=graph.node.get_clock().now().to_msg())
    msg = joint_trajectory(JOINTS, [0.0, duration], [start, goal], header)
    assert send_when_matched(
        graph, graph.publisher(JointTrajectory, topics.SIM_JOINT_TRAJECTORY), msg
    )
    return msg


def await_done(graph, streams, trajectory: JointTrajectory, timeout: float) -> DiagnosticStatus:
    stamp_ns = stamp_to_ns(trajectory.header.stamp)

    def answers() -> list[DiagnosticStatus]:
        return [s for s in streams.done.messages if motion_result_target_ns(s) == stamp_ns]

    assert graph.spin_until(answers, timeout)
    return answers()[0]


def test_both_cameras_and_the_robot_state_stream_at_their_rates(graph, streams):
    start = [len(recorder) for recorder in streams.all()]
    graph.spin_for(MEASURED)
    rates = [(len(r) - n) / MEASURED for r, n in zip(streams.all(), start, strict=True)]
    cameras, states = rates[: 2 * len(CAMERAS)], rates[2 * len(CAMERAS) :]
    assert all(9.0 <= rate <= 17.0 for rate in cameras), rates  # 15 Hz
    assert all(30.0 <= rate <= 55.0 for rate in states), rates  # 50 Hz

    ego = streams.images["ego"].messages[-1]
    assert (ego.width, ego.height, ego.encoding) == (96, 96, "rgb8")
    assert ego.header.frame_id == "ego_optical_frame"
    info = streams.infos["side"].messages[-1]
    with SimCell(CELL) as cell:
        expected_k = cell.camera_intrinsics("side", (96, 96))
    np.testing.assert_allclose(np.reshape(info.k, (3, 3)), expected_k)
    stamps = [stamp_to_ns(m.header.stamp) for m in streams.images["side"].messages]
    assert stamps == sorted(set(stamps))

    assert streams.joints.messages[-1].name[:7] == JOINTS
    np.testing.assert_allclose(
        joint_positions(streams.joints.messages[-1], JOINTS), CELL.home, atol=1e-3
    )
    pose = streams.pose.messages[-1]
    assert pose.header.frame_id == "base_link"
    distance_mm, angle_deg = tcp_error(pose, home_tcp())
    assert distance_mm < 1.0
    assert angle_deg < 0.1
    assert streams.gripper.messages[-1].name == ["gripper"]
    assert streams.gripper.messages[-1].position[0] == pytest.approx(0.0, abs=0.01)
    assert graph.spin_until(lambda: streams.instruction, 2.0)
    assert streams.instruction.messages[0].data == INSTRUCTION


def test_a_joint_trajectory_moves_the_arm_while_the_cameras_stream_then_is_reported_done(
    graph, streams
):
    goal = np.add(CELL.home, [0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.4])
    trajectory = send_trajectory(graph, goal, duration=1.0, streams=streams)
    sent_ns = graph.now_ns()
    frames_before = len(streams.images["ego"])

    done = await_done(graph, streams, trajectory, timeout=5.0)
    assert done.level == DiagnosticStatus.OK, done.message
    done_ns = streams.done.arrivals_ns[streams.done.messages.index(done)]
    assert done_ns - sent_ns >= 1.0e9  # the motion, then the settle time
    assert len(streams.images["ego"]) - frames_before >= 10  # 15 Hz during the motion
    graph.spin_for(0.1)
    reached = joint_positions(streams.joints.messages[-1], JOINTS)
    np.testing.assert_allclose(reached, goal, atol=2e-3)


def test_a_trajectory_beyond_a_joint_limit_is_refused_naming_the_joint_and_the_arm_holds(
    graph, streams
):
    goal = np.add(CELL.home, [0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # joint 2 limit: 1.4 rad
    trajectory = send_trajectory(graph, goal, duration=1.0, streams=streams)
    done = await_done(graph, streams, trajectory, timeout=5.0)
    assert done.level == DiagnosticStatus.ERROR
    assert "joint 2" in done.message
    assert "outside" in done.message
    graph.spin_for(0.5)
    held = joint_positions(streams.joints.messages[-1], JOINTS)
    np.testing.assert_allclose(held, CELL.home, atol=1e-3)


def test_reset_starts_the_next_seed_at_home_and_success_answers(graph, start_node):
    streams = Streams(graph)
    node = start_node("sim_node", **(SIM_PARAMETERS | {"seed": 3}))
    assert graph.spin_until(lambda: all(streams.all()), STARTUP), node.output()
    success = call_trigger(graph, topics.SIM_SUCCESS)
    assert success is not None, node.output()
    assert not success.success
    assert "seed 3" in success.message

    goal = np.add(CELL.home, [0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    await_done(graph, streams, send_trajectory(graph, goal, 0.5, streams), timeout=5.0)
    assert tcp_error(streams.pose.messages[-1], home_tcp())[0] > 10.0

    reset = call_trigger(graph, topics.SIM_RESET)
    assert reset is not None
    assert reset.success
    assert reset.message == f"episode seed 4: {INSTRUCTION}"
    assert graph.spin_until(lambda: len(streams.instruction) >= 2, 3.0)
    graph.spin_for(0.2)
    assert tcp_error(streams.pose.messages[-1], home_tcp())[0] < 1.0


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"cell": "ur5"}, "cell"),
        ({"task": "fold_laundry"}, "task"),
        ({"variation": "purple"}, "variation"),
        ({"camera_rate_hz": 0.0}, "camera_rate_hz"),
    ],
)
def test_an_invalid_parameter_stops_the_node_with_its_name(start_node, parameters, named):
    node = start_node("sim_node", **(SIM_PARAMETERS | parameters))
    assert_stops_naming(node, named)
