"""The simulated Kinova cell as the ROS tests and the loop benchmark meet it: sim_node's
parameters, poses near its TCP, one-shot commands, service calls and a policy for the loop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from geometry_msgs.msg import PoseStamped
from std_msgs.msg import Header
from std_srvs.srv import Trigger

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer, save_checkpoint
from arm4r_policy.nodes.conversions import motion_result_target_ns, stamp_to_ns
from arm4r_policy.nodes.sim_messages import matrix_to_pose, pose_to_matrix
from arm4r_policy.planning import pose_error
from arm4r_policy.sim import CellConfig, forward_kinematics

from .harness import Graph, Recorder

CELL = CellConfig.kinova()
CAMERAS = [camera.name for camera in CELL.cameras]
INSTRUCTION = "pick up the yellow cube"
# Small frames keep rendering and transport cheap on a 2-core machine.
SIM_PARAMETERS = {
    "cell": "kinova",
    "task": "pick_cube",
    "variation": "yellow",
    "image_width": 96,
    "image_height": 96,
    "camera_rate_hz": 15.0,
    "state_rate_hz": 50.0,
}
STARTUP = 20.0  # [s] process start, imports and discovery on a busy machine
LOOP_BOX = 0.06  # [m] half size of the policy's workspace box around the home TCP
MATCH_SETTLE = 0.3  # [s] after a writer matched, so the reader has matched it too


def home_tcp() -> np.ndarray:
    """(4, 4) TCP pose of the cell's home configuration, base frame."""
    return forward_kinematics(CELL.robot, np.asarray(CELL.home)).tcp


def shifted(pose: np.ndarray, offset: tuple[float, float, float], yaw: float = 0.0) -> np.ndarray:
    """``pose`` (4, 4) moved by ``offset`` [m] (base frame) and turned by ``yaw`` [rad] about
    its own z axis (the approach direction)."""
    c, s = np.cos(yaw), np.sin(yaw)
    turn = np.array([[c, -s, 0.0, 0.0], [s, c, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0, 0, 0, 1.0]])
    moved = pose @ turn
    moved[:3, 3] += offset
    return moved


def target_message(graph: Graph, pose: np.ndarray, frame_id: str = "base_link") -> PoseStamped:
    """``pose`` (4, 4) as a target stamped now."""
    return matrix_to_pose(
        pose, Header(stamp=graph.node.get_clock().now().to_msg(), frame_id=frame_id)
    )


def tcp_error(measured: PoseStamped, target: np.ndarray) -> tuple[float, float]:
    """Distance [mm] and angle [deg] between a measured TCP pose and a (4, 4) target."""
    error = pose_error(target, pose_to_matrix(measured, measured.header.frame_id))
    return 1e3 * float(np.linalg.norm(error[:3])), float(np.degrees(np.linalg.norm(error[3:])))


def send_when_matched(graph: Graph, publisher: Any, msg: Any, timeout: float = STARTUP) -> bool:
    """Publish ``msg`` once, after a reader matched: for commands that must not be repeated."""
    if not graph.spin_until(lambda: publisher.get_subscription_count() > 0, timeout):
        return False
    graph.spin_for(MATCH_SETTLE)
    publisher.publish(msg)
    return True


def call_trigger(graph: Graph, service: str, timeout: float = STARTUP) -> Trigger.Response | None:
    """Call a std_srvs/Trigger service; None when it did not answer within ``timeout`` [s]."""
    client = graph.node.create_client(Trigger, service)
    if not graph.spin_until(client.service_is_ready, timeout):
        return None
    future = client.call_async(Trigger.Request())
    return future.result() if graph.spin_until(future.done, timeout) else None


def results_for(results: Recorder, target: PoseStamped) -> list:
    """The motion results in ``results`` that answer ``target``."""
    stamp_ns = stamp_to_ns(target.header.stamp)
    return [status for status in results.messages if motion_result_target_ns(status) == stamp_ns]


def latest_before(recorder: Recorder, stamp_ns: int) -> Any | None:
    """The message of ``recorder`` with the latest header stamp at or before ``stamp_ns``."""
    earlier = [msg for msg in recorder.messages if stamp_to_ns(msg.header.stamp) <= stamp_ns]
    return earlier[-1] if earlier else None


def save_tiny_checkpoint(directory: Path) -> Path:
    """A randomly initialised tiny control model for the cell's cameras, identity normalisation."""
    torch.manual_seed(0)
    config = ARM4RConfig.tiny(instruction_encoder="hashing-v1-512", camera_names=tuple(CAMERAS))
    return save_checkpoint(directory, ARM4R(config), Normalizer.identity(10, 10))


def loop_policy_parameters(checkpoint: Path) -> dict[str, Any]:
    """policy_node parameters that keep a random policy's clamped targets near home: a 12 cm
    workspace box around the home TCP and small steps. A target sent before discovery has
    matched the bridge is lost; the short motion timeout lets the loop go on soon after. One
    torch thread leaves the simulator a core on a 2-core machine."""
    home = home_tcp()[:3, 3]
    return {
        "checkpoint": str(checkpoint),
        "camera_names": CAMERAS,
        "workspace_min": (home - LOOP_BOX).tolist(),
        "workspace_max": (home + LOOP_BOX).tolist(),
        "max_translation": 0.02,
        "max_rotation": 0.1,
        "motion_timeout": 3.0,
        "torch_threads": 1,
    }
