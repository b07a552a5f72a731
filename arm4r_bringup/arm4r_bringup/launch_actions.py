"""The launch actions the ARM4R launch files share: their arguments, the Fast DDS profile, and
the nodes, vendor bringup, instruction publisher and RViz of one run (graph.py decides which).

Imported by the launch files in ``launch/``; needs launch and launch_ros (the ROS image).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import yaml
from launch.actions import (
    DeclareLaunchArgument,
    ExecuteProcess,
    IncludeLaunchDescription,
    LogInfo,
    SetEnvironmentVariable,
    Shutdown,
)
from launch.launch_context import LaunchContext
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import EnvironmentVariable, LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

from arm4r_bringup.graph import (
    CELLS,
    INSTRUCTION_TOPIC,
    Cell,
    LaunchChoices,
    NodeLaunch,
    VendorLaunch,
    collect_nodes,
    eval_nodes,
    published_instruction,
)

PACKAGE = "arm4r_bringup"
FASTDDS_PROFILE_VARIABLE = "FASTDDS_DEFAULT_PROFILES_FILE"
INSTRUCTION_KEEP_ALIVE = 10 * 365 * 24 * 3600.0  # [s] the latched publisher outlives any run
RVIZ_CONFIG = "arm4r.rviz"

_COMMON = {
    "sim": ("true", "true: the MuJoCo cell (sim_node); false: the real arm at robot_ip"),
    "robot_ip": ("", "address of the real arm (sim:=false)"),
    "rviz": ("false", "start RViz with rviz/arm4r.rviz"),
    "text_weights": ("", "local CLIP text-encoder directory; empty: the cell YAML's"),
    "speed_scaling": ("", "(0, 1] speed of every linear motion; empty: the cell YAML's"),
}
EVAL_ARGUMENTS = _COMMON | {
    "checkpoint": ("", "policy checkpoint directory; empty: the cell YAML's"),
    "instruction": ("", "real arm: the instruction published on /arm4r/instruction"),
    "dry_run": ("", "true: targets go to /arm4r/dry_run/* only; empty: the cell YAML's"),
}
COLLECT_ARGUMENTS = _COMMON | {
    "cell": ("kinova", f"robot cell: one of {sorted(CELLS)}"),
    "output_dir": ("", "collection output directory; empty: the cell YAML's"),
    "episodes": ("", "episodes wanted; empty: the cell YAML's"),
    "goal_file": ("", "real arm: the goal document (object positions); empty: the YAML's"),
}


def declare_arguments(arguments: Mapping[str, tuple[str, str]]) -> list[DeclareLaunchArgument]:
    return [
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (default, description) in arguments.items()
    ]


def fastdds_profile() -> SetEnvironmentVariable:
    """Every process started after this action gets ``FASTDDS_DEFAULT_PROFILES_FILE``: the
    user's own when set, else the installed config/fastdds.xml (large camera frames)."""
    installed = PathJoinSubstitution([FindPackageShare(PACKAGE), "config", "fastdds.xml"])
    return SetEnvironmentVariable(
        FASTDDS_PROFILE_VARIABLE,
        EnvironmentVariable(FASTDDS_PROFILE_VARIABLE, default_value=installed),
    )


def eval_actions(context: LaunchContext, cell: str) -> list:
    """OpaqueFunction body of ``<cell>_eval.launch.py``."""
    choices = _choices(context, EVAL_ARGUMENTS)
    return _run(context, CELLS[cell], choices, eval_nodes(CELLS[cell], choices))


def collect_actions(context: LaunchContext) -> list:
    """OpaqueFunction body of ``collect.launch.py``; the launch ends when collect_node exits."""
    name = LaunchConfiguration("cell").perform(context)
    if name not in CELLS:
        raise ValueError(f"launch argument cell:={name!r}; expected one of {sorted(CELLS)}")
    choices = _choices(context, COLLECT_ARGUMENTS)
    nodes = collect_nodes(CELLS[name], choices)
    return _run(context, CELLS[name], choices, nodes, ends_launch=nodes[-1].name)


def _choices(context: LaunchContext, arguments: Mapping[str, tuple[str, str]]) -> LaunchChoices:
    performed = {name: LaunchConfiguration(name).perform(context) for name in arguments}
    return LaunchChoices.from_arguments(performed)


def _run(
    context: LaunchContext,
    cell: Cell,
    choices: LaunchChoices,
    nodes: list[NodeLaunch],
    ends_launch: str | None = None,
) -> list:
    share = FindPackageShare(PACKAGE).perform(context)
    config = os.path.join(share, "config", cell.config)
    actions: list = [_node(node, config, node.name == ends_launch) for node in nodes]
    if not choices.sim:
        choices.require_robot_ip(cell)
        actions.append(_include(cell.vendor_bringup(choices.robot_ip)))
    instruction = published_instruction(choices)
    if instruction is not None:
        actions.append(_instruction_publisher(instruction))
    elif choices.instruction:
        actions.append(
            LogInfo(msg="instruction:= is not used in sim: sim_node publishes its task's")
        )
    if choices.rviz:
        actions.append(_rviz(share, _fixed_frame(config)))
    return actions


def _node(node: NodeLaunch, config: str, ends_launch: bool) -> Node:
    return Node(
        package="arm4r_policy",
        executable=node.executable,
        name=node.name,
        parameters=[config, dict(node.overrides)],
        output="screen",
        on_exit=Shutdown(reason=f"{node.name} exited") if ends_launch else None,
    )


def _include(vendor: VendorLaunch) -> IncludeLaunchDescription:
    path = PathJoinSubstitution([FindPackageShare(vendor.package), vendor.path])
    return IncludeLaunchDescription(
        PythonLaunchDescriptionSource(path), launch_arguments=dict(vendor.arguments).items()
    )


def _instruction_publisher(instruction: str) -> ExecuteProcess:
    """Publishes ``instruction`` once, latched, when the policy node subscribes, and stays alive
    so that nodes starting later receive it too."""
    message = yaml.safe_dump({"data": instruction}, default_flow_style=True).strip()
    qos = ["--qos-durability", "transient_local", "--qos-reliability", "reliable"]
    keep_alive = ["--keep-alive", str(INSTRUCTION_KEEP_ALIVE)]
    command = ["ros2", "topic", "pub", "--once", *keep_alive, *qos, INSTRUCTION_TOPIC]
    return ExecuteProcess(
        cmd=[*command, "std_msgs/msg/String", message], name="instruction", output="log"
    )


def _fixed_frame(config: str) -> str:
    """The robot base frame of the cell: moveit_bridge_node's frame_id in the cell YAML."""
    with open(config, encoding="utf-8") as file:
        return yaml.safe_load(file)["moveit_bridge_node"]["ros__parameters"]["frame_id"]


def _rviz(share: str, fixed_frame: str) -> Node:
    config = os.path.join(share, "rviz", RVIZ_CONFIG)
    return Node(
        package="rviz2",
        executable="rviz2",
        name="rviz2",
        arguments=["-d", config, "-f", fixed_frame],
        output="log",
    )
