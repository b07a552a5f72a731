"""ROS 2 node drawing the policy's predicted end-effector path for RViz.

Subscribes to /arm4r/predicted_path (nav_msgs/Path) and publishes /arm4r/markers
(visualization_msgs/MarkerArray, see nodes/markers.py) in the path's own frame.
"""

from __future__ import annotations

from collections.abc import Sequence

from nav_msgs.msg import Path
from rclpy.node import Node
from visualization_msgs.msg import MarkerArray

from arm4r_policy.nodes.markers import path_markers
from arm4r_policy.nodes.process import run_node
from arm4r_policy.nodes.topics import MARKERS, PREDICTED_PATH, RELIABLE_QOS

NODE_NAME = "track_viz_node"


class TrackVizNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        self._markers = self.create_publisher(MarkerArray, MARKERS, RELIABLE_QOS)
        self.create_subscription(Path, PREDICTED_PATH, self._on_path, RELIABLE_QOS)

    def _on_path(self, path: Path) -> None:
        self._markers.publish(path_markers(path))


def main(args: Sequence[str] | None = None) -> int:
    return run_node(TrackVizNode, NODE_NAME, args)
