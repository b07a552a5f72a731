"""ROS 2 node executing the policy's targets as linear Cartesian motions, one at a time.

Topics and parameters: nodes/__init__.py. Each ``/arm4r/target_pose`` goes to a ``MotionBridge``
(runtime/motion_bridge.py), which runs the motion on its worker thread through the backend
(nodes/motion_backends.py) while this node keeps spinning; every target gets exactly one status on
``/arm4r/motion_result``. Without targets the arm holds. Each ``/arm4r/instruction`` starts an
episode, after which the next gripper command is sent even if it repeats the last one.
"""

from __future__ import annotations

from collections.abc import Sequence

from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from rclpy.node import Node
from std_msgs.msg import Float64, String

from arm4r_policy.errors import CommandError, ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.bridge_parameters import PARAMETERS
from arm4r_policy.nodes.conversions import format_stamp, motion_result, stamp_to_ns
from arm4r_policy.nodes.diagnostics import ERROR, OK, DiagnosticsReporter
from arm4r_policy.nodes.motion_backends import make_backend
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.process import run_node
from arm4r_policy.nodes.sim_messages import pose_to_matrix
from arm4r_policy.runtime.motion_bridge import MotionBridge, MotionOutcome, MotionTarget

NODE_NAME = "moveit_bridge_node"


class MoveItBridgeNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        p = declare_parameters(self, PARAMETERS)
        self.frame_id = p["frame_id"]
        self.diagnostics = DiagnosticsReporter(self, f"{NODE_NAME}: motions")
        reliable = topics.RELIABLE_QOS
        self.results = self.create_publisher(DiagnosticStatus, topics.MOTION_RESULT, reliable)
        self.backend = make_backend(self, p)
        self.bridge = MotionBridge(self.backend, self._publish)
        self.create_subscription(PoseStamped, topics.TARGET_POSE, self._on_target, reliable)
        self.create_subscription(Float64, topics.GRIPPER_COMMAND, self._on_gripper, reliable)
        latched = topics.LATCHED_QOS
        self.create_subscription(String, topics.INSTRUCTION, self._on_instruction, latched)
        self.diagnostics.report(OK, f"{p['backend']} backend waiting for {topics.TARGET_POSE}")

    def _on_target(self, msg: PoseStamped) -> None:
        stamp_ns = stamp_to_ns(msg.header.stamp)
        try:
            target = MotionTarget(stamp_ns, pose_to_matrix(msg, self.frame_id))
        except ObservationError as error:
            self._publish(MotionOutcome(stamp_ns, False, f"target refused: {error}"))
            return
        self.bridge.submit(target)

    def _on_gripper(self, msg: Float64) -> None:
        try:
            self.bridge.command_gripper(msg.data)
        except CommandError as error:
            self.diagnostics.report(ERROR, f"ignored on {topics.GRIPPER_COMMAND}: {error}")

    def _on_instruction(self, msg: String) -> None:
        """A new episode: the gripper may have been reset, so its next command is always sent."""
        self.bridge.forget_gripper()

    def _publish(self, outcome: MotionOutcome) -> None:
        """Called by the bridge, on its worker thread for executed targets."""
        if not self.context.ok():
            return  # shutting down while a motion ended
        status = motion_result(outcome.stamp_ns, outcome.succeeded, outcome.message, NODE_NAME)
        self.results.publish(status)
        level = OK if outcome.succeeded else ERROR
        self.diagnostics.report(
            level, f"target {format_stamp(outcome.stamp_ns)}: {outcome.message}"
        )

    def destroy_node(self) -> None:
        self.backend.close()
        super().destroy_node()


def main(args: Sequence[str] | None = None) -> int:
    return run_node(MoveItBridgeNode, NODE_NAME, args)
