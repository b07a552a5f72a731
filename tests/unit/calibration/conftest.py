"""Rendered image folders with their ground truth, each rendered once per test session.

- ``chessboard_views`` / ``charuco_views``: a 640x480 camera of the BRIO's field of view (K known
  exactly) photographing a board in 15 poses, for intrinsics.
- ``held_board_views``: the Kinova cell's ``side`` camera watching a board the gripper holds, at 10
  joint configurations around home, with ``poses.yaml``: a fixed camera's extrinsics.
- ``wrist_views``: the same bench camera as if it rode on an end effector that moves over a board
  fixed in the cell, with ``poses.yaml``: a wrist camera's extrinsics.
"""

import os

os.environ.setdefault("MUJOCO_GL", "egl")

from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import pytest
import yaml

from arm4r_policy.calibration.boards import CharucoBoard, Chessboard
from arm4r_policy.runtime.pose import matrix_to_quat_xyzw
from arm4r_policy.sim.cameras import BRIO_FOVY_DEG, intrinsics_matrix
from arm4r_policy.sim.transforms import invert_pose, make_pose, rot_x, rot_z
from tests.unit.calibration.scenes import HEIGHT, WIDTH, BenchScene, HeldBoardCell, bench_poses

CHESSBOARD = Chessboard(cols=9, rows=6, square=0.025)
CHARUCO = CharucoBoard(cols=7, rows=5, square=0.032, marker=0.024)
TRUE_K = intrinsics_matrix(BRIO_FOVY_DEG, WIDTH, HEIGHT)
"""The bench camera's and the cell cameras' K: fx = fy = 494.0 px, (cx, cy) = (319.5, 239.5)."""
TRUE_CAMERA_IN_EE = make_pose(rot_x(0.3) @ rot_z(-0.2), (0.04, -0.06, 0.09))
"""The wrist camera's pose in the end-effector frame."""
TRUE_BOARD_IN_BASE = make_pose(rot_z(0.5), (0.55, 0.1, 0.02))
"""The board under the wrist camera, in the base frame."""


class Views(NamedTuple):
    """A folder of rendered images and the truth they were rendered from."""

    folder: Path
    board: Chessboard | CharucoBoard
    truth: np.ndarray  # K (3, 3), or the camera pose (4, 4) the extrinsics must find
    board_truth: np.ndarray | None = None  # the board pose (4, 4) the extrinsics find besides


def write_image(path: Path, rgb: np.ndarray) -> None:
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def write_poses(path: Path, poses: dict[str, np.ndarray]) -> None:
    """The poses file of ``calibration.ee_poses``."""
    entries = {
        name: {
            "position": pose[:3, 3].tolist(),
            "orientation": matrix_to_quat_xyzw(pose[:3, :3]).tolist(),
        }
        for name, pose in poses.items()
    }
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")


def _bench_folder(folder: Path, board, poses) -> Path:
    scene = BenchScene(board)
    try:
        for index, pose in enumerate(poses):
            write_image(folder / f"view_{index:02d}.png", scene.render(pose))
    finally:
        scene.close()
    return folder


@pytest.fixture(scope="session")
def chessboard_views(tmp_path_factory) -> Views:
    folder = tmp_path_factory.mktemp("chessboard")
    return Views(
        _bench_folder(folder, CHESSBOARD, bench_poses(CHESSBOARD, 15, seed=0)), CHESSBOARD, TRUE_K
    )


@pytest.fixture(scope="session")
def charuco_views(tmp_path_factory) -> Views:
    folder = tmp_path_factory.mktemp("charuco")
    return Views(_bench_folder(folder, CHARUCO, bench_poses(CHARUCO, 15, seed=1)), CHARUCO, TRUE_K)


@pytest.fixture(scope="session")
def held_board_views(tmp_path_factory) -> Views:
    folder = tmp_path_factory.mktemp("held_board")
    cell = HeldBoardCell(CHESSBOARD)
    rng = np.random.default_rng(0)
    poses = {}
    try:
        for index in range(10):
            q = np.asarray(cell.config.home) + rng.uniform(-0.3, 0.3, size=7)
            image, ee_pose = cell.render(q)
            name = f"view_{index:02d}.png"
            write_image(folder / name, image)
            poses[name] = ee_pose
    finally:
        cell.close()
    write_poses(folder / "poses.yaml", poses)
    return Views(folder, CHESSBOARD, cell.camera_pose, cell.board_in_tcp)


@pytest.fixture(scope="session")
def wrist_views(tmp_path_factory) -> Views:
    """Board-to-camera poses of the bench; the end-effector poses that put the camera there:
    ``T_cam_board = T_ee_cam^-1 T_base_ee^-1 T_base_board``."""
    folder = tmp_path_factory.mktemp("wrist")
    views = bench_poses(CHESSBOARD, 8, seed=2)
    _bench_folder(folder, CHESSBOARD, views)
    poses = {
        f"view_{index:02d}.png": TRUE_BOARD_IN_BASE
        @ invert_pose(view)
        @ invert_pose(TRUE_CAMERA_IN_EE)
        for index, view in enumerate(views)
    }
    write_poses(folder / "poses.yaml", poses)
    return Views(folder, CHESSBOARD, TRUE_CAMERA_IN_EE, TRUE_BOARD_IN_BASE)
