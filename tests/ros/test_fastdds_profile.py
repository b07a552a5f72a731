"""The shipped Fast DDS profile carries full-size camera frames between processes."""

import statistics
import subprocess
import sys
from pathlib import Path

from sensor_msgs.msg import Image

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import stamp_to_ns

from .harness import node_environment

FRAMES = 90  # 3 s at 30 Hz
RATE_HZ = 30.0
PUBLISHER = Path(__file__).with_name("image_publisher.py")


def test_640x480_rgb8_frames_at_30_hz_arrive_in_another_process(graph, install, domain_id):
    topic = topics.camera_image("ego")
    frames = graph.record(Image, topic, topics.SENSOR_QOS)
    publisher = subprocess.Popen(
        [sys.executable, str(PUBLISHER), topic, str(FRAMES), str(RATE_HZ)],
        env=node_environment(install, domain_id),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        graph.spin_until(lambda: publisher.poll() is not None, timeout=30.0)
    finally:
        publisher.kill()
        output = publisher.communicate()[0]
    assert publisher.returncode == 0, output

    assert all(len(msg.data) == 640 * 480 * 3 for msg in frames.messages)
    received = len({msg.header.frame_id for msg in frames.messages})
    latencies_ms = [
        (arrival - stamp_to_ns(msg.header.stamp)) / 1e6
        for msg, arrival in zip(frames.messages, frames.arrivals_ns, strict=True)
    ]
    median = statistics.median(latencies_ms) if latencies_ms else float("nan")
    print(f"received {received}/{FRAMES} frames, median latency {median:.1f} ms")
    assert received >= 0.95 * FRAMES, output
