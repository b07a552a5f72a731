"""Publishes camera frames for the transport test: ``image_publisher.py TOPIC COUNT RATE_HZ``.

Waits for a subscriber, then sends COUNT 640x480 rgb8 frames at RATE_HZ with sensor-data QoS;
each frame's ``header.frame_id`` is its index.
"""

import sys
import time

import numpy as np
import rclpy
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from arm4r_policy.nodes.conversions import rgb_to_image
from arm4r_policy.nodes.topics import SENSOR_QOS

MATCH_TIMEOUT = 15.0  # [s]
SETTLE = 0.5  # [s] after matching, so the subscriber has matched this writer too


def main(topic: str, count: int, rate_hz: float) -> int:
    rclpy.init()
    node = rclpy.create_node("image_publisher")
    try:
        publisher = node.create_publisher(Image, topic, SENSOR_QOS)
        deadline = time.monotonic() + MATCH_TIMEOUT
        while publisher.get_subscription_count() == 0:
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.01)
        time.sleep(SETTLE)
        frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
        start = time.monotonic()
        for index in range(count):
            header = Header(stamp=node.get_clock().now().to_msg(), frame_id=str(index))
            publisher.publish(rgb_to_image(frame, header))
            time.sleep(max(0.0, start + (index + 1) / rate_hz - time.monotonic()))
        time.sleep(SETTLE)  # let the last frames leave before the participant goes
        return 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
