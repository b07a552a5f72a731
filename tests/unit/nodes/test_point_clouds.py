"""PointCloud2 <-> (n, 3) points for the predicted tracks, and the refusal of clouds that do not
hold finite float32 x, y, z."""

import numpy as np
import pytest
from builtin_interfaces.msg import Time
from sensor_msgs.msg import PointCloud2, PointField
from std_msgs.msg import Header

from arm4r_policy.errors import ObservationError
from arm4r_policy.nodes.point_clouds import (
    cloud_to_points,
    optical_frame,
    optical_frame_camera,
    points_to_cloud,
)

HEADER = Header(stamp=Time(sec=5, nanosec=6), frame_id="side_optical_frame")
POINTS = np.array([[0.1, -0.2, 0.8], [0.0, 0.05, 1.25], [-0.3, 0.4, 0.6]])


def test_a_cloud_is_one_row_of_float32_xyz_in_the_headers_frame():
    cloud = points_to_cloud(POINTS, HEADER)
    assert cloud.header == HEADER
    assert (cloud.height, cloud.width, cloud.point_step, cloud.row_step) == (1, 3, 12, 36)
    assert [(f.name, f.offset, f.datatype, f.count) for f in cloud.fields] == [
        ("x", 0, PointField.FLOAT32, 1),
        ("y", 4, PointField.FLOAT32, 1),
        ("z", 8, PointField.FLOAT32, 1),
    ]
    assert not cloud.is_bigendian
    assert cloud.is_dense
    np.testing.assert_array_equal(
        np.frombuffer(cloud.data, "<f4").reshape(3, 3), POINTS.astype(np.float32)
    )


def test_points_come_back_from_their_cloud():
    back = cloud_to_points(points_to_cloud(POINTS, HEADER))
    np.testing.assert_allclose(back, POINTS, atol=1e-7)


def test_other_fields_padding_rows_and_big_endian_data_are_read():
    # 2 x 2 points of (intensity, z, x, y, 4 bytes of padding), rows padded by 8 bytes
    grid = np.arange(12, dtype=float).reshape(4, 3) / 10.0
    record = np.dtype(
        {"names": ["i", "z", "x", "y"], "formats": [">f4"] * 4, "offsets": [0, 4, 8, 12],
         "itemsize": 20}
    )  # fmt: skip
    values = np.zeros(4, record)
    values["x"], values["y"], values["z"], values["i"] = grid[:, 0], grid[:, 1], grid[:, 2], 7.0
    rows = values.reshape(2, 2).tobytes()
    padded = b"".join(rows[r * 40 : (r + 1) * 40] + bytes(8) for r in range(2))
    fields = [
        PointField(name=name, offset=offset, datatype=PointField.FLOAT32, count=1)
        for name, offset in (("intensity", 0), ("z", 4), ("x", 8), ("y", 12))
    ]
    cloud = PointCloud2(
        header=HEADER, height=2, width=2, fields=fields, is_bigendian=True, point_step=20,
        row_step=48, data=padded, is_dense=True,
    )  # fmt: skip
    np.testing.assert_allclose(cloud_to_points(cloud), grid, atol=1e-6)


def malformed_clouds():
    good = points_to_cloud(POINTS, HEADER)
    nan = POINTS.copy()
    nan[1, 2] = np.nan
    no_z = points_to_cloud(POINTS, HEADER)
    no_z.fields = no_z.fields[:2]
    float64_x = points_to_cloud(POINTS, HEADER)
    float64_x.fields[0].datatype = PointField.FLOAT64
    short = points_to_cloud(POINTS, HEADER)
    short.data = good.data[:-4]
    wide = points_to_cloud(POINTS, HEADER)
    wide.width = 4
    empty = points_to_cloud(np.zeros((0, 3)), HEADER)
    return {
        "nan": (points_to_cloud(nan, HEADER), r"finite points, got \(0, 0.05, nan\) at point 1"),
        "no z": (no_z, "expected float32 fields x, y, z"),
        "float64 x": (float64_x, "expected float32 fields x, y, z"),
        "short data": (short, "do not fit 32 bytes"),
        "width beyond the row": (wide, "4 x 1 points of 12 bytes"),
        "no points": (empty, "expected points, got 0 x 1"),
    }


@pytest.mark.parametrize("case", list(malformed_clouds()))
def test_a_malformed_cloud_is_refused_saying_what_does_not_fit(case):
    cloud, message = malformed_clouds()[case]
    with pytest.raises(ObservationError, match=message):
        cloud_to_points(cloud)


def test_a_cameras_optical_frame_names_the_camera():
    assert optical_frame("side") == "side_optical_frame"
    assert optical_frame_camera("side_optical_frame") == "side"
    for frame in ("base_link", "_optical_frame", ""):
        with pytest.raises(ObservationError, match="optical frame"):
            optical_frame_camera(frame)
