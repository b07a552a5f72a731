"""Record scripted demonstrations through the ROS graph, on either cell, simulated or real.

    ros2 launch arm4r_bringup collect.launch.py cell:=kinova output_dir:=data episodes:=190
    ros2 launch arm4r_bringup collect.launch.py cell:=franka sim:=false robot_ip:=<address> \\
        goal_file:=goal.yaml output_dir:=data episodes:=1

collect_node drives the robot (sim_node, or the cameras, robot_state_node and the vendor's
MoveIt bringup) through moveit_bridge_node and exits when the collection is complete, which
ends the launch; the same command resumes an interrupted collection. Which nodes run:
arm4r_bringup/graph.py; their parameters: config/<cell>.yaml.
"""

from launch import LaunchDescription
from launch.actions import OpaqueFunction

from arm4r_bringup.launch_actions import (
    COLLECT_ARGUMENTS,
    collect_actions,
    declare_arguments,
    fastdds_profile,
)


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription(
        [
            *declare_arguments(COLLECT_ARGUMENTS),
            fastdds_profile(),
            OpaqueFunction(function=collect_actions),
        ]
    )
