"""Camera calibration YAML: the ROS format, round trips, named errors, rescaling."""

import numpy as np
import pytest
import yaml
from sensor_msgs.msg import CameraInfo

from arm4r_policy.drivers.calibration import (
    CameraCalibration,
    load_calibration,
    pixel_scaling,
    save_calibration,
)
from arm4r_policy.errors import ConfigError

K = np.array([[494.0, 0.0, 319.5], [0.0, 493.0, 239.5], [0.0, 0.0, 1.0]])


@pytest.fixture
def calibration():
    return CameraCalibration.monocular(
        "ego", 640, 480, K, distortion=np.array([0.1, -0.05, 0.001, 0.002, 0.01])
    )


def write_yaml(path, content):
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return path


def test_save_then_load_gives_the_same_calibration(tmp_path, calibration):
    path = tmp_path / "ego.yaml"
    save_calibration(calibration, path)
    loaded = load_calibration(path)
    assert (loaded.camera_name, loaded.size, loaded.distortion_model) == (
        "ego",
        (640, 480),
        "plumb_bob",
    )
    np.testing.assert_array_equal(loaded.camera_matrix, calibration.camera_matrix)
    np.testing.assert_array_equal(loaded.distortion, calibration.distortion)
    np.testing.assert_array_equal(loaded.rectification, np.eye(3))
    np.testing.assert_array_equal(loaded.projection, np.hstack([K, np.zeros((3, 1))]))
    assert [p.name for p in tmp_path.iterdir()] == ["ego.yaml"]  # no temporary file left


def test_saved_file_is_the_camera_calibration_format(tmp_path, calibration):
    path = tmp_path / "ego.yaml"
    save_calibration(calibration, path)
    content = yaml.safe_load(path.read_text())
    assert list(content) == [
        "image_width",
        "image_height",
        "camera_name",
        "camera_matrix",
        "distortion_model",
        "distortion_coefficients",
        "rectification_matrix",
        "projection_matrix",
    ]
    assert content["camera_matrix"] == {"rows": 3, "cols": 3, "data": K.reshape(-1).tolist()}
    assert content["distortion_coefficients"]["rows"] == 1
    assert content["distortion_coefficients"]["cols"] == 5
    assert (content["projection_matrix"]["rows"], content["projection_matrix"]["cols"]) == (3, 4)


def test_saving_replaces_an_existing_file(tmp_path, calibration):
    path = tmp_path / "ego.yaml"
    save_calibration(calibration, path)
    save_calibration(calibration.scaled(320, 240), path)
    assert load_calibration(path).size == (320, 240)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.pop("camera_matrix"), r"missing field\(s\) \['camera_matrix'\]"),
        (lambda c: c["camera_matrix"].update(data=[1.0] * 8), "field camera_matrix: rows = 3"),
        (lambda c: c["projection_matrix"].update(rows=4, cols=3), "field projection_matrix"),
        (lambda c: c.update(image_width=-640), "width = -640"),
        (lambda c: c["distortion_coefficients"].update(cols=4, data=[0.0] * 4), "takes 5"),
        (lambda c: c["camera_matrix"].update(data=["a"] * 9), "list of numbers"),
        (lambda c: c.update(camera_matrix=[1, 2, 3]), "field camera_matrix: expected a mapping"),
    ],
)
def test_bad_files_are_refused_naming_the_file_and_field(tmp_path, calibration, edit, message):
    content = calibration.to_yaml_dict()
    edit(content)
    path = write_yaml(tmp_path / "ego.yaml", content)
    with pytest.raises(ConfigError, match=message) as raised:
        load_calibration(path)
    assert f"calibration file {path}" in str(raised.value)


def test_unreadable_files_are_named(tmp_path):
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match=f"calibration file {missing} cannot be read"):
        load_calibration(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("camera_matrix: [1, 2\n")
    with pytest.raises(ConfigError, match=f"calibration file {broken} is not valid YAML"):
        load_calibration(broken)


def test_scaling_moves_pixel_edges_onto_pixel_edges():
    scaling = pixel_scaling((640, 480), (320, 240))
    left_top, right_bottom = scaling @ [-0.5, -0.5, 1.0], scaling @ [639.5, 479.5, 1.0]
    np.testing.assert_allclose(left_top, [-0.5, -0.5, 1.0])
    np.testing.assert_allclose(right_bottom, [319.5, 239.5, 1.0])


def test_scaled_intrinsics_halve_the_focal_lengths_and_round_trip(calibration):
    half = calibration.scaled(320, 240)
    expected = [[247.0, 0.0, 159.5], [0.0, 246.5, 119.5], [0.0, 0.0, 1.0]]
    np.testing.assert_allclose(half.camera_matrix, expected)
    np.testing.assert_allclose(half.projection[:, :3], half.camera_matrix)
    np.testing.assert_array_equal(half.distortion, calibration.distortion)
    back = half.scaled(640, 480)
    np.testing.assert_allclose(back.camera_matrix, calibration.camera_matrix)
    np.testing.assert_allclose(back.projection, calibration.projection)


def test_camera_info_fields_build_a_sensor_msgs_camera_info(calibration):
    info = CameraInfo(**calibration.camera_info_fields())
    assert (info.width, info.height, info.distortion_model) == (640, 480, "plumb_bob")
    np.testing.assert_array_equal(np.reshape(info.k, (3, 3)), K)
    np.testing.assert_array_equal(np.reshape(info.p, (3, 4))[:, :3], K)
    np.testing.assert_array_equal(info.d, calibration.distortion)


def test_a_camera_matrix_without_positive_focal_lengths_is_refused():
    bad = K.copy()
    bad[0, 0] = 0.0
    with pytest.raises(ConfigError, match="expected fx, fy > 0"):
        CameraCalibration.monocular("ego", 640, 480, bad)
