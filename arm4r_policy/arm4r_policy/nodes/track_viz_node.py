"""ROS 2 node drawing the policy's predictions for RViz: the end-effector path of a control
checkpoint, the point tracks of a point-tracking one.

Subscribes to /arm4r/predicted_path (nav_msgs/Path), drawn in the path's own frame, and to
/arm4r/predicted_tracks_points (sensor_msgs/PointCloud2 in a camera's optical frame), drawn in the
robot base frame with each point's recent positions; publishes /arm4r/markers
(visualization_msgs/MarkerArray, see nodes/markers.py). Details: nodes/__init__.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from nav_msgs.msg import Path
from rclpy.node import Node
from sensor_msgs.msg import PointCloud2
from std_msgs.msg import Header, String
from visualization_msgs.msg import MarkerArray

from arm4r_policy.errors import ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.diagnostics import ERROR, OK, DiagnosticsReporter
from arm4r_policy.nodes.markers import path_markers, track_markers
from arm4r_policy.nodes.parameters import declare_parameters
from arm4r_policy.nodes.point_clouds import cloud_to_points, optical_frame_camera
from arm4r_policy.nodes.process import run_node
from arm4r_policy.nodes.track_viz_parameters import (
    PARAMETERS,
    camera_extrinsics,
    extrinsics_source,
)
from arm4r_policy.runtime.tracks import TrackHistory, camera_to_base

NODE_NAME = "track_viz_node"


class TrackVizNode(Node):
    def __init__(self) -> None:
        super().__init__(NODE_NAME)
        p = declare_parameters(self, PARAMETERS)
        self.frame_id = p["frame_id"]
        self.extrinsics = camera_extrinsics(p)
        self.history = TrackHistory(p["track_length"])
        self._camera: str | None = None  # whose optical frame the kept history came in
        self.diagnostics = DiagnosticsReporter(self, f"{NODE_NAME}: predicted tracks")
        self._markers = self.create_publisher(MarkerArray, topics.MARKERS, topics.RELIABLE_QOS)
        self.create_subscription(Path, topics.PREDICTED_PATH, self._on_path, topics.RELIABLE_QOS)
        self.create_subscription(
            PointCloud2, topics.PREDICTED_TRACKS_POINTS, self._on_points, topics.RELIABLE_QOS
        )
        self.create_subscription(
            String, topics.INSTRUCTION, self._on_instruction, topics.LATCHED_QOS
        )
        self.get_logger().info(f"tracks drawn in {self.frame_id} with {extrinsics_source(p)}")

    def _on_path(self, path: Path) -> None:
        self._markers.publish(path_markers(path))

    def _on_instruction(self, _msg: String) -> None:
        """A new episode: its tracks do not continue the last one's."""
        self.history.reset()

    def _on_points(self, cloud: PointCloud2) -> None:
        try:
            camera = self._camera_of(cloud.header.frame_id)
            points = cloud_to_points(cloud)
        except ObservationError as error:
            self.diagnostics.report(ERROR, f"point cloud refused: {error}")
            return
        if camera != self._camera:
            self.history.reset()
            self._camera = camera
        tracks = self.history.add(camera_to_base(points, self.extrinsics[camera]))
        header = Header(stamp=cloud.header.stamp, frame_id=self.frame_id)
        self._markers.publish(track_markers(tracks, header))
        self.diagnostics.report(OK, f"drawing {len(points)} tracks of camera {camera!r}")

    def _camera_of(self, frame_id: str) -> str:
        """The camera whose optical frame ``frame_id`` is; one with known extrinsics."""
        camera = optical_frame_camera(frame_id)
        if camera not in self.extrinsics:
            raise ObservationError(
                f"frame_id {frame_id!r}: no extrinsics for camera {camera!r}; cameras: "
                f"{sorted(self.extrinsics)}"
            )
        return camera


def main(args: Sequence[str] | None = None) -> int:
    return run_node(TrackVizNode, NODE_NAME, args)
