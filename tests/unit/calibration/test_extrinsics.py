"""Extrinsics from rendered images at known end-effector poses, against the poses they were
rendered from, and every refusal.

Fixed camera: the Kinova cell's ``side`` camera watching a board the gripper holds, 10 joint
configurations within 0.3 rad of home; the camera-to-base pose must come within 2 mm and 0.2 deg
of the cell's, the board-to-TCP pose within 2 mm and 0.2 deg too. Wrist camera: the same tolerances
on the camera-to-end-effector pose.
"""

import math
import shutil

import numpy as np
import pytest
import yaml

from arm4r_policy.calibration.boards import Chessboard
from arm4r_policy.calibration.extrinsics import (
    MAX_POSITION_RESIDUAL,
    MAX_ROTATION_RESIDUAL,
    calibrate_extrinsics,
)
from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.errors import CalibrationError, ConfigError
from arm4r_policy.runtime.pose import rotation_angle
from tests.unit.calibration.conftest import TRUE_K

BRIO = CameraCalibration.monocular("side", 640, 480, TRUE_K)


def assert_near(actual, expected, millimetres=2.0, degrees=0.2):
    assert 1000 * np.linalg.norm(actual[:3, 3] - expected[:3, 3]) < millimetres
    assert math.degrees(rotation_angle(actual[:3, :3], expected[:3, :3])) < degrees


def calibrate(views, mount, poses=None, **changes):
    poses = poses or views.folder / "poses.yaml"
    return calibrate_extrinsics(
        views.folder, poses, changes.pop("calibration", BRIO), views.board, mount, **changes
    )


def test_a_fixed_camera_gets_the_cells_camera_to_base_pose(held_board_views):
    result = calibrate(held_board_views, "fixed")
    assert result.mount == "fixed"
    assert_near(result.camera_pose, held_board_views.truth)
    assert_near(result.board_pose, held_board_views.board_truth)
    assert len(result.position_residuals) + len(result.skipped) == 10
    assert len(result.position_residuals) >= 8
    assert max(result.position_residuals.values()) < MAX_POSITION_RESIDUAL
    assert max(result.rotation_residuals.values()) < MAX_ROTATION_RESIDUAL
    assert result.reprojection_rms < 0.5


def test_a_wrist_camera_gets_its_camera_to_end_effector_pose(wrist_views):
    result = calibrate(wrist_views, "wrist")
    assert_near(result.camera_pose, wrist_views.truth)
    assert_near(result.board_pose, wrist_views.board_truth)
    assert result.reprojection_rms < 0.5


def test_a_pose_that_belongs_to_another_image_refuses_and_names_it(wrist_views, tmp_path):
    poses = yaml.safe_load((wrist_views.folder / "poses.yaml").read_text())
    poses["view_02.png"], poses["view_05.png"] = poses["view_05.png"], poses["view_02.png"]
    swapped = tmp_path / "poses.yaml"
    swapped.write_text(yaml.safe_dump(poses), encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"images disagree .* worst: view_0[25].png") as no:
        calibrate(wrist_views, "wrist", swapped)
    assert {"view_02.png", "view_05.png"} <= set(str(no.value).split())


def test_an_image_without_a_pose_is_an_error_naming_it(wrist_views, tmp_path):
    poses = yaml.safe_load((wrist_views.folder / "poses.yaml").read_text())
    del poses["view_03.png"]
    partial = tmp_path / "poses.yaml"
    partial.write_text(yaml.safe_dump(poses), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"poses file {partial}: .*\['view_03.png'\]"):
        calibrate(wrist_views, "wrist", partial)


def test_a_malformed_poses_file_is_an_error_naming_the_file_and_entry(wrist_views, tmp_path):
    poses = yaml.safe_load((wrist_views.folder / "poses.yaml").read_text())
    poses["view_04.png"]["orientation"] = [0.0, 0.0, 0.0]
    broken = tmp_path / "poses.yaml"
    broken.write_text(yaml.safe_dump(poses), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"poses file {broken}: view_04.png: orientation"):
        calibrate(wrist_views, "wrist", broken)


def test_too_few_views_is_an_error_naming_the_folder(wrist_views, tmp_path):
    folder = tmp_path / "few"
    folder.mkdir()
    for name in ("view_00.png", "view_01.png", "view_02.png", "poses.yaml"):
        shutil.copy(wrist_views.folder / name, folder)
    with pytest.raises(CalibrationError, match=rf"image folder {folder}: .* 3 of 3 images"):
        calibrate_extrinsics(folder, folder / "poses.yaml", BRIO, wrist_views.board, "wrist")


def test_a_board_that_looks_the_same_turned_around_is_refused(wrist_views):
    symmetric = Chessboard(8, 6, 0.025)
    with pytest.raises(ConfigError, match="8 x 6 inner corners looks the same turned by 180"):
        calibrate_extrinsics(
            wrist_views.folder, wrist_views.folder / "poses.yaml", BRIO, symmetric, "wrist"
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mount": "ceiling"}, "mount 'ceiling'"),
        ({"max_position_error": 0.0}, "max_position_error = 0.0"),
        (
            {"calibration": CameraCalibration.monocular("side", 640, 480, TRUE_K, "equidistant")},
            "distortion model equidistant",
        ),
        ({"calibration": CameraCalibration.monocular("side", 640, 360, TRUE_K)}, "640x360"),
    ],
)
def test_bad_requests_are_errors_naming_what_is_wrong(wrist_views, changes, message):
    mount = changes.pop("mount", "wrist")
    with pytest.raises(ConfigError, match=message):
        calibrate(wrist_views, mount, **changes)
