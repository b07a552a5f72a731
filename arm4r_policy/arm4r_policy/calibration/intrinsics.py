"""Camera intrinsics from a folder of board images, refused where any image fits badly.

``cv2.calibrateCamera`` fits K and the ``plumb_bob`` distortion (k1, k2, p1, p2, k3) to every view
at once; k3 is held at 0, as ROS ``cameracalibrator`` does by default, because a handful of views
of a moderate-angle lens (the BRIO's 78 deg) does not pin a sixth-order term and a free one bends
the image corners wrongly. The reprojection error of a view is the RMS distance [px] between its
detected corners and the corners projected through the fit; a view above the limit (a blurred
frame, a board that bent or moved) spoils the fit, so the calibration is refused and the worst
images are named, to be removed or retaken. ``command`` writes an accepted calibration with
``drivers.calibration.save_calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.calibration.boards import Board
from arm4r_policy.calibration.views import find_board_views
from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.errors import CalibrationError, ConfigError

__all__ = ["MAX_REPROJECTION_ERROR", "MIN_VIEWS", "IntrinsicsResult", "calibrate_intrinsics"]

MAX_REPROJECTION_ERROR = 0.5
"""Largest RMS reprojection error [px] accepted for any one image."""
MIN_VIEWS = 10
"""Fewest images with the board found that a calibration accepts."""
NAMED_IMAGES = 5
"""How many of the worst images a refusal names."""


@dataclass(frozen=True)
class IntrinsicsResult:
    """A camera's intrinsics and how well they fit the images they come from.

    Attributes:
        calibration: K and distortion at the images' size.
        rms_error: RMS reprojection error over all corners of all views [px].
        view_errors: image file name -> RMS reprojection error of its corners [px].
        skipped: images in which the board was not found.
    """

    calibration: CameraCalibration
    rms_error: float
    view_errors: dict[str, float]
    skipped: tuple[str, ...]


def calibrate_intrinsics(
    folder: Path,
    board: Board,
    camera_name: str,
    max_error: float = MAX_REPROJECTION_ERROR,
) -> IntrinsicsResult:
    """Calibrate the camera that took the images of ``folder``.

    Raises:
        ConfigError: ``max_error`` is not positive, or an image cannot be read (named).
        CalibrationError: the board was found in fewer than ``MIN_VIEWS`` images (the message
            names the folder), or some image's reprojection error exceeds ``max_error`` (the
            message names the worst ones).
    """
    if not max_error > 0.0:
        raise ConfigError(f"max_error = {max_error}; expected > 0 px")
    found = find_board_views(folder, board)
    found.require(MIN_VIEWS)
    views = list(found.views.values())
    try:
        rms, camera_matrix, distortion, *_, per_view = cv2.calibrateCameraExtended(
            [view.object_points for view in views],
            [view.image_points for view in views],
            found.image_size,
            None,
            None,
            flags=cv2.CALIB_FIX_K3,
        )
    except cv2.error as error:
        raise CalibrationError(
            f"image folder {folder}: OpenCV calibration failed: {error}"
        ) from error
    view_errors = dict(zip(found.views, per_view.reshape(-1).tolist(), strict=True))
    too_large = sorted(
        ((error, name) for name, error in view_errors.items() if error > max_error), reverse=True
    )
    if too_large:
        worst = ", ".join(f"{name} {error:.2f} px" for error, name in too_large[:NAMED_IMAGES])
        raise CalibrationError(
            f"image folder {folder}: {len(too_large)} of {len(views)} images reproject worse "
            f"than {max_error:g} px (overall RMS {rms:.3f} px), worst: {worst}; remove or retake "
            "them"
        )
    width, height = found.image_size
    calibration = CameraCalibration.monocular(
        camera_name, width, height, camera_matrix, "plumb_bob", np.asarray(distortion).reshape(-1)
    )
    return IntrinsicsResult(calibration, float(rms), view_errors, found.skipped)
