"""Evaluate an ARM4R checkpoint on the Kinova Gen3 + Robotiq 2F-85 cell.

In MuJoCo (the default) or on the arm through ros2_kortex and MoveIt::

    ros2 launch arm4r_bringup kinova_eval.launch.py checkpoint:=<dir> rviz:=true
    ros2 launch arm4r_bringup kinova_eval.launch.py sim:=false robot_ip:=<arm address> \\
        checkpoint:=<dir> instruction:="pick up the yellow cube"

Which nodes run: arm4r_bringup/graph.py. Their parameters: config/kinova.yaml, overridden by
checkpoint:=, text_weights:= and dry_run:= when given.
"""

from launch import LaunchDescription
from launch.actions import OpaqueFunction

from arm4r_bringup.launch_actions import (
    EVAL_ARGUMENTS,
    declare_arguments,
    eval_actions,
    fastdds_profile,
)


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription(
        [
            *declare_arguments(EVAL_ARGUMENTS),
            fastdds_profile(),
            OpaqueFunction(function=eval_actions, kwargs={"cell": "kinova"}),
        ]
    )
