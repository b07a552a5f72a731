"""ROS 2 node running the streaming ARM4R policy: observe, predict, guard, send, await the motion.

Topics, the motion-result contract and the refusal rules: nodes/__init__.py. The loop is a timer:
each tick it looks for a ready observation (runtime/sync.py) and steps the policy, so the
subscription callbacks only store messages. A point-tracking checkpoint runs the same loop as a
track predictor (policy_tracks.py): it publishes predicted points and never a robot command.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial

import numpy as np
from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Path
from rclpy.node import Node
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Float64, Header, String

from arm4r_policy.errors import ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import (
    format_stamp,
    gripper_closure,
    image_to_rgb,
    motion_result_target_ns,
    ns_to_stamp,
    pose_to_state7,
    stamp_to_ns,
    state7_to_pose,
    states_to_path,
)
from arm4r_policy.nodes.diagnostics import ERROR, OK, WARN, DiagnosticsReporter
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.policy_parameters import (
    PARAMETERS,
    input_cameras,
    load_policy,
    safety_limits,
)
from arm4r_policy.nodes.policy_tracks import TrackPublisher
from arm4r_policy.nodes.process import run_node
from arm4r_policy.runtime.policy import checked_state
from arm4r_policy.runtime.safety import guard_target
from arm4r_policy.runtime.sync import MotionGate, Observation, ObservationSynchronizer, Shortfall
from arm4r_policy.runtime.track_prediction import TrackPredictor

NODE_NAME = "policy_node"
POLL_PERIOD = 0.01  # [s] how often a ready observation is looked for (outside dry runs)
# Waiting for the next frame (Shortfall.NOT_NEWER) is the normal state and leaves the status as is.
SHORTFALL_LEVELS = {Shortfall.MISSING: WARN, Shortfall.STALE: ERROR, Shortfall.UNSYNCHRONISED: WARN}


class PolicyNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        p = declare_parameters(self, PARAMETERS)
        self.frame_id, self.dry_run = p["frame_id"], p["dry_run"]
        self.limits = safety_limits(p)
        self.policy = load_policy(p)
        self.cameras = [topics.camera_image(name) for name in input_cameras(p, self.policy)]
        inputs = [*self.cameras, topics.EE_POSE, topics.GRIPPER_STATE]
        self.sync = ObservationSynchronizer(inputs, p["sync_tolerance"], p["staleness_timeout"])
        self.gate = MotionGate(p["motion_timeout"])
        self.instruction: str | None = None
        self.diagnostics = DiagnosticsReporter(self, f"{NODE_NAME}: policy loop")

        self.tracks = None  # a points checkpoint's publisher; it never closes the gate
        if isinstance(self.policy, TrackPredictor):
            self.tracks = TrackPublisher(self, self.policy, p["track_camera"])
            period = 1.0 / p["track_rate_hz"]
        else:
            self._create_control_outputs()
            period = 1.0 / p["dry_run_rate_hz"] if self.dry_run else POLL_PERIOD
        for camera in self.cameras:
            self.create_subscription(Image, camera, partial(self._keep, camera), topics.SENSOR_QOS)
        for kind, topic in ((PoseStamped, topics.EE_POSE), (JointState, topics.GRIPPER_STATE)):
            self.create_subscription(kind, topic, partial(self._keep, topic), topics.SENSOR_QOS)
        self.create_subscription(
            String, topics.INSTRUCTION, self._on_instruction, topics.LATCHED_QOS
        )
        self.create_timer(period, self._tick)

    def _create_control_outputs(self) -> None:
        """Targets, gripper commands and paths out; motion results in."""
        dry = self.dry_run
        target_topic = topics.DRY_RUN_TARGET_POSE if dry else topics.TARGET_POSE
        gripper_topic = topics.DRY_RUN_GRIPPER_COMMAND if dry else topics.GRIPPER_COMMAND
        self.target_out = self.create_publisher(PoseStamped, target_topic, topics.RELIABLE_QOS)
        self.gripper_out = self.create_publisher(Float64, gripper_topic, topics.RELIABLE_QOS)
        self.path_out = self.create_publisher(Path, topics.PREDICTED_PATH, topics.RELIABLE_QOS)
        self.create_subscription(
            DiagnosticStatus, topics.MOTION_RESULT, self._on_motion_result, topics.RELIABLE_QOS
        )

    def _now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def _keep(self, topic: str, msg: Image | PoseStamped | JointState) -> None:
        self.sync.add(topic, stamp_to_ns(msg.header.stamp), msg)

    def _on_instruction(self, msg: String) -> None:
        """Every instruction message starts an episode, also one repeating the last text."""
        self.instruction = msg.data
        self.policy.reset()
        self.get_logger().info(f"instruction {msg.data!r}: new episode, policy reset")

    def _on_motion_result(self, status: DiagnosticStatus) -> None:
        try:
            stamp_ns = motion_result_target_ns(status)
        except ObservationError as error:
            self.diagnostics.report(WARN, f"ignored a message on {topics.MOTION_RESULT}: {error}")
            return
        if not self.gate.finish(stamp_ns, self._now_ns()):
            return  # a result for another target, or one that came after its timeout
        if status.level == DiagnosticStatus.OK:
            self.diagnostics.report(OK, f"motion to target {format_stamp(stamp_ns)} done")
        else:
            failed = f"motion to target {format_stamp(stamp_ns)} failed: {status.message}"
            self.diagnostics.report(ERROR, failed)

    def _tick(self) -> None:
        overdue_ns = self.gate.expire(self._now_ns())
        if overdue_ns is not None:
            timeout = self.gate.timeout_ns / 1e9
            missing = f"no motion result for target {format_stamp(overdue_ns)} in {timeout:.1f} s"
            self.diagnostics.report(ERROR, missing)
        if not self.gate.is_open:
            return
        if self.instruction is None:
            self.diagnostics.report(WARN, f"waiting for an instruction on {topics.INSTRUCTION}")
            return
        if not (self.tracks or self.dry_run or self.target_out.get_subscription_count()):
            # a target nobody receives would only cost a motion timeout
            self.diagnostics.report(WARN, f"waiting for a motion executor on {topics.TARGET_POSE}")
            return
        observation = self.sync.take(self._now_ns(), after_ns=self.gate.opened_at_ns)
        if isinstance(observation, Observation):
            self._act(observation)
        elif observation.kind in SHORTFALL_LEVELS:
            self.diagnostics.report(SHORTFALL_LEVELS[observation.kind], observation.reason)

    def _act(self, observation: Observation) -> None:
        started = time.perf_counter()
        try:
            images, state = self._decode(observation)
            if self.tracks is not None:
                done = self.tracks.publish(images, self.instruction, observation.stamp_ns)
            else:
                done = self._step_policy(images, state, observation)
        except ObservationError as error:
            self.diagnostics.report(ERROR, f"observation refused: {error}")
            return
        if done is None:
            return
        timing = {
            "step_ms": f"{(time.perf_counter() - started) * 1e3:.1f}",
            "observation_age_ms": f"{(self._now_ns() - observation.stamp_ns) / 1e6:.1f}",
        }
        self.diagnostics.report(OK, done, timing)

    def _step_policy(
        self, images: list[np.ndarray], state: np.ndarray, observation: Observation
    ) -> str | None:
        """Step the control policy and send its guarded target; what was sent, None if refused."""
        output = self.policy.step(images, state, self.instruction)
        decision = guard_target(self.limits, state, output.target, observation.ages(self._now_ns()))
        if not decision.allowed:
            self.diagnostics.report(ERROR, f"target refused: {decision.refusal}")
            return None
        self._send(decision.target, output.chunk, observation.stamp_ns)
        sent = [f"target {format_stamp(observation.stamp_ns)} sent", *decision.adjustments]
        return "; ".join(sent)

    def _decode(self, observation: Observation) -> tuple[list[np.ndarray], np.ndarray]:
        """Camera frames in the checkpoint's order and the finite (7,) state (also checked for a
        points checkpoint, which does not read it)."""
        images = [image_to_rgb(observation.values[camera], camera) for camera in self.cameras]
        gripper = gripper_closure(observation.values[topics.GRIPPER_STATE])
        state = pose_to_state7(observation.values[topics.EE_POSE], gripper, self.frame_id)
        return images, checked_state(state)

    def _send(self, target: np.ndarray, chunk: np.ndarray, stamp_ns: int) -> None:
        """Publish the (7,) target and the (K, 7) chunk; outside dry runs, await the motion."""
        header = Header(stamp=ns_to_stamp(stamp_ns), frame_id=self.frame_id)
        self.target_out.publish(state7_to_pose(target, header))
        self.gripper_out.publish(Float64(data=float(target[6])))
        self.path_out.publish(states_to_path(chunk, header))
        if not self.dry_run:
            self.gate.close(stamp_ns, self._now_ns())


def main(args: Sequence[str] | None = None) -> int:
    return run_node(PolicyNode, NODE_NAME, args)
