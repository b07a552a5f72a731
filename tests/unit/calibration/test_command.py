"""``arm4r calibrate`` end to end: intrinsics of the bench camera, then the Kinova ``side``
camera's extrinsics through them (the same BRIO-like camera), merged into an existing file."""

import math

import numpy as np
import yaml

from arm4r_policy.calibration.extrinsics_file import load_extrinsics
from arm4r_policy.cli import main
from arm4r_policy.drivers.calibration import load_calibration
from arm4r_policy.runtime.pose import rotation_angle

CHESSBOARD_ARGS = ["--board", "chessboard", "--cols", "9", "--rows", "6", "--square", "0.025"]
EGO_POSE = np.arange(16.0).tolist()


def test_intrinsics_then_extrinsics_write_the_files_the_stack_reads(
    chessboard_views, held_board_views, tmp_path, capsys
):
    camera = tmp_path / "side.yaml"
    code = main(["calibrate", "intrinsics", "--images", str(chessboard_views.folder),
                 *CHESSBOARD_ARGS, "--camera-name", "side", "--out", str(camera)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "RMS reprojection error" in printed
    assert "view_00.png" in printed
    calibration = load_calibration(camera)
    assert calibration.camera_name == "side"
    np.testing.assert_allclose(calibration.camera_matrix, chessboard_views.truth, rtol=0.01, atol=2)

    extrinsics = tmp_path / "extrinsics.yaml"
    extrinsics.write_text(yaml.safe_dump({"ego": EGO_POSE}), encoding="utf-8")
    code = main(["calibrate", "extrinsics", "--images", str(held_board_views.folder),
                 "--intrinsics", str(camera), *CHESSBOARD_ARGS, "--camera", "side",
                 "--mount", "fixed", "--out", str(extrinsics)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "residual per image [mm, deg]" in printed
    assert f"wrote {extrinsics}" in printed
    poses = load_extrinsics(str(extrinsics), ("ego", "side"))
    assert poses["ego"].reshape(-1).tolist() == EGO_POSE
    side, truth = poses["side"], held_board_views.truth
    assert 1000 * np.linalg.norm(side[:3, 3] - truth[:3, 3]) < 5.0
    assert math.degrees(rotation_angle(side[:3, :3], truth[:3, :3])) < 0.5


def test_a_refused_calibration_exits_2_with_the_reason_and_writes_nothing(
    chessboard_views, tmp_path, capsys
):
    camera = tmp_path / "side.yaml"
    code = main(["calibrate", "intrinsics", "--images", str(chessboard_views.folder),
                 *CHESSBOARD_ARGS, "--camera-name", "side", "--out", str(camera),
                 "--max-error", "0.01"])  # fmt: skip
    assert code == 2
    assert "arm4r calibrate intrinsics: image folder" in capsys.readouterr().err
    assert not camera.exists()
