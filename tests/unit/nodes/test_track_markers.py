"""Markers of predicted point tracks: a line strip per point through its recent positions and
the current points, with ids that stay the same from one prediction to the next."""

import numpy as np
from builtin_interfaces.msg import Time
from std_msgs.msg import Header
from visualization_msgs.msg import Marker

from arm4r_policy.nodes.markers import (
    NAMESPACE,
    TRACK_POINTS_NAMESPACE,
    TRACKS_NAMESPACE,
    track_markers,
)

HEADER = Header(stamp=Time(sec=3, nanosec=4), frame_id="base_link")
# 4 points, 3 positions each, oldest first
TRACKS = np.arange(36, dtype=float).reshape(4, 3, 3) / 100.0


def xyz(marker: Marker) -> np.ndarray:
    return np.array([[p.x, p.y, p.z] for p in marker.points])


def test_each_point_gets_a_line_strip_through_its_positions_and_the_last_ones_a_sphere_list():
    *lines, current = track_markers(TRACKS, HEADER).markers
    assert len(lines) == 4
    for index, line in enumerate(lines):
        assert (line.ns, line.id, line.type, line.action) == (
            TRACKS_NAMESPACE,
            index,
            Marker.LINE_STRIP,
            Marker.ADD,
        )
        np.testing.assert_allclose(xyz(line), TRACKS[index])
    assert (current.ns, current.id, current.type) == (TRACK_POINTS_NAMESPACE, 0, Marker.SPHERE_LIST)
    np.testing.assert_allclose(xyz(current), TRACKS[:, -1])
    for marker in [*lines, current]:
        assert marker.header == HEADER
        assert marker.pose.orientation.w == 1.0
        assert marker.scale.x > 0
        assert marker.color.a > 0


def test_the_next_prediction_replaces_the_same_markers_and_leaves_the_path_alone():
    first = track_markers(TRACKS[:, :1], HEADER).markers
    second = track_markers(TRACKS, HEADER).markers
    assert [(m.ns, m.id) for m in first] == [(m.ns, m.id) for m in second]
    assert all(m.action == Marker.ADD and m.ns != NAMESPACE for m in second)
