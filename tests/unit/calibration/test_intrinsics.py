"""Intrinsics from rendered board images: K against the renderer's, and every refusal.

The renderer is an exact pinhole (no distortion) with fx = fy = 494.0 px and the principal point
at (319.5, 239.5). Tolerances: focal lengths 1 %, principal point 2 px, RMS reprojection error
below 0.5 px, and the fitted model (K and distortion) maps every direction in view to within 3 px
of where the true camera does, out to the image corners where no corner was seen.
"""

import shutil

import cv2
import numpy as np
import pytest

from arm4r_policy.calibration.intrinsics import MIN_VIEWS, calibrate_intrinsics
from arm4r_policy.errors import CalibrationError, ConfigError
from arm4r_policy.sim.transforms import make_pose, rot_y
from tests.unit.calibration.conftest import write_image
from tests.unit.calibration.scenes import HEIGHT, WIDTH, BenchScene, board_centre

IMAGE_GRID = np.stack(
    np.meshgrid(np.linspace(0, WIDTH - 1, 9), np.linspace(0, HEIGHT - 1, 7)), axis=-1
).reshape(-1, 2)
"""(63, 2) pixels spread over the whole image, corners included."""


def copy_views(views, folder, count):
    """The first ``count`` images of ``views`` in ``folder``."""
    folder.mkdir()
    for path in sorted(views.folder.glob("*.png"))[:count]:
        shutil.copy(path, folder)
    return folder


def assert_matches_truth(result, truth):
    calibration = result.calibration
    k = calibration.camera_matrix
    np.testing.assert_allclose([k[0, 0], k[1, 1]], [truth[0, 0], truth[1, 1]], rtol=0.01)
    np.testing.assert_allclose([k[0, 2], k[1, 2]], [truth[0, 2], truth[1, 2]], atol=2.0)
    assert result.rms_error < 0.5
    assert max(result.view_errors.values()) < 0.5
    # The directions the true camera sees at IMAGE_GRID, projected through the fitted model.
    directions = np.hstack([(IMAGE_GRID - truth[:2, 2]) / truth[0, 0], np.ones((63, 1))])
    projected = cv2.projectPoints(directions, np.zeros(3), np.zeros(3), k, calibration.distortion)
    np.testing.assert_allclose(projected[0].reshape(-1, 2), IMAGE_GRID, atol=3.0)


@pytest.fixture(scope="module")
def chessboard_result(chessboard_views):
    return calibrate_intrinsics(chessboard_views.folder, chessboard_views.board, "bench")


def test_a_chessboard_gives_the_renderers_intrinsics(chessboard_result, chessboard_views):
    assert_matches_truth(chessboard_result, chessboard_views.truth)
    assert len(chessboard_result.view_errors) + len(chessboard_result.skipped) == 15
    assert len(chessboard_result.view_errors) >= 12  # a strongly tilted board may go unseen
    calibration = chessboard_result.calibration
    assert (calibration.camera_name, calibration.size) == ("bench", (640, 480))
    assert calibration.distortion_model == "plumb_bob"
    assert calibration.distortion[4] == 0.0  # k3 held at 0


def test_a_charuco_board_gives_the_renderers_intrinsics(charuco_views):
    result = calibrate_intrinsics(charuco_views.folder, charuco_views.board, "bench")
    assert_matches_truth(result, charuco_views.truth)
    assert len(result.view_errors) >= 12


def test_images_without_the_board_are_skipped_and_counted(chessboard_views, tmp_path):
    folder = copy_views(chessboard_views, tmp_path / "views", 12)
    scene = BenchScene(chessboard_views.board)
    try:  # the board edge-on: a grey sliver, no corners
        edge_on = make_pose(rot_y(np.pi / 2), (0.0, 0.0, 0.5)) @ make_pose(
            np.eye(3), -board_centre(chessboard_views.board)
        )
        write_image(folder / "edge_on.png", scene.render(edge_on))
    finally:
        scene.close()
    cv2.imwrite(str(folder / "wall.png"), np.full((480, 640), 128, np.uint8))
    result = calibrate_intrinsics(folder, chessboard_views.board, "bench")
    assert result.skipped == ("edge_on.png", "wall.png")
    assert len(result.view_errors) == 12
    assert_matches_truth(result, chessboard_views.truth)


def test_too_few_views_is_an_error_naming_the_folder(chessboard_views, tmp_path):
    folder = copy_views(chessboard_views, tmp_path / "few", MIN_VIEWS - 1)
    with pytest.raises(CalibrationError, match=rf"{folder}.*found in {MIN_VIEWS - 1} of"):
        calibrate_intrinsics(folder, chessboard_views.board, "bench")


def test_a_reprojection_error_over_the_limit_refuses_and_names_the_worst_images(
    chessboard_result, chessboard_views
):
    errors = chessboard_result.view_errors
    worst = max(errors, key=errors.get)
    limit = np.mean(sorted(errors.values())[-3:-1])  # between the second and the third worst
    with pytest.raises(CalibrationError, match=rf"2 of 15 images .* worst: {worst} ") as refusal:
        calibrate_intrinsics(chessboard_views.folder, chessboard_views.board, "bench", limit)
    assert f"{errors[worst]:.2f} px" in str(refusal.value)


def test_unreadable_or_odd_sized_images_are_errors_naming_the_file(chessboard_views, tmp_path):
    folder = copy_views(chessboard_views, tmp_path / "views", 2)
    (folder / "broken.png").write_bytes(b"not an image")
    with pytest.raises(ConfigError, match="broken.png cannot be read"):
        calibrate_intrinsics(folder, chessboard_views.board, "bench")
    (folder / "broken.png").unlink()
    cv2.imwrite(str(folder / "x_small.png"), np.zeros((240, 320), np.uint8))
    with pytest.raises(ConfigError, match="x_small.png is 320x240"):
        calibrate_intrinsics(folder, chessboard_views.board, "bench")


def test_a_missing_or_empty_folder_and_a_bad_limit_are_errors(chessboard_views, tmp_path):
    with pytest.raises(ConfigError, match="is not a directory"):
        calibrate_intrinsics(tmp_path / "missing", chessboard_views.board, "bench")
    with pytest.raises(ConfigError, match="holds no image"):
        calibrate_intrinsics(tmp_path, chessboard_views.board, "bench")
    with pytest.raises(ConfigError, match="max_error"):
        calibrate_intrinsics(chessboard_views.folder, chessboard_views.board, "bench", 0.0)
