"""RViz markers for a predicted end-effector path and for predicted point tracks (message
building only).

Path: one MarkerArray per prediction, in the path's frame and stamp: a DELETEALL first, so each
prediction replaces the last, then a LINE_STRIP through the poses, a SPHERE_LIST on them and an
ARROW at the first target along its tool z (approach) axis.

Tracks: one MarkerArray per prediction of n tracked points, in the frame and stamp given: a
LINE_STRIP per point through its recent positions (namespace ``predicted_tracks``, id = the
point's index) and one SPHERE_LIST of the current positions (``predicted_track_points``, id 0).
The ids stay the same from one prediction to the next, so each replaces the last in place (ADD
over the same namespace and id) and the path's markers are left alone.
"""

from __future__ import annotations

import numpy as np
from geometry_msgs.msg import Point, Pose, Quaternion, Vector3
from nav_msgs.msg import Path
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from arm4r_policy.runtime.pose import euler_xyz_to_matrix, matrix_to_quat_xyzw, quat_xyzw_to_matrix

NAMESPACE = "predicted_path"
TRACKS_NAMESPACE = "predicted_tracks"
TRACK_POINTS_NAMESPACE = "predicted_track_points"
LINE_WIDTH = 0.004  # [m]
POINT_DIAMETER = 0.012  # [m]
ARROW_SIZE = (0.06, 0.008, 0.012)  # [m] length, shaft diameter, head diameter
PATH_COLOR = ColorRGBA(r=0.1, g=0.6, b=1.0, a=0.9)
TARGET_COLOR = ColorRGBA(r=1.0, g=0.5, b=0.0, a=1.0)
TRACK_WIDTH = 0.002  # [m]
TRACK_POINT_DIAMETER = 0.008  # [m]
TRACK_COLOR = ColorRGBA(r=0.2, g=0.9, b=0.3, a=0.8)
TRACK_POINT_COLOR = ColorRGBA(r=1.0, g=0.2, b=0.6, a=1.0)
# An ARROW points along its marker's x axis; this turns x onto the tool's z axis.
_X_TO_Z = euler_xyz_to_matrix(np.array([0.0, -np.pi / 2, 0.0]))


def path_markers(path: Path) -> MarkerArray:
    """DELETEALL, then (for a non-empty path) the line strip, spheres and first-target arrow."""
    clear = Marker(header=path.header, ns=NAMESPACE, action=Marker.DELETEALL)
    if not path.poses:
        return MarkerArray(markers=[clear])
    points = [stamped.pose.position for stamped in path.poses]
    line = _marker(path.header, 0, Marker.LINE_STRIP, Vector3(x=LINE_WIDTH), PATH_COLOR)
    line.points = points
    spheres = _marker(path.header, 1, Marker.SPHERE_LIST, _uniform(POINT_DIAMETER), PATH_COLOR)
    spheres.points = points
    length, shaft, head = ARROW_SIZE
    arrow = _marker(path.header, 2, Marker.ARROW, Vector3(x=length, y=shaft, z=head), TARGET_COLOR)
    arrow.pose = _approach_arrow_pose(path.poses[0].pose)
    return MarkerArray(markers=[clear, line, spheres, arrow])


def track_markers(tracks: np.ndarray, header: Header) -> MarkerArray:
    """(n, L, 3) each point's last L positions [m], oldest first, in ``header``'s frame ->
    a LINE_STRIP per point and a SPHERE_LIST of the last positions."""
    lines = []
    for index, track in enumerate(tracks):
        line = _marker(header, index, Marker.LINE_STRIP, Vector3(x=TRACK_WIDTH), TRACK_COLOR)
        line.ns = TRACKS_NAMESPACE
        line.points = _points(track)
        lines.append(line)
    current = _marker(
        header, 0, Marker.SPHERE_LIST, _uniform(TRACK_POINT_DIAMETER), TRACK_POINT_COLOR
    )
    current.ns = TRACK_POINTS_NAMESPACE
    current.points = _points(tracks[:, -1])
    return MarkerArray(markers=[*lines, current])


def _points(xyz: np.ndarray) -> list[Point]:
    return [Point(x=float(x), y=float(y), z=float(z)) for x, y, z in xyz]


def _marker(header: Header, marker_id: int, kind: int, scale: Vector3, color: ColorRGBA) -> Marker:
    marker = Marker(header=header, ns=NAMESPACE, id=marker_id, type=kind, action=Marker.ADD)
    marker.pose.orientation.w = 1.0
    marker.scale = scale
    marker.color = color
    return marker


def _uniform(size: float) -> Vector3:
    return Vector3(x=size, y=size, z=size)


def _approach_arrow_pose(pose: Pose) -> Pose:
    o = pose.orientation
    rotation = quat_xyzw_to_matrix(np.array([o.x, o.y, o.z, o.w])) @ _X_TO_Z
    x, y, z, w = (float(v) for v in matrix_to_quat_xyzw(rotation))
    return Pose(position=pose.position, orientation=Quaternion(x=x, y=y, z=z, w=w))
