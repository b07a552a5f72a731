"""ROS 2 node simulating a robot cell in MuJoCo: its cameras, its robot state and its controllers.

Topics, services and parameters: nodes/__init__.py. The physics runs in real time
(``RealTimePacer``) and takes commands between steps (``SimStepper``). Three wall-clock timers
drive it: one advances the physics, one publishes the robot state, one renders and publishes the
cameras; each first brings the physics up to now, so every stamp is the time at which its state
was read or rendered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image, JointState
from std_msgs.msg import Float64, Header, String
from std_srvs.srv import Trigger
from trajectory_msgs.msg import JointTrajectory

from arm4r_policy.collect.goal_document import EpisodeGoal
from arm4r_policy.collect.scripted import targets_in_base
from arm4r_policy.errors import CommandError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import GRIPPER_JOINT, motion_result, rgb_to_image, stamp_to_ns
from arm4r_policy.nodes.diagnostics import ERROR, OK, DiagnosticsReporter
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.process import run_node
from arm4r_policy.nodes.sim_messages import (
    camera_info,
    gripper_done_status,
    joint_state,
    matrix_to_pose,
    trajectory_waypoints,
)
from arm4r_policy.nodes.sim_parameters import PARAMETERS, make_stepper
from arm4r_policy.sim.stepper import Completion, RealTimePacer, TrajectoryDone

NODE_NAME = "sim_node"
PHYSICS_PERIOD = 0.01  # [s] between physics catch-ups; commands also catch up first


class SimNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        p = declare_parameters(self, PARAMETERS)
        self.sim = make_stepper(p)
        self.cell = self.sim.cell
        self.frame_id, self.episode_seed = p["frame_id"], p["seed"]
        self.image_size = (p["image_width"], p["image_height"])
        self.pacer = RealTimePacer(self.cell.model.opt.timestep, p["real_time_factor"])
        self.diagnostics = DiagnosticsReporter(self, f"{NODE_NAME}: simulation")

        sensor, reliable = topics.SENSOR_QOS, topics.RELIABLE_QOS
        self.cameras = {
            name: (
                self.create_publisher(Image, topics.camera_image(name), sensor),
                self.create_publisher(CameraInfo, topics.camera_info(name), sensor),
                camera_info(
                    self.cell.camera_intrinsics(name, self.image_size), *self.image_size, Header()
                ),
            )
            for name in self.cell.camera_names
        }
        self.joints_out = self.create_publisher(JointState, topics.JOINT_STATES, sensor)
        self.pose_out = self.create_publisher(PoseStamped, topics.EE_POSE, sensor)
        self.gripper_out = self.create_publisher(JointState, topics.GRIPPER_STATE, sensor)
        self.instruction_out = self.create_publisher(String, topics.INSTRUCTION, topics.LATCHED_QOS)
        self.trajectory_done = self.create_publisher(
            DiagnosticStatus, topics.SIM_TRAJECTORY_DONE, reliable
        )
        self.gripper_done = self.create_publisher(
            DiagnosticStatus, topics.SIM_GRIPPER_DONE, reliable
        )
        self.create_subscription(
            JointTrajectory, topics.SIM_JOINT_TRAJECTORY, self._on_trajectory, reliable
        )
        self.create_subscription(Float64, topics.SIM_GRIPPER_COMMAND, self._on_gripper, reliable)
        self.create_service(Trigger, topics.SIM_RESET, self._on_reset)
        self.create_service(Trigger, topics.SIM_SUCCESS, self._on_success)
        self.create_service(Trigger, topics.SIM_GOAL, self._on_goal)
        self._start_episode(self.episode_seed)
        self.create_timer(PHYSICS_PERIOD, self._advance)
        self.create_timer(1.0 / p["state_rate_hz"], self._publish_state)
        self.create_timer(1.0 / p["camera_rate_hz"], self._publish_cameras)

    def _header(self, frame_id: str) -> Header:
        return Header(stamp=self.get_clock().now().to_msg(), frame_id=frame_id)

    def _advance(self) -> None:
        for done in self.sim.advance(self.pacer.due(time.monotonic())):
            self._report(done)

    def _report(self, done: Completion) -> None:
        if isinstance(done, TrajectoryDone):
            status = motion_result(done.key, done.report is not None, done.message, NODE_NAME)
            self.trajectory_done.publish(status)
            self.diagnostics.report(status.level, done.message)
        else:
            self.gripper_done.publish(gripper_done_status(done, NODE_NAME))

    def _start_episode(self, seed: int) -> str:
        for done in self.sim.reset(seed):
            self._report(done)
        self.pacer.restart(time.monotonic())
        self.episode_seed = seed
        self.instruction_out.publish(String(data=self.sim.task.instruction))
        started = f"episode seed {seed}: {self.sim.task.instruction}"
        self.diagnostics.report(OK, started)
        return started

    def _on_trajectory(self, msg: JointTrajectory) -> None:
        self._advance()
        key = stamp_to_ns(msg.header.stamp)
        try:
            self.sim.follow(key, *trajectory_waypoints(msg, self.cell.robot.chain.joint_names))
        except CommandError as error:
            self.trajectory_done.publish(motion_result(key, False, str(error), NODE_NAME))
            self.diagnostics.report(ERROR, f"joint trajectory refused: {error}")

    def _on_gripper(self, msg: Float64) -> None:
        self._advance()
        try:
            self.sim.grip(msg.data)
        except CommandError as error:
            self.diagnostics.report(ERROR, f"gripper command refused: {error}")

    def _on_reset(self, request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        self._advance()
        response.message = self._start_episode(self.episode_seed + 1)
        response.success = True
        return response

    def _on_success(self, request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        self._advance()
        task = self.sim.task
        response.success = bool(task.success(self.cell))
        verdict = "succeeded" if response.success else "not succeeded (yet)"
        response.message = f"{task!r} seed {self.episode_seed}: {verdict} at {self.cell.time:.2f} s"
        return response

    def _on_goal(self, request: Trigger.Request, response: Trigger.Response) -> Trigger.Response:
        self._advance()
        task = self.sim.task
        targets = targets_in_base(task.goal(self.cell), self.cell.base_from_world)
        goal = EpisodeGoal(task.name, task.variation, task.instruction, targets)
        response.message = json.dumps(goal.to_document() | {"seed": self.episode_seed})
        response.success = True
        return response

    def _publish_state(self) -> None:
        self._advance()
        header = self._header(self.frame_id)
        self.joints_out.publish(joint_state(self.cell, header))
        self.pose_out.publish(matrix_to_pose(self.cell.tcp_pose, header))
        closure = [self.cell.gripper_closure]
        self.gripper_out.publish(JointState(header=header, name=[GRIPPER_JOINT], position=closure))

    def _publish_cameras(self) -> None:
        self._advance()
        stamp = self.get_clock().now().to_msg()
        frames = self.cell.observe(image_size=self.image_size).images
        for name, (image_out, info_out, info) in self.cameras.items():
            info.header = Header(stamp=stamp, frame_id=f"{name}_optical_frame")
            image_out.publish(rgb_to_image(frames[name], info.header))
            info_out.publish(info)


def main(args: Sequence[str] | None = None) -> int:
    return run_node(SimNode, NODE_NAME, args)
