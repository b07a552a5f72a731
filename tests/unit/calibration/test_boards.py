"""Board descriptions and detection: corners in the board frame's order, whichever way the board
is turned, and named errors for boards that cannot exist."""

import cv2
import numpy as np
import pytest

from arm4r_policy.calibration.boards import CharucoBoard, Chessboard, make_board
from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.cameras import project_points
from arm4r_policy.sim.transforms import make_pose, rot_x, rot_z, transform_points
from tests.unit.calibration.conftest import CHARUCO, CHESSBOARD, TRUE_K
from tests.unit.calibration.scenes import BenchScene, board_centre


def facing_camera(board, turn: float) -> np.ndarray:
    """The board 0.45 m in front of the camera, tilted a little, turned by ``turn`` [rad]."""
    rotation = rot_z(turn) @ rot_x(0.3)
    return make_pose(rotation, np.array([0.02, -0.01, 0.45]) - rotation @ board_centre(board))


@pytest.mark.parametrize("board", [CHESSBOARD, CHARUCO], ids=["chessboard", "charuco"])
def test_corners_are_found_in_board_order_however_the_board_is_turned(board):
    scene = BenchScene(board)
    try:
        for turn in (0.0, np.pi / 2, np.pi):
            pose = facing_camera(board, turn)
            view = board.detect(cv2.cvtColor(scene.render(pose), cv2.COLOR_RGB2GRAY))
            assert view is not None, f"turned by {turn:.2f} rad"
            expected = project_points(transform_points(pose, view.object_points), TRUE_K, np.eye(4))
            np.testing.assert_allclose(view.image_points, expected, atol=0.5)
            # MuJoCo's principal point is ((W - 1) / 2, (H - 1) / 2) with OpenCV's pixel centres
            # at integers: no offset left (W / 2 would leave half a pixel).
            np.testing.assert_allclose(np.mean(view.image_points - expected, axis=0), 0, atol=0.1)
            assert view.image_points.dtype == view.object_points.dtype == np.float32
    finally:
        scene.close()


def test_a_plain_image_holds_no_board():
    wall = np.full((480, 640), 128, np.uint8)
    assert CHESSBOARD.detect(wall) is None
    assert CHARUCO.detect(wall) is None


def test_object_points_are_the_inner_corners_row_by_row_from_the_origin():
    points = Chessboard(cols=4, rows=3, square=0.03).object_points
    assert points.shape == (12, 3)
    np.testing.assert_allclose(points[:5], [[0, 0, 0], [0.03, 0, 0], [0.06, 0, 0], [0.09, 0, 0],
                                            [0, 0.03, 0]], atol=1e-7)  # fmt: skip


def test_only_a_chessboard_with_an_odd_corner_sum_has_a_unique_orientation():
    assert Chessboard(9, 6, 0.025).has_unique_orientation
    assert not Chessboard(8, 6, 0.025).has_unique_orientation
    assert CharucoBoard(8, 6, 0.03, 0.02).has_unique_orientation


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Chessboard(2, 6, 0.025), "cols = 2"),
        (lambda: Chessboard(9, 6.0, 0.025), "rows = 6.0"),
        (lambda: Chessboard(9, 6, 0.0), "square = 0.0"),
        (lambda: CharucoBoard(7, 5, 0.03, 0.03), "marker = 0.03"),
        (lambda: CharucoBoard(7, 5, 0.03, 0.02, "DICT_9X9_1"), "dictionary = 'DICT_9X9_1'"),
        (lambda: CharucoBoard(11, 11, 0.03, 0.02, "DICT_4X4_50"), "needs 72 markers"),
        (lambda: make_board("charuco", 7, 5, 0.03), "--marker"),
        (lambda: make_board("circles", 7, 5, 0.03), "board kind 'circles'"),
    ],
)
def test_impossible_boards_are_refused_naming_the_field(make, message):
    with pytest.raises(ConfigError, match=message):
        make()
