"""A camera's pose on the robot from board images taken at known end-effector poses.

Two mounts (``hand_eye`` has the chains):

- ``fixed``: the camera stands in the cell and the gripper holds the board (rigidly, anywhere in
  view); the result is the camera-to-base pose, the extrinsics the stack reads.
- ``wrist``: the camera rides on the end effector and the board lies fixed in the cell; the result
  is the camera-to-end-effector pose.

Per image the board's pose in the camera frame comes from ``cv2.solvePnP`` with the camera's
intrinsics, the end-effector pose from the poses file (``ee_poses``); ``hand_eye`` solves the chain
from all of them and refines it on the board corners. The residuals of an image are how far the
solved chain puts the board's middle from where that image alone shows it [m], and the angle
between the two [rad]. One image measures a board a metre away to a few millimetres in depth and,
seen head-on, to a degree or two in tilt (in simulation, up to 4 mm and 1.8 deg where the camera
pose itself came out within 1 mm and 0.06 deg), so the limits are set to catch what spoils the
chain rather than that noise: a pose that belongs to another image, a board that slipped in the
gripper. An image above either limit refuses the calibration and is named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.calibration.boards import Board
from arm4r_policy.calibration.ee_poses import load_ee_poses
from arm4r_policy.calibration.hand_eye import chain_residuals, refine_hand_eye, solve_hand_eye
from arm4r_policy.calibration.views import FolderViews, find_board_views, image_files
from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.drivers.calibration_fit import calibration_for_frames
from arm4r_policy.errors import CalibrationError, ConfigError
from arm4r_policy.sim.transforms import invert_pose, make_pose

__all__ = [
    "MAX_POSITION_RESIDUAL",
    "MAX_ROTATION_RESIDUAL",
    "MIN_VIEWS",
    "MOUNTS",
    "ExtrinsicsResult",
    "board_poses",
    "calibrate_extrinsics",
]

MOUNTS = ("fixed", "wrist")
MAX_POSITION_RESIDUAL = 0.01
"""Largest position residual [m] accepted for any one image."""
MAX_ROTATION_RESIDUAL = math.radians(2.0)
"""Largest rotation residual [rad] accepted for any one image."""
MIN_VIEWS = 6
"""Fewest images with the board found that a calibration accepts."""
NAMED_IMAGES = 5
"""How many of the worst images a refusal names."""
_OPENCV_DISTORTION_MODELS = ("plumb_bob", "rational_polynomial")


@dataclass(frozen=True)
class ExtrinsicsResult:
    """A camera's pose and how well the views agree with it.

    Attributes:
        mount: ``fixed`` or ``wrist``.
        camera_pose: (4, 4) OpenCV camera axes; ``fixed``: camera-to-base, ``wrist``:
            camera-to-end-effector.
        board_pose: (4, 4) the board frame (``boards``); ``fixed``: board-to-end-effector,
            ``wrist``: board-to-base.
        reprojection_rms: RMS distance [px] between the board corners found and those the
            solved chain projects, over all images.
        position_residuals: image file name -> position residual [m].
        rotation_residuals: image file name -> rotation residual [rad].
        skipped: images in which the board was not found.
    """

    mount: str
    camera_pose: np.ndarray
    board_pose: np.ndarray
    reprojection_rms: float
    position_residuals: dict[str, float]
    rotation_residuals: dict[str, float]
    skipped: tuple[str, ...]


def board_poses(
    found: FolderViews,
    calibration: CameraCalibration,
    guesses: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Image file name -> (4, 4) board-to-camera pose of each view, by ``cv2.solvePnP``.

    ``calibration`` is the camera's at the images' size, in an OpenCV pinhole distortion model.
    A board far away and tilted can fit two poses almost equally well (a mirror-like tilt); with
    ``guesses`` (image file name -> pose) each view settles on the pose nearest its guess.

    Raises:
        CalibrationError: a view has no solution (the message names the image).
    """
    poses = {}
    for name, view in found.views.items():
        guess = None if guesses is None else guesses[name]
        solved, rotation, translation = cv2.solvePnP(
            view.object_points,
            view.image_points,
            calibration.camera_matrix,
            calibration.distortion,
            rvec=None if guess is None else cv2.Rodrigues(guess[:3, :3])[0],
            tvec=None if guess is None else guess[:3, 3].copy(),
            useExtrinsicGuess=guess is not None,
        )
        if not solved:
            raise CalibrationError(f"image {found.folder / name}: the board's pose has no solution")
        poses[name] = make_pose(cv2.Rodrigues(rotation)[0], translation.reshape(3))
    return poses


def calibrate_extrinsics(
    folder: Path,
    poses_file: Path,
    calibration: CameraCalibration,
    board: Board,
    mount: str,
    max_position_error: float = MAX_POSITION_RESIDUAL,
    max_rotation_error: float = MAX_ROTATION_RESIDUAL,
) -> ExtrinsicsResult:
    """Calibrate the pose of the camera that took the images of ``folder``.

    Args:
        folder: the images, each taken with the robot still at the pose ``poses_file`` gives it.
        poses_file: the end-effector poses (``ee_poses``).
        calibration: the camera's intrinsics.
        board: the board in the images; its orientation must be unique (``boards``).
        mount: one of ``MOUNTS``.
        max_position_error, max_rotation_error: largest residuals [m], [rad] accepted.

    Raises:
        ConfigError: a bad mount, limit or board, an unreadable image, a malformed poses file, or
            an image without a pose in it; the message names the file and entry.
        CalibrationError: fewer than ``MIN_VIEWS`` views (the message names the folder),
            orientations that do not determine the chain, or residuals above the limits (the
            message names the worst images).
    """
    _check_request(mount, board, calibration, max_position_error, max_rotation_error)
    ee_poses = load_ee_poses(poses_file)
    missing = [path.name for path in image_files(folder) if path.name not in ee_poses]
    if missing:
        raise ConfigError(f"poses file {poses_file}: no end-effector pose for the images {missing}")
    found = find_board_views(folder, board)
    found.require(MIN_VIEWS)
    calibration = calibration_for_frames(calibration, *found.image_size)
    names = list(found.views)
    robot = np.stack([ee_poses[name] for name in names])
    a = robot if mount == "fixed" else np.stack([invert_pose(pose) for pose in robot])
    b = np.stack(list(board_poses(found, calibration).values()))
    solution, reprojection_rms = refine_hand_eye(
        solve_hand_eye(a, b),
        a,
        list(found.views.values()),
        calibration.camera_matrix,
        calibration.distortion,
    )
    predicted = solution.x @ a @ solution.y
    seen = board_poses(found, calibration, dict(zip(names, predicted, strict=True)))
    position, rotation = chain_residuals(
        solution, a, np.stack(list(seen.values())), board.object_points.mean(axis=0)
    )
    _check_residuals(
        found.folder, names, position, rotation, max_position_error, max_rotation_error
    )
    return ExtrinsicsResult(
        mount=mount,
        camera_pose=invert_pose(solution.x),
        board_pose=solution.y,
        reprojection_rms=reprojection_rms,
        position_residuals=dict(zip(names, position.tolist(), strict=True)),
        rotation_residuals=dict(zip(names, rotation.tolist(), strict=True)),
        skipped=found.skipped,
    )


def _check_request(
    mount: str,
    board: Board,
    calibration: CameraCalibration,
    max_position_error: float,
    max_rotation_error: float,
) -> None:
    if mount not in MOUNTS:
        raise ConfigError(f"mount {mount!r}; expected one of {list(MOUNTS)}")
    if not (max_position_error > 0.0 and max_rotation_error > 0.0):
        raise ConfigError(
            f"max_position_error = {max_position_error} m, max_rotation_error = "
            f"{max_rotation_error} rad; expected both > 0"
        )
    if not board.has_unique_orientation:
        raise ConfigError(
            f"a chessboard of {board.cols} x {board.rows} inner corners looks the same turned by "
            "180 deg, so its pose is ambiguous: use one whose inner corner counts add up to an "
            "odd number (e.g. 9 x 6), or a ChArUco board"
        )
    if calibration.distortion_model not in _OPENCV_DISTORTION_MODELS:
        raise ConfigError(
            f"calibration of camera {calibration.camera_name!r}: distortion model "
            f"{calibration.distortion_model}; expected one of {list(_OPENCV_DISTORTION_MODELS)}"
        )


def _check_residuals(
    folder: Path,
    names: list[str],
    position: np.ndarray,
    rotation: np.ndarray,
    max_position: float,
    max_rotation: float,
) -> None:
    bad = np.flatnonzero((position > max_position) | (rotation > max_rotation))
    if not bad.size:
        return
    # Worst first, each residual measured against its own limit.
    bad = bad[np.argsort(-np.maximum(position[bad] / max_position, rotation[bad] / max_rotation))]
    worst = ", ".join(
        f"{names[i]} {1000 * position[i]:.1f} mm {math.degrees(rotation[i]):.2f} deg"
        for i in bad[:NAMED_IMAGES]
    )
    raise CalibrationError(
        f"image folder {folder}: {bad.size} of {len(names)} images disagree with the solved pose "
        f"by more than {1000 * max_position:.1f} mm or {math.degrees(max_rotation):.2f} deg, "
        f"worst: {worst}; check their end-effector poses, whether the board moved, or remove them"
    )
