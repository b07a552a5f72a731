"""The collect node's parameters, and the robot, request and goal source they configure.

The cell (``cell``) gives the arm, the gripper and the camera names, the same in simulation and on
the real arm. With ``sim`` sim_node starts, describes and judges every episode and the cameras'
extrinsics are those of the simulated cell; on a real arm the operator gives the goal
(``goal_file``, collect/goal_document.py), the cameras' extrinsics (``extrinsics_file``) and the
arm's joint names in ``/joint_states`` (``joint_names``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arm4r_policy.calibration.extrinsics_file import load_extrinsics
from arm4r_policy.collect.goal_document import EpisodeGoal, load_goal_file
from arm4r_policy.collect.graph_session import GraphCollectRequest
from arm4r_policy.collect.recorder import RecorderConfig
from arm4r_policy.collect.ros_robot import RosRobotConfig
from arm4r_policy.drivers.joint_state_layout import ROS2_KORTEX
from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.parameter_checks import non_negative_integer, one_of, positive_integer
from arm4r_policy.nodes.parameters import (
    ParameterSpec,
    non_empty,
    optional_directory,
    positive,
)
from arm4r_policy.sim.cells import CellConfig
from arm4r_policy.sim.tasks.layout import CELL_CONFIGS

PARAMETERS = (
    ParameterSpec("cell", "kinova", "robot cell: arm, gripper and cameras", one_of(CELL_CONFIGS)),
    ParameterSpec(
        "sim",
        True,
        "true: sim_node resets, describes and judges each episode; false: a real arm, the goal "
        "from goal_file, every demo whose motions complete is kept",
    ),
    ParameterSpec("output_dir", "arm4r_data", "collection output directory <out>", non_empty),
    ParameterSpec("episodes", 1, "episodes wanted (those already on disk count)", positive_integer),
    ParameterSpec(
        "first_seed",
        1,
        "first seed of a new collection; in sim above sim_node's parameter seed",
        non_negative_integer,
    ),
    ParameterSpec("image_width", 224, "[px] stored image width", positive_integer),
    ParameterSpec("image_height", 224, "[px] stored image height", positive_integer),
    ParameterSpec("rate_hz", 15.0, "[Hz] recording rate", positive),
    ParameterSpec(
        "text_weights", "", "local CLIP text-encoder directory; empty: hashing", optional_directory
    ),
    ParameterSpec(
        "joint_names",
        list(ROS2_KORTEX.joint_names),
        "real arm: its joints in /joint_states, base to flange (sim: the cell's)",
    ),
    ParameterSpec("sync_tolerance", 0.05, "[s] largest stamp spread in one observation", positive),
    ParameterSpec("staleness_timeout", 0.5, "[s] oldest message an observation may hold", positive),
    ParameterSpec("observation_timeout", 3.0, "[s] longest wait for an observation", positive),
    ParameterSpec("motion_timeout", 30.0, "[s] longest wait for a motion result", positive),
    ParameterSpec("frame_id", "base_link", "robot base frame of every pose", non_empty),
    ParameterSpec("goal_file", "", "real arm: YAML goal document (collect/goal_document.py)"),
    ParameterSpec(
        "extrinsics_file",
        "",
        "real arm: YAML of camera name -> 16 numbers, the camera-to-base pose row by row "
        "(OpenCV axes); sim: the simulated cell's",
    ),
)


def _cell(values: Mapping[str, Any]) -> CellConfig:
    return CELL_CONFIGS[values["cell"]]()


def arm_joint_names(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The arm's joints in ``/joint_states``, base to flange."""
    if values["sim"]:
        return tuple(_cell(values).robot.chain.joint_names)
    names = tuple(values["joint_names"])
    if len(names) != 7 or len(set(names)) != 7 or not all(names):
        raise ConfigError(f"parameter joint_names: expected 7 distinct joint names, got {names}")
    return names


def robot_config(values: Mapping[str, Any]) -> RosRobotConfig:
    """The robot of the cell as the graph drives it."""
    cell = _cell(values)
    cameras = tuple(camera.name for camera in cell.cameras)
    if values["sim"]:
        extrinsics = cell.camera_extrinsics()
    else:
        extrinsics = load_extrinsics(values["extrinsics_file"], cameras)
    return RosRobotConfig(
        cell_name=cell.name,
        name=cell.robot.name,
        camera_names=cameras,
        tcp_in_flange=cell.robot.tcp_in_flange,
        gripper_stroke=cell.robot.gripper.stroke,
        extrinsics=extrinsics,
        simulation=values["sim"],
        sync_tolerance=values["sync_tolerance"],
        stale_after=values["staleness_timeout"],
        observation_timeout=values["observation_timeout"],
        motion_timeout=values["motion_timeout"],
    )


def collect_request(values: Mapping[str, Any]) -> GraphCollectRequest:
    """What to collect; the closed fingertips reach half a pad past the TCP, as in session.py."""
    return GraphCollectRequest(
        out=Path(values["output_dir"]),
        episodes=values["episodes"],
        fingertip_depth=_cell(values).robot.gripper.pad_half_size[2],
        first_seed=values["first_seed"],
        recorder=RecorderConfig(values["rate_hz"], (values["image_width"], values["image_height"])),
        text_weights=Path(values["text_weights"]) if values["text_weights"] else None,
    )


def operator_goal(values: Mapping[str, Any]) -> EpisodeGoal:
    """The goal of the parameter ``goal_file`` (a real arm)."""
    if not values["goal_file"]:
        raise ConfigError(
            "parameter goal_file: expected the goal document of the real arm's scene (sim is "
            "false), got ''"
        )
    try:
        return load_goal_file(values["goal_file"])
    except ConfigError as error:
        raise ConfigError(f"parameter goal_file: {error}") from error
