"""The intrinsics of frames whose size is not the calibrated one, where a resize explains it.

A camera driver that delivers a smaller mode of the same sensor area (a BRIO at 640x480 after a
calibration at 1280x960) resizes the image: the calibration rescaled to the frame size describes
it (``CameraCalibration.scaled``). A mode of another aspect ratio shows another crop of the
sensor (a BRIO's 16:9 modes cut off the top and bottom of its 4:3 ones), which no rescaling
describes: such frames need their own calibration.
"""

from __future__ import annotations

from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.errors import ConfigError

__all__ = ["ASPECT_TOLERANCE", "calibration_for_frames"]

ASPECT_TOLERANCE = 0.01
"""Relative difference of aspect ratios still taken for the same crop (integer frame sizes)."""


def calibration_for_frames(
    calibration: CameraCalibration,
    width: int,
    height: int,
    aspect_tolerance: float = ASPECT_TOLERANCE,
) -> CameraCalibration:
    """The intrinsics of the calibrated camera's frames of ``width`` x ``height`` [px].

    Raises:
        ConfigError: the frames' aspect ratio differs from the calibrated one by more than
            ``aspect_tolerance`` (relative); the message names both sizes.
    """
    if (width, height) == calibration.size:
        return calibration
    ratio = (width * calibration.height) / (height * calibration.width)
    if abs(ratio - 1.0) > aspect_tolerance:
        raise ConfigError(
            f"calibration of camera {calibration.camera_name!r} was made at "
            f"{calibration.width}x{calibration.height}; frames of {width}x{height} have another "
            "aspect ratio, i.e. another crop of the sensor: calibrate at this size"
        )
    return calibration.scaled(width, height)
