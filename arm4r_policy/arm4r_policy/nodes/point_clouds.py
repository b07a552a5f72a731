"""sensor_msgs/PointCloud2 <-> (n, 3) points, for the predicted tracks of a points checkpoint.

A cloud written here is one row (height 1) of n points, each three little-endian float32 fields
x, y, z [m] (12 bytes), in the optical frame of the camera whose tracks they are,
``<camera>_optical_frame`` (OpenCV axes: x right, y down, z forward). Reading takes any cloud
whose x, y and z are float32 fields (other fields and padding are skipped), and raises
``ObservationError`` naming what does not fit: missing fields, sizes that disagree with the data,
no points, or a non-finite coordinate.
"""

from __future__ import annotations

import numpy as np
from sensor_msgs.msg import PointCloud2, PointField
from std_msgs.msg import Header

from arm4r_policy.errors import ObservationError

OPTICAL_FRAME_SUFFIX = "_optical_frame"
_AXES = ("x", "y", "z")
_FLOAT32_BYTES = 4


def optical_frame(camera: str) -> str:
    """The frame of a camera's images and of points in its optical frame."""
    return f"{camera}{OPTICAL_FRAME_SUFFIX}"


def optical_frame_camera(frame_id: str) -> str:
    """The camera of ``<camera>_optical_frame``."""
    camera = frame_id.removesuffix(OPTICAL_FRAME_SUFFIX)
    if camera == frame_id or not camera:
        raise ObservationError(
            f"frame_id: expected a camera's optical frame '<camera>{OPTICAL_FRAME_SUFFIX}', "
            f"got {frame_id!r}"
        )
    return camera


def points_to_cloud(points: np.ndarray, header: Header) -> PointCloud2:
    """(n, 3) xyz [m] -> a PointCloud2 of n float32 points in ``header``'s frame."""
    values = np.ascontiguousarray(points, dtype="<f4")
    fields = [
        PointField(name=axis, offset=index * _FLOAT32_BYTES, datatype=PointField.FLOAT32, count=1)
        for index, axis in enumerate(_AXES)
    ]
    point_step = len(_AXES) * _FLOAT32_BYTES
    return PointCloud2(
        header=header,
        height=1,
        width=len(values),
        fields=fields,
        is_bigendian=False,
        point_step=point_step,
        row_step=point_step * len(values),
        data=values.tobytes(),
        is_dense=bool(np.isfinite(values).all()),
    )


def cloud_to_points(cloud: PointCloud2) -> np.ndarray:
    """A PointCloud2 with float32 x, y, z fields -> (n, 3) float64 xyz."""
    offsets = {field.name: field for field in cloud.fields}
    for axis in _AXES:
        field = offsets.get(axis)
        if field is None or field.datatype != PointField.FLOAT32 or field.count != 1:
            found = [(f.name, f.datatype, f.count) for f in cloud.fields]
            raise ObservationError(
                f"point cloud: expected float32 fields x, y, z (datatype "
                f"{PointField.FLOAT32}, count 1), got (name, datatype, count) {found}"
            )
    width, height, point_step, row_step = (
        cloud.width,
        cloud.height,
        cloud.point_step,
        cloud.row_step,
    )
    if width * height == 0:
        raise ObservationError(f"point cloud: expected points, got {width} x {height}")
    ends = [offsets[axis].offset + _FLOAT32_BYTES for axis in _AXES]
    if (
        max(ends) > point_step
        or width * point_step > row_step
        or len(cloud.data) != row_step * height
    ):
        raise ObservationError(
            f"point cloud: {width} x {height} points of {point_step} bytes in rows of {row_step} "
            f"bytes do not fit {len(cloud.data)} bytes of data with x, y, z ending at {ends}"
        )
    point = np.dtype(
        {
            "names": list(_AXES),
            "formats": [">f4" if cloud.is_bigendian else "<f4"] * len(_AXES),
            "offsets": [offsets[axis].offset for axis in _AXES],
            "itemsize": point_step,
        }
    )
    rows = np.frombuffer(cloud.data, np.uint8).reshape(height, row_step)
    packed = np.ascontiguousarray(rows[:, : width * point_step]).view(point).ravel()
    points = np.stack([packed[axis] for axis in _AXES], axis=1).astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(points).all(axis=1))
    if len(bad):
        shown = ", ".join(f"{value:.6g}" for value in points[bad[0]])
        raise ObservationError(
            f"point cloud: expected finite points, got ({shown}) at point {bad[0]} "
            f"({len(bad)} non-finite in all)"
        )
    return points
