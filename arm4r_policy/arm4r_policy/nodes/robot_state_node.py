"""ROS 2 node publishing the arm's state: end-effector pose, gripper closure and joint states.

Publishes ``/arm4r/ee_pose`` (PoseStamped: the TCP in the base frame ``frame_id``),
``/arm4r/gripper_state`` (JointState, joint ``"gripper"``, closure 0 open .. 1 closed) and
``/diagnostics``; the backend decides where the state comes from:

kortex / franky
    The node owns the arm's state connection (drivers/kortex.py ``KortexState``,
    drivers/franka.py ``FrankaRobot``), reads it every ``1 / rate_hz`` seconds and also publishes
    ``/joint_states`` (reliable, as robot_state_publisher reads it) under the names of the
    arm's ROS 2 driver (``joint_names``, ``gripper_joint``), all stamped with the time of the
    read. An arm that cannot be reached at start, or a vendor library that is missing, stops the
    node with status 1; a read that fails later is reported as ERROR and retried.
passthrough
    A ROS 2 driver (ros2_kortex, franka_ros2) owns the arm and publishes ``/joint_states``; this
    node derives the TCP pose from the arm joints by forward kinematics (the published
    kinematics of sim/forward_kinematics.py) and the closure from ``gripper_joint``, stamped
    with the joint state's stamp, and does not republish ``/joint_states``. A joint state
    without every arm joint, or with a non-finite position, is refused: nothing is published
    and diagnostics say why.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from builtin_interfaces.msg import Time
from geometry_msgs.msg import PoseStamped
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Header

from arm4r_policy.drivers.hardware_robot import pose_vector
from arm4r_policy.errors import HardwareError, ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import GRIPPER_JOINT, state7_to_pose
from arm4r_policy.nodes.diagnostics import ERROR, OK, WARN, DiagnosticsReporter
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.process import run_node
from arm4r_policy.nodes.robot_state_parameters import (
    PARAMETERS,
    PASSTHROUGH,
    connect_arm,
    joint_state_layout,
    layout_parameters,
    passthrough_kinematics,
)
from arm4r_policy.runtime.stream_health import StreamHealth

NODE_NAME = "robot_state_node"


class RobotStateNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        p = declare_parameters(self, PARAMETERS)
        self.layout = joint_state_layout(declare_parameters(self, layout_parameters(p["robot"])))
        self.frame_id = p["frame_id"]
        self.arm = None
        self.health = StreamHealth()
        described = f"{NODE_NAME}: {p['robot']} via {p['backend']}"
        self.diagnostics = DiagnosticsReporter(self, described)
        self.pose_out = self.create_publisher(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
        self.gripper_out = self.create_publisher(
            JointState, topics.GRIPPER_STATE, topics.SENSOR_QOS
        )
        if p["backend"] == PASSTHROUGH:
            self.tcp_pose = passthrough_kinematics(p["robot"])
            self.create_subscription(
                JointState, topics.JOINT_STATES, self._on_joint_state, topics.SENSOR_QOS
            )
        else:
            self.arm = connect_arm(p)
            self.joints_out = self.create_publisher(
                JointState, topics.JOINT_STATES, topics.RELIABLE_QOS
            )
            self.create_timer(1.0 / p["rate_hz"], self._poll)

    def destroy_node(self) -> None:
        if self.arm is not None:
            self.arm.close()
        super().destroy_node()

    def _on_joint_state(self, msg: JointState) -> None:
        try:
            joints, closure = self.layout.read(msg.name, msg.position)
        except ObservationError as error:
            self._report_failure(f"joint state refused: {error}")
            return
        self._publish(self.tcp_pose(joints), closure, msg.header.stamp)

    def _poll(self) -> None:
        try:
            state = self.arm.read()
        except HardwareError as error:
            self._report_failure(f"state read failed: {error}")
            return
        stamp = self.get_clock().now().to_msg()
        names, positions = self.layout.joint_state(state.joint_positions, state.gripper_closure)
        self.joints_out.publish(
            JointState(header=Header(stamp=stamp), name=names, position=positions)
        )
        self._publish(state.tcp_pose, state.gripper_closure, stamp)

    def _publish(self, tcp_pose: np.ndarray, closure: float | None, stamp: Time) -> None:
        header = Header(stamp=stamp, frame_id=self.frame_id)
        # The state's seventh entry, the gripper, is no part of a pose.
        self.pose_out.publish(state7_to_pose(np.append(pose_vector(tcp_pose), 0.0), header))
        self.health.sample(time.monotonic())
        if closure is None:
            missing = f"no {self.layout.gripper_joint!r} in the joint state: no gripper state"
            self.diagnostics.report(WARN, missing, self._values())
            return
        gripper = JointState(header=header, name=[GRIPPER_JOINT], position=[closure])
        self.gripper_out.publish(gripper)
        self.diagnostics.report(OK, "publishing the arm's state", self._values())

    def _report_failure(self, reason: str) -> None:
        self.health.failure(reason)
        self.diagnostics.report(ERROR, reason, self._values())

    def _values(self) -> dict[str, str]:
        return {
            "rate_hz": f"{self.health.rate:.1f}",
            "last_error": self.health.last_error or "none",
        }


def main(args: Sequence[str] | None = None) -> int:
    return run_node(RobotStateNode, NODE_NAME, args)
