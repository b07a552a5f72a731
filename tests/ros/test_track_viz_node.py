import numpy as np
import pytest
from nav_msgs.msg import Path
from std_msgs.msg import Header
from visualization_msgs.msg import Marker, MarkerArray

from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import states_to_path

STATES = np.array(
    [
        [0.40, 0.00, 0.30, np.pi, 0.0, 0.0, 0.0],
        [0.42, 0.01, 0.29, np.pi, 0.0, 0.1, 0.0],
        [0.44, 0.02, 0.28, np.pi, 0.0, 0.2, 1.0],
    ]
)


def test_a_path_becomes_markers_that_replace_the_last_in_the_paths_frame(graph, start_node):
    node = start_node("track_viz_node")
    markers = graph.record(MarkerArray, topics.MARKERS)
    publisher = graph.publisher(Path, topics.PREDICTED_PATH)
    header = Header(stamp=graph.node.get_clock().now().to_msg(), frame_id="table")
    path = states_to_path(STATES, header)

    received = graph.publish_until(publisher, path, lambda: bool(markers), timeout=15.0)
    assert received, node.output()
    clear, line, spheres, arrow = markers.messages[0].markers
    assert clear.action == Marker.DELETEALL
    assert [line.type, spheres.type, arrow.type] == [
        Marker.LINE_STRIP,
        Marker.SPHERE_LIST,
        Marker.ARROW,
    ]
    for marker in (line, spheres, arrow):
        assert marker.header.frame_id == "table"
        assert marker.header.stamp == header.stamp
    expected = pytest.approx(STATES[:, :3].ravel())
    assert np.array([[p.x, p.y, p.z] for p in line.points]).ravel() == expected
    assert np.array([[p.x, p.y, p.z] for p in spheres.points]).ravel() == expected
    assert [arrow.pose.position.x, arrow.pose.position.y, arrow.pose.position.z] == pytest.approx(
        STATES[0, :3]
    )
