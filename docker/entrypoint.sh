#!/usr/bin/env bash
# Entry point of the robot image: ROS 2 Jazzy, the ros2_kortex workspace over it and the ARM4R
# workspace over both, then the command (`ros2 launch ...`, `python -m pytest ...`, a shell).
set -e

source /opt/ros/jazzy/setup.bash
source /opt/kortex_ws/install/setup.bash
source /opt/arm4r_ws/install/setup.bash

exec "$@"
