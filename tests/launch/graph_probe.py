"""What the launch tests share: including an installed launch file, and a node of the test that
waits for messages of the launched graph (ROS_DOMAIN_ID and the Fast DDS profile are inherited
from the test process, as by the launched nodes).

Runs in the ROS image, with the workspace built and sourced (``source install/setup.bash``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer, save_checkpoint

SKIP_REASON = "launch_pytest is not installable here; runs in the docker image"
STARTUP = 90.0  # [s] for the launched graph to load its models and act


def launch_file(name: str, **arguments: str):
    """A LaunchDescription including arm4r_bringup's ``name`` with ``arguments``, then ready."""
    import launch_pytest
    from launch import LaunchDescription
    from launch.actions import IncludeLaunchDescription
    from launch.launch_description_sources import PythonLaunchDescriptionSource
    from launch.substitutions import PathJoinSubstitution
    from launch_ros.substitutions import FindPackageShare

    path = PathJoinSubstitution([FindPackageShare("arm4r_bringup"), "launch", name])
    include = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(path), launch_arguments=arguments.items()
    )
    return LaunchDescription([include, launch_pytest.actions.ReadyToTest()])


def tiny_checkpoint(directory: Path, cameras: tuple[str, ...]) -> Path:
    """A randomly initialised tiny control model for ``cameras``, identity normalisation."""
    torch.manual_seed(0)
    config = ARM4RConfig.tiny(instruction_encoder="hashing-v1-512", camera_names=cameras)
    return save_checkpoint(directory, ARM4R(config), Normalizer.identity(10, 10))


def messages(kind: type, topic: str, qos: Any, count: int, timeout: float = STARTUP) -> list:
    """The first ``count`` messages on ``topic``, or as many as came within ``timeout`` [s]."""
    import rclpy
    from rclpy.context import Context
    from rclpy.executors import SingleThreadedExecutor

    context = Context()
    rclpy.init(context=context)
    node = rclpy.create_node("launch_test_probe", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    received: list = []
    node.create_subscription(kind, topic, received.append, qos)
    deadline = time.monotonic() + timeout
    try:
        while len(received) < count and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown(context=context)
    return received
