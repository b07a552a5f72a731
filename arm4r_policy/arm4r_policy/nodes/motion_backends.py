"""The motion bridge's backends: the IK planner driving sim_node, or MoveIt driving an arm.

Both block their caller (the bridge's worker thread) until the motion is over, while the node's
executor keeps spinning on the main thread and delivers the replies they wait for.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from diagnostic_msgs.msg import DiagnosticStatus
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64, Header
from trajectory_msgs.msg import JointTrajectory

from arm4r_policy.errors import ConfigError, HardwareError, ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import motion_result_target_ns, stamp_to_ns
from arm4r_policy.nodes.sim_messages import gripper_done_closure, joint_positions, joint_trajectory
from arm4r_policy.planning import LinearMotionLimits, plan_linear
from arm4r_policy.sim.robot import arm_model
from arm4r_policy.sim.tasks.layout import CELL_CONFIGS

JOINT_STATE_MAX_AGE = 0.5  # [s] oldest joint state a motion may be planned from


class _Reply:
    """One awaited reply: ``expect`` it, send, ``wait``; subscriptions ``deliver`` replies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Event()
        self._key: Any = None
        self._value: Any = None

    def expect(self, key: Any) -> None:
        with self._lock:
            self._key, self._value = key, None
            self._arrived.clear()

    def deliver(self, key: Any, value: Any) -> None:
        with self._lock:
            if key == self._key and not self._arrived.is_set():
                self._value = value
                self._arrived.set()

    def wait(self, timeout: float) -> Any:
        """The reply, or None when none came within ``timeout`` [s]."""
        return self._value if self._arrived.wait(timeout) else None


class SimBackend:
    """Plans each linear motion with the IK planner from the latest ``/joint_states`` and has
    sim_node execute it; a refused plan sends nothing."""

    def __init__(self, node: Node, cell: str, limits: LinearMotionLimits, timeout: float) -> None:
        robot = CELL_CONFIGS[cell]().robot
        self._node, self._limits, self._timeout = node, limits, timeout
        self._arm, self._joint_names = arm_model(robot), robot.chain.joint_names
        self._joints: tuple[int, np.ndarray] | None = None  # stamp [ns], positions (7,) [rad]
        self._first_joint_state = threading.Event()
        self._trajectory_done, self._gripper_done = _Reply(), _Reply()
        reliable = topics.RELIABLE_QOS
        self._trajectory_out = node.create_publisher(
            JointTrajectory, topics.SIM_JOINT_TRAJECTORY, reliable
        )
        self._gripper_out = node.create_publisher(Float64, topics.SIM_GRIPPER_COMMAND, reliable)
        node.create_subscription(
            JointState, topics.JOINT_STATES, self._on_joint_state, topics.SENSOR_QOS
        )
        node.create_subscription(
            DiagnosticStatus, topics.SIM_TRAJECTORY_DONE, self._on_trajectory_done, reliable
        )
        node.create_subscription(
            DiagnosticStatus, topics.SIM_GRIPPER_DONE, self._on_gripper_done, reliable
        )

    def _on_joint_state(self, msg: JointState) -> None:
        try:
            self._joints = (stamp_to_ns(msg.header.stamp), joint_positions(msg, self._joint_names))
            self._first_joint_state.set()
        except ObservationError as error:
            self._ignore(topics.JOINT_STATES, error)

    def _on_trajectory_done(self, status: DiagnosticStatus) -> None:
        try:
            self._trajectory_done.deliver(motion_result_target_ns(status), status)
        except ObservationError as error:
            self._ignore(topics.SIM_TRAJECTORY_DONE, error)

    def _on_gripper_done(self, status: DiagnosticStatus) -> None:
        try:
            self._gripper_done.deliver(gripper_done_closure(status), status)
        except ObservationError as error:
            self._ignore(topics.SIM_GRIPPER_DONE, error)

    def _ignore(self, topic: str, error: ObservationError) -> None:
        self._node.get_logger().warning(
            f"ignored a message on {topic}: {error}", throttle_duration_sec=5.0
        )

    def move_linear(self, target_pose: np.ndarray) -> None:
        trajectory = plan_linear(self._arm, self._current_joints(), target_pose, self._limits)
        if len(trajectory.times) == 1:
            return  # already at the target
        stamp = self._node.get_clock().now()
        msg = joint_trajectory(
            self._joint_names, trajectory.times, trajectory.positions, Header(stamp=stamp.to_msg())
        )
        self._trajectory_done.expect(stamp.nanoseconds)
        self._trajectory_out.publish(msg)
        self._check(self._trajectory_done.wait(self._timeout), "joint trajectory")

    def set_gripper(self, closure: float) -> None:
        self._gripper_done.expect(closure)
        self._gripper_out.publish(Float64(data=closure))
        self._check(self._gripper_done.wait(self._timeout), f"gripper command {closure}")

    def close(self) -> None:
        """Nothing to release: sim_node owns the simulation."""

    def _current_joints(self) -> np.ndarray:
        """The latest joint state; a target that comes before the first one waits for it."""
        if not self._first_joint_state.wait(self._timeout):
            raise HardwareError(
                f"no joint state on {topics.JOINT_STATES} in {self._timeout} s: is sim_node up?"
            )
        stamp_ns, positions = self._joints
        age = (self._node.get_clock().now().nanoseconds - stamp_ns) / 1e9
        if age > JOINT_STATE_MAX_AGE:
            raise HardwareError(
                f"the last joint state on {topics.JOINT_STATES} is {age:.2f} s old, above "
                f"{JOINT_STATE_MAX_AGE} s: is sim_node up?"
            )
        return positions

    def _check(self, status: DiagnosticStatus | None, command: str) -> None:
        if status is None:
            raise HardwareError(f"sim_node did not finish the {command} in {self._timeout} s")
        if status.level != DiagnosticStatus.OK:
            raise HardwareError(f"sim_node did not finish the {command}: {status.message}")


class MoveItBackend:
    """MoveIt's Pilz LIN planner and the gripper action (``planning/moveit.py``), connected."""

    def __init__(self, node: Node, values: Mapping[str, Any]) -> None:
        try:
            from arm4r_policy.planning.gripper_action import GripperCommandClient
            from arm4r_policy.planning.moveit import MoveItLinearPlanner, MoveItPlannerConfig

            presets = {
                "kinova": MoveItPlannerConfig.kinova_gen3,
                "franka": MoveItPlannerConfig.panda,
            }
            overrides = {
                name: values[f"moveit_{name}"]
                for name in ("group", "pose_link")
                if values[f"moveit_{name}"]
            }
            config = presets[values["cell"]](
                velocity_scaling=values["speed_scaling"],
                acceleration_scaling=values["speed_scaling"],
                **overrides,
            )
            gripper = GripperCommandClient(
                node,
                values["gripper_action"],
                closed_position=values["gripper_closed_position"],
                open_position=values["gripper_open_position"],
            )
            self._planner = MoveItLinearPlanner(config, gripper)
            self._planner.connect()
        except ImportError as error:
            raise ConfigError(
                f"parameter backend: 'moveit' needs moveit_py and control_msgs, which cannot be "
                f"imported here ({error}); use backend 'sim' here, or the docker image"
            ) from error
        self._frame_id = values["frame_id"]

    def move_linear(self, target_pose: np.ndarray) -> None:
        self._planner.move_linear(target_pose, self._frame_id)

    def set_gripper(self, closure: float) -> None:
        self._planner.set_gripper(closure)

    def close(self) -> None:
        self._planner.shutdown()


def make_backend(node: Node, values: Mapping[str, Any]) -> SimBackend | MoveItBackend:
    """The backend named by the parameter ``backend``."""
    if values["backend"] == "moveit":
        return MoveItBackend(node, values)
    limits = LinearMotionLimits(speed_scale=values["speed_scaling"])
    return SimBackend(node, values["cell"], limits, values["motion_timeout"])
