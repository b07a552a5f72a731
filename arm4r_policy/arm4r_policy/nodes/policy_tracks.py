"""policy_node with a point-tracking checkpoint: each observation's predicted tracked points go out
as a point cloud, and nothing goes to the robot (nodes/__init__.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import PointCloud2
from std_msgs.msg import Header

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import format_stamp, ns_to_stamp
from arm4r_policy.nodes.point_clouds import optical_frame, points_to_cloud
from arm4r_policy.runtime.track_prediction import TrackPredictor


class TrackPublisher:
    """Steps ``predictor`` and publishes its points in ``camera``'s optical frame."""

    def __init__(self, node: Node, predictor: TrackPredictor, camera: str) -> None:
        self.predictor = predictor
        self.frame_id = optical_frame(camera)
        self._cloud_out = node.create_publisher(
            PointCloud2, topics.PREDICTED_TRACKS_POINTS, topics.RELIABLE_QOS
        )
        node.get_logger().info(
            f"points checkpoint: predicts {predictor.num_points} tracked points of camera "
            f"{camera!r} on {topics.PREDICTED_TRACKS_POINTS} in {self.frame_id}; publishes no "
            f"robot target and no gripper command"
        )

    def publish(self, images: Sequence[np.ndarray], instruction: str, stamp_ns: int) -> str:
        """Predict the points of the step after the observation stamped ``stamp_ns`` and publish
        them with its stamp; returns what was done, in words."""
        prediction = self.predictor.step(images, instruction)
        header = Header(stamp=ns_to_stamp(stamp_ns), frame_id=self.frame_id)
        self._cloud_out.publish(points_to_cloud(prediction.points, header))
        return (
            f"tracks {format_stamp(stamp_ns)} predicted: {len(prediction.points)} points on "
            f"{topics.PREDICTED_TRACKS_POINTS} (points checkpoint: no robot targets)"
        )
