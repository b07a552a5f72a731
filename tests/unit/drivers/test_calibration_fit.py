"""Intrinsics for frames of another size than the calibrated one."""

import numpy as np
import pytest

from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.drivers.calibration_fit import calibration_for_frames
from arm4r_policy.errors import ConfigError

K_1280 = np.array([[988.0, 0.0, 639.5], [0.0, 986.0, 479.5], [0.0, 0.0, 1.0]])


@pytest.fixture
def calibration():
    return CameraCalibration.monocular("ego", 1280, 960, K_1280)


def test_frames_of_the_calibrated_size_get_the_calibration_itself(calibration):
    assert calibration_for_frames(calibration, 1280, 960) is calibration


def test_a_smaller_mode_of_the_same_aspect_ratio_gets_the_rescaled_intrinsics(calibration):
    fitted = calibration_for_frames(calibration, 640, 480)
    assert fitted.size == (640, 480)
    # Halving with pixel centres at integers: f -> f / 2, c -> (c + 0.5) / 2 - 0.5.
    np.testing.assert_allclose(
        fitted.camera_matrix, [[494.0, 0.0, 319.5], [0.0, 493.0, 239.5], [0.0, 0.0, 1.0]]
    )


def test_another_aspect_ratio_is_refused_naming_both_sizes(calibration):
    with pytest.raises(ConfigError, match=r"1280x960.*1920x1080"):
        calibration_for_frames(calibration, 1920, 1080)
