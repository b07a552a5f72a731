import numpy as np
from builtin_interfaces.msg import Time
from nav_msgs.msg import Path
from std_msgs.msg import Header
from visualization_msgs.msg import Marker

from arm4r_policy.nodes.conversions import states_to_path
from arm4r_policy.nodes.markers import path_markers
from arm4r_policy.runtime.pose import quat_xyzw_to_matrix

HEADER = Header(stamp=Time(sec=3, nanosec=4), frame_id="table")
# Tool z (the approach axis) points straight down at every pose.
STATES = np.array([[0.4 + 0.01 * k, 0.0, 0.3, np.pi, 0.0, 0.0, 0.0] for k in range(16)])


def test_markers_start_with_deleteall_then_strip_spheres_and_arrow_in_the_paths_frame():
    markers = path_markers(states_to_path(STATES, HEADER)).markers
    assert [m.action for m in markers] == [Marker.DELETEALL, Marker.ADD, Marker.ADD, Marker.ADD]
    assert [m.type for m in markers[1:]] == [Marker.LINE_STRIP, Marker.SPHERE_LIST, Marker.ARROW]
    assert len({(m.ns, m.id) for m in markers[1:]}) == 3
    for marker in markers:
        assert marker.header == HEADER
    for marker in markers[1:3]:
        np.testing.assert_allclose([[p.x, p.y, p.z] for p in marker.points], STATES[:, :3])


def test_the_arrow_points_along_the_first_targets_approach_axis():
    arrow = path_markers(states_to_path(STATES, HEADER)).markers[3]
    o = arrow.pose.orientation
    pointing = quat_xyzw_to_matrix(np.array([o.x, o.y, o.z, o.w]))[:, 0]  # arrows point along x
    np.testing.assert_allclose(pointing, [0.0, 0.0, -1.0], atol=1e-12)
    p = arrow.pose.position
    np.testing.assert_allclose([p.x, p.y, p.z], STATES[0, :3])


def test_an_empty_path_only_clears():
    markers = path_markers(Path(header=HEADER)).markers
    assert [m.action for m in markers] == [Marker.DELETEALL]
