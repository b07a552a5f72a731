"""ROS 2 node recording scripted demonstrations through the graph, on any cell.

The robot is the graph (collect/ros_robot.py): ``/cameras/<name>/image_raw`` and ``camera_info``
of each camera of the cell, ``/arm4r/ee_pose``, ``/arm4r/gripper_state`` and ``/joint_states``
come in; targets go out on ``/arm4r/target_pose`` and gripper commands on
``/arm4r/gripper_command``, and moveit_bridge_node answers each target on
``/arm4r/motion_result``. With the parameter ``sim``, sim_node starts each episode
(``/arm4r/sim/reset``), gives its goal (``/arm4r/sim/goal``) and judges the demo
(``/arm4r/sim/success``); on a real arm the goal is the operator's ``goal_file``. The collection
(collect/graph_session.py) runs on the main thread while the executor spins on another; the node
exits once the collection holds ``episodes`` episodes (status 0), on an error (1, the reason
logged) or on Ctrl-C (130; the same launch resumes the collection).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.publisher import Publisher
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import CameraInfo, Image, JointState
from std_msgs.msg import Float64, Header
from std_srvs.srv import Trigger

from arm4r_policy.collect.goal_document import EpisodeGoal
from arm4r_policy.collect.graph_session import collect_through_graph
from arm4r_policy.collect.ros_robot import RosRobot
from arm4r_policy.errors import ARM4RError, ConfigError, HardwareError, ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.collect_parameters import (
    PARAMETERS,
    arm_joint_names,
    collect_request,
    operator_goal,
    robot_config,
)
from arm4r_policy.nodes.conversions import (
    gripper_closure,
    image_to_rgb,
    motion_result_target_ns,
    ns_to_stamp,
    stamp_to_ns,
)
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.sim_messages import joint_positions, matrix_to_pose, pose_to_matrix

NODE_NAME = "collect_node"
SERVICE_TIMEOUT = 10.0  # [s] for a sim_node service to appear, then to answer
DELIVERY_TIME = 0.1  # [s] a reliable message on this host reaches its matched reader within it
STARTUP_TIMEOUT = 30.0  # [s] for the graph to execute a first target
MATCH_SETTLE = 0.3  # [s] after a writer matched its reader, for the reader to match it too
EXIT_FAILED, EXIT_INTERRUPTED = 1, 130


class CollectNode(Node):
    """Feeds the graph's messages to a ``RosRobot`` and is its ``GraphLink``."""

    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        self.values = declare_parameters(self, PARAMETERS)
        self.frame_id, self.joint_names = self.values["frame_id"], arm_joint_names(self.values)
        self.robot = RosRobot(self, robot_config(self.values))
        sensor, reliable = topics.SENSOR_QOS, topics.RELIABLE_QOS
        self.target_out = self.create_publisher(PoseStamped, topics.TARGET_POSE, reliable)
        self.gripper_out = self.create_publisher(Float64, topics.GRIPPER_COMMAND, reliable)
        for camera in self.robot.camera_names:
            image, info = topics.camera_image(camera), topics.camera_info(camera)
            self.create_subscription(Image, image, partial(self._on_image, camera), sensor)
            self.create_subscription(CameraInfo, info, partial(self._on_info, camera), sensor)
        self.create_subscription(PoseStamped, topics.EE_POSE, self._on_ee_pose, sensor)
        self.create_subscription(JointState, topics.GRIPPER_STATE, self._on_gripper, sensor)
        self.create_subscription(JointState, topics.JOINT_STATES, self._on_joints, sensor)
        self.create_subscription(
            DiagnosticStatus, topics.MOTION_RESULT, self._on_motion_result, reliable
        )
        self.sim_services = {
            name: self.create_client(Trigger, name)
            for name in (topics.SIM_RESET, topics.SIM_GOAL, topics.SIM_SUCCESS)
        }

    @contextmanager
    def _ignoring_malformed(self, topic: str) -> Iterator[None]:
        try:
            yield
        except ObservationError as error:
            self.get_logger().warning(
                f"ignored a message on {topic}: {error}", throttle_duration_sec=5.0
            )

    def _on_image(self, camera: str, msg: Image) -> None:
        topic = topics.camera_image(camera)
        with self._ignoring_malformed(topic):
            self.robot.on_image(camera, stamp_to_ns(msg.header.stamp), image_to_rgb(msg, topic))

    def _on_info(self, camera: str, msg: CameraInfo) -> None:
        self.robot.on_camera_intrinsics(camera, np.reshape(msg.k, (3, 3)))

    def _on_ee_pose(self, msg: PoseStamped) -> None:
        with self._ignoring_malformed(topics.EE_POSE):
            pose = pose_to_matrix(msg, self.frame_id)
            self.robot.on_ee_pose(stamp_to_ns(msg.header.stamp), pose)

    def _on_gripper(self, msg: JointState) -> None:
        with self._ignoring_malformed(topics.GRIPPER_STATE):
            self.robot.on_gripper_state(stamp_to_ns(msg.header.stamp), gripper_closure(msg))

    def _on_joints(self, msg: JointState) -> None:
        with self._ignoring_malformed(topics.JOINT_STATES):
            positions = joint_positions(msg, self.joint_names)
            self.robot.on_joint_state(stamp_to_ns(msg.header.stamp), positions)

    def _on_motion_result(self, status: DiagnosticStatus) -> None:
        with self._ignoring_malformed(topics.MOTION_RESULT):
            succeeded = status.level == DiagnosticStatus.OK
            target_ns = motion_result_target_ns(status)
            self.robot.on_motion_result(target_ns, succeeded, status.message)

    # --- GraphLink ---------------------------------------------------------------------------

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def send_target(self, pose: np.ndarray, stamp_ns: int) -> None:
        header = Header(stamp=ns_to_stamp(stamp_ns), frame_id=self.frame_id)
        self._await_reader(self.target_out, topics.TARGET_POSE)
        self.target_out.publish(matrix_to_pose(pose, header))

    def send_gripper(self, closure: float) -> None:
        self._await_reader(self.gripper_out, topics.GRIPPER_COMMAND)
        self.gripper_out.publish(Float64(data=closure))
        time.sleep(DELIVERY_TIME)

    def _await_reader(self, publisher: Publisher, topic: str) -> None:
        """A command sent before discovery has matched its reader is lost: wait for one."""
        if publisher.get_subscription_count() > 0:
            return
        deadline = time.monotonic() + SERVICE_TIMEOUT
        while publisher.get_subscription_count() == 0:
            if time.monotonic() > deadline:
                raise HardwareError(f"nobody subscribes {topic}: is moveit_bridge_node up?")
            time.sleep(0.05)
        time.sleep(MATCH_SETTLE)

    def reset_simulation(self) -> str:
        return self.call_trigger(topics.SIM_RESET).message

    # --- sim_node's view of the episode -------------------------------------------------------

    def simulation_goal(self) -> EpisodeGoal:
        answer = self.call_trigger(topics.SIM_GOAL).message
        try:
            return EpisodeGoal.from_document(json.loads(answer), topics.SIM_GOAL)
        except (ValueError, ConfigError) as error:
            raise HardwareError(f"{topics.SIM_GOAL} answered {answer!r}: {error}") from error

    def simulation_verdict(self) -> str:
        answer = self.call_trigger(topics.SIM_SUCCESS)
        return "" if answer.success else answer.message

    def call_trigger(self, service: str) -> Trigger.Response:
        """Call a sim_node service from the collection thread while the executor spins."""
        client = self.sim_services[service]
        if not client.wait_for_service(timeout_sec=SERVICE_TIMEOUT):
            raise HardwareError(f"no service {service} in {SERVICE_TIMEOUT} s: is sim_node up?")
        answered = threading.Event()
        future = client.call_async(Trigger.Request())
        future.add_done_callback(lambda _: answered.set())
        if not answered.wait(SERVICE_TIMEOUT):
            raise HardwareError(f"{service} did not answer in {SERVICE_TIMEOUT} s")
        return future.result()


def main(args: Sequence[str] | None = None) -> int:
    # Ctrl-C raises KeyboardInterrupt in the collection thread, wherever it waits.
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    executor, node = SingleThreadedExecutor(), None
    try:
        node = CollectNode()
        executor.add_node(node)
        threading.Thread(target=executor.spin, daemon=True).start()
        if node.values["sim"]:
            goal, verdict = node.simulation_goal, node.simulation_verdict
        else:
            goal, verdict = partial(operator_goal, node.values), lambda: ""
        request = collect_request(node.values)
        node.robot.wait_until_ready(STARTUP_TIMEOUT)
        collect_through_graph(node.robot, request, goal, verdict, node.get_logger().info)
    except ARM4RError as error:
        rclpy.logging.get_logger(NODE_NAME).fatal(str(error))
        return EXIT_FAILED
    except (KeyboardInterrupt, ExternalShutdownException):
        return EXIT_INTERRUPTED
    finally:
        executor.shutdown()
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0
