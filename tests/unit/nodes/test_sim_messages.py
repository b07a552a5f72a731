import numpy as np
import pytest
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticStatus, KeyValue
from sensor_msgs.msg import JointState
from std_msgs.msg import Header

from arm4r_policy.errors import CommandError, ObservationError
from arm4r_policy.nodes.sim_messages import (
    camera_info,
    gripper_done_closure,
    gripper_done_status,
    joint_positions,
    joint_state,
    joint_trajectory,
    matrix_to_pose,
    pose_to_matrix,
    trajectory_waypoints,
)
from arm4r_policy.runtime.pose import euler_xyz_to_matrix
from arm4r_policy.sim import CellConfig, SimCell
from arm4r_policy.sim.stepper import GripperDone

HEADER = Header(stamp=Time(sec=4, nanosec=5), frame_id="base_link")
JOINTS = [f"joint_{i}" for i in range(1, 8)]


def test_a_pose_survives_the_round_trip_through_a_pose_message():
    pose = np.eye(4)
    pose[:3, :3] = euler_xyz_to_matrix(np.array([3.0, -0.4, 1.2]))
    pose[:3, 3] = (0.4, -0.1, 0.3)
    msg = matrix_to_pose(pose, HEADER)
    assert msg.header == HEADER
    np.testing.assert_allclose(pose_to_matrix(msg, "base_link"), pose, atol=1e-12)


def test_a_pose_in_another_frame_or_with_a_zero_quaternion_is_refused():
    msg = matrix_to_pose(np.eye(4), HEADER)
    with pytest.raises(ObservationError, match="expected frame 'world', got 'base_link'"):
        pose_to_matrix(msg, "world")
    msg.pose.orientation.w = 0.0
    with pytest.raises(ObservationError):
        pose_to_matrix(msg, "base_link")


def test_trajectory_waypoints_come_back_in_the_order_of_the_joints_asked_for():
    times = np.array([0.0, 0.25, 1.000000001])
    positions = np.arange(21.0).reshape(3, 7) / 10
    msg = joint_trajectory(JOINTS[::-1], times, positions[:, ::-1], HEADER)
    assert msg.points[2].time_from_start.sec == 1
    assert msg.points[2].time_from_start.nanosec == 1
    back_times, back_positions = trajectory_waypoints(msg, JOINTS)
    np.testing.assert_allclose(back_times, times, atol=1e-12)
    np.testing.assert_array_equal(back_positions, positions)


def test_a_trajectory_for_other_joints_or_with_short_waypoints_is_refused():
    msg = joint_trajectory(JOINTS, [0.0, 1.0], np.zeros((2, 7)), HEADER)
    with pytest.raises(CommandError, match="expected waypoints for the joints"):
        trajectory_waypoints(msg, [*JOINTS[:6], "wrist"])
    msg.points[1].positions = [0.0] * 6
    with pytest.raises(CommandError, match=r"expected 7 positions per waypoint, got \[6, 7\]"):
        trajectory_waypoints(msg, JOINTS)


def test_joint_states_of_the_simulated_arm_read_back_as_its_joint_angles():
    with SimCell(CellConfig.franka()) as cell:
        msg = joint_state(cell, HEADER)
        names = list(cell.robot.chain.joint_names)
        assert msg.name[:7] == names
        assert len(msg.name) == len(msg.position) == len(msg.velocity) == 9
        np.testing.assert_array_equal(joint_positions(msg, names), cell.joint_positions)


def test_a_joint_state_without_an_asked_joint_is_refused():
    msg = JointState(name=JOINTS[:6], position=[0.0] * 6)
    with pytest.raises(ObservationError, match="expected positions for"):
        joint_positions(msg, JOINTS)


def test_camera_info_holds_the_intrinsics_as_k_and_p_without_distortion():
    k = np.array([[500.0, 0.0, 320.0], [0.0, 500.0, 240.0], [0.0, 0.0, 1.0]])
    info = camera_info(k, 640, 480, HEADER)
    assert (info.width, info.height) == (640, 480)
    np.testing.assert_array_equal(np.reshape(info.k, (3, 3)), k)
    np.testing.assert_array_equal(np.reshape(info.p, (3, 4))[:, :3], k)
    assert list(info.d) == [0.0] * 5


def test_a_gripper_completion_names_its_command_exactly_and_warns_when_unsettled():
    closure = 0.1 + 0.2  # not a short decimal
    settled = gripper_done_status(GripperDone(closure, 0.29, settled=True), "sim_node")
    assert settled.level == DiagnosticStatus.OK
    assert gripper_done_closure(settled) == closure
    moving = gripper_done_status(GripperDone(1.0, 0.5, settled=False), "sim_node")
    assert moving.level == DiagnosticStatus.WARN
    assert "still moving" in moving.message


def test_a_gripper_completion_without_a_closure_is_refused():
    with pytest.raises(ObservationError, match="expected a value 'closure'"):
        gripper_done_closure(DiagnosticStatus(values=[KeyValue(key="reached", value="1.0")]))
    with pytest.raises(ObservationError, match="expected a number"):
        gripper_done_closure(DiagnosticStatus(values=[KeyValue(key="closure", value="shut")]))
