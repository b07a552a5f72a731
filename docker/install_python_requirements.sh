#!/usr/bin/env bash
# Installs the pinned Python environment of requirements.txt into the active interpreter: torch
# from the PyTorch index of one build (cpu or cu128), then every other requirement under
# constraints.txt, except the ROS 2 wheels and colcon, which a ROS installation provides.
#
#   install_python_requirements.sh cpu|cu128     (next to requirements.txt and constraints.txt)
set -euo pipefail

variant=${1:-}
case "${variant}" in
    cpu | cu128) ;;
    *) echo "usage: $0 cpu|cu128 (the torch build); got '${variant}'" >&2; exit 2 ;;
esac

# The same pin as requirements.txt; the index's build (2.13.0+cpu, +cu128) satisfies it below.
torch=$(grep --extended-regexp '^torch==' requirements.txt)
pip install --no-cache-dir --index-url "https://download.pytorch.org/whl/${variant}" "${torch}"

without_ros=$(mktemp)
grep --invert-match --extended-regexp '^(ros-|colcon-)' requirements.txt > "${without_ros}"
pip install --no-cache-dir --requirement "${without_ros}" --constraint constraints.txt
rm "${without_ros}"
