"""Real ROS 2 processes for tests: build the workspace, run node executables, talk to them.

The test process joins each test's DDS domain through its own rclpy context (``Graph``); the
nodes under test run as separate processes started from the colcon install (``NodeProcess``,
arm4r_policy/nodes/node_processes.py with the install's executables).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Header, String

from arm4r_policy.nodes import node_processes, topics
from arm4r_policy.nodes.conversions import GRIPPER_JOINT, rgb_to_image, state7_to_pose

REPO = Path(__file__).resolve().parents[2]
WORKSPACE = REPO / "ros2_ws"
VENV_BIN = Path(sys.executable).parent
FASTDDS_PROFILE = REPO / "arm4r_bringup" / "config" / "fastdds.xml"


def build_workspace() -> Path:
    """``colcon build`` the repository's workspace (one build at a time); returns install/."""
    env = os.environ | {"VIRTUAL_ENV": str(VENV_BIN.parent)}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    directory = os.open(WORKSPACE, os.O_RDONLY)
    try:
        fcntl.flock(directory, fcntl.LOCK_EX)
        build = subprocess.run(
            [str(VENV_BIN / "colcon"), "build"],
            cwd=WORKSPACE,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        os.close(directory)  # closing releases the lock
    if build.returncode != 0:
        raise RuntimeError(f"colcon build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}")
    return WORKSPACE / "install"


def node_environment(install: Path, domain_id: int) -> dict[str, str]:
    """What a node process needs beyond the venv: the installed package first on the path
    (its console scripts are looked up in the installed egg-info) and the test's DDS settings."""
    site = install / "arm4r_policy" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return node_processes.node_environment(domain_id, FASTDDS_PROFILE) | {
        # prepended: in the ROS image /opt/ros/jazzy's packages (rclpy, messages) come after it
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(site / "site-packages"), os.environ.get("PYTHONPATH", "")])
        ),
        "HF_HUB_OFFLINE": "1",
    }


class NodeProcess(node_processes.NodeProcess):
    """One executable of the colcon install with its output in a log file; ``stop()`` always
    ends it."""

    @classmethod
    def start(
        cls, executable: Path, parameters: dict[str, Any], env: dict[str, str], logs: Path
    ) -> NodeProcess:
        return cls.spawn(executable.name, [str(executable)], parameters, env, logs)


@dataclass
class Recorder:
    """Messages of one topic with their arrival times [ns] on the test's clock."""

    messages: list[Any] = field(default_factory=list)
    arrivals_ns: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.messages)


class Graph:
    """The test process's node in one DDS domain; spinning is explicit."""

    def __init__(self, domain_id: int) -> None:
        self.context = Context()
        rclpy.init(
            context=self.context,
            domain_id=domain_id,
            signal_handler_options=SignalHandlerOptions.NO,
        )
        self.node = rclpy.create_node("test_graph", context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)

    def now_ns(self) -> int:
        return self.node.get_clock().now().nanoseconds

    def publisher(self, kind: type, topic: str, qos: QoSProfile = topics.RELIABLE_QOS):
        return self.node.create_publisher(kind, topic, qos)

    def record(self, kind: type, topic: str, qos: QoSProfile = topics.RELIABLE_QOS) -> Recorder:
        recorder = Recorder()

        def keep(msg: Any) -> None:
            recorder.messages.append(msg)
            recorder.arrivals_ns.append(self.now_ns())

        self.node.create_subscription(kind, topic, keep, qos)
        return recorder

    def spin_until(self, done: Callable[[], bool], timeout: float) -> bool:
        end = time.monotonic() + timeout
        while not done():
            if time.monotonic() > end:
                return False
            self.executor.spin_once(timeout_sec=0.01)
        return True

    def spin_for(self, seconds: float) -> None:
        self.spin_until(lambda: False, seconds)

    def publish_until(
        self, publisher, msg: Any, done: Callable[[], bool], timeout: float, period: float = 0.2
    ) -> bool:
        """Publish ``msg`` every ``period`` [s] until ``done()``: a volatile writer's first
        messages are lost while the reader is still being discovered."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            publisher.publish(msg)
            if self.spin_until(done, min(period, end - time.monotonic())):
                return True
        return False


def diagnostics_matching(recorder: Recorder, level: bytes, *words: str) -> list[DiagnosticStatus]:
    """Statuses in recorded DiagnosticArrays with ``level`` whose message holds all ``words``."""
    return [
        status
        for array in recorder.messages
        if isinstance(array, DiagnosticArray)
        for status in array.status
        if status.level == level and all(word in status.message for word in words)
    ]


class SensorStream:
    """Publishes the policy node's inputs at ``rate_hz``, all with the same stamp per tick:
    one rgb8 frame per camera, the end-effector pose of ``state7`` and its gripper closure."""

    def __init__(
        self,
        graph: Graph,
        cameras: list[str],
        state7: np.ndarray,
        rate_hz: float = 15.0,
        size: tuple[int, int] = (480, 640),
        frame_id: str = "base_link",
    ) -> None:
        self.graph, self.state7, self.frame_id = graph, np.array(state7, dtype=float), frame_id
        self.paused: set[str] = set()
        rng = np.random.default_rng(0)
        self._frames = {
            topics.camera_image(camera): rng.integers(0, 256, (*size, 3), dtype=np.uint8)
            for camera in cameras
        }
        self._images = {
            topic: graph.publisher(Image, topic, topics.SENSOR_QOS) for topic in self._frames
        }
        self._pose = graph.publisher(PoseStamped, topics.EE_POSE, topics.SENSOR_QOS)
        self._gripper = graph.publisher(JointState, topics.GRIPPER_STATE, topics.SENSOR_QOS)
        graph.node.create_timer(1.0 / rate_hz, self.publish)

    def publish(self) -> None:
        header = Header(stamp=self.graph.node.get_clock().now().to_msg(), frame_id=self.frame_id)
        for topic, publisher in self._images.items():
            if topic not in self.paused:
                publisher.publish(rgb_to_image(self._frames[topic], header))
        pose = state7_to_pose(self.state7, header)
        self._pose.publish(pose)
        gripper = JointState(header=header, name=[GRIPPER_JOINT], position=[float(self.state7[6])])
        self._gripper.publish(gripper)


def send_instruction(graph: Graph, text: str) -> None:
    """Publishes ``text`` transient-local: nodes that start later receive it too."""
    graph.publisher(String, topics.INSTRUCTION, topics.LATCHED_QOS).publish(String(data=text))
