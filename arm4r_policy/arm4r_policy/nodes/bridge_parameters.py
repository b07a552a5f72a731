"""The motion bridge node's parameters."""

from __future__ import annotations

from arm4r_policy.nodes.parameter_checks import non_negative, one_of, scale
from arm4r_policy.nodes.parameters import ParameterSpec, non_empty, positive
from arm4r_policy.planning.gripper_action import (
    ROBOTIQ_2F85_CLOSED_POSITION,
    ROBOTIQ_2F85_GRIPPER_ACTION,
)
from arm4r_policy.sim.tasks import TASKS

BACKENDS = ("sim", "moveit")

PARAMETERS = (
    ParameterSpec(
        "backend",
        "sim",
        "sim: IK planner driving sim_node; moveit: MoveIt Pilz LIN",
        one_of(BACKENDS),
    ),
    ParameterSpec(
        "cell", "kinova", "robot cell: its arm model (sim) or MoveIt preset (moveit)", one_of(TASKS)
    ),
    ParameterSpec(
        "speed_scaling",
        0.5,
        "fraction of the joint speed limits (MoveIt: also of the accelerations)",
        scale,
    ),
    ParameterSpec(
        "motion_timeout", 5.0, "[s] longest wait for sim_node to finish a command", positive
    ),
    ParameterSpec("frame_id", "base_link", "robot base frame of every target", non_empty),
    ParameterSpec("moveit_group", "", "MoveIt planning group; empty: the cell's preset"),
    ParameterSpec("moveit_pose_link", "", "link of the group the goal is for; empty: the preset"),
    ParameterSpec(
        "gripper_action",
        ROBOTIQ_2F85_GRIPPER_ACTION,
        "control_msgs GripperCommand action (moveit)",
        non_empty,
    ),
    ParameterSpec(
        "gripper_closed_position",
        ROBOTIQ_2F85_CLOSED_POSITION,
        "GripperCommand position of the closed gripper",
        non_negative,
    ),
    ParameterSpec(
        "gripper_open_position", 0.0, "GripperCommand position of the open gripper", non_negative
    ),
)
