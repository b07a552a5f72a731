"""BRIO backend: configuration, lens settings through V4L2 controls, OpenCV V4L2 open failures."""

import cv2
import pytest

from arm4r_policy.drivers.brio import (
    BrioCamera,
    BrioConfig,
    apply_lens_settings,
    fourcc_code,
    fourcc_text,
)
from arm4r_policy.drivers.v4l2 import EXPOSURE_MANUAL, V4L2Controls
from arm4r_policy.errors import ConfigError, HardwareError
from tests.unit.drivers.uvc_device import LABELS_BEFORE_5_16, FakeUvcDevice, brio_controls


def controls_of(device: FakeUvcDevice) -> V4L2Controls:
    controls = V4L2Controls("/dev/null", ioctl=device)
    controls.open()
    return controls


def test_defaults_are_the_arm4r_recording_setup():
    config = BrioConfig()
    assert (config.width, config.height, config.fps, config.fourcc) == (640, 480, 30.0, "MJPG")
    assert not config.autofocus


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("width", 0, "BrioConfig.width = 0"),
        ("fps", -1.0, "BrioConfig.fps = -1.0"),
        ("fourcc", "MJPEG", "4 characters"),
        ("device", "", "device is empty"),
    ],
)
def test_invalid_configuration_names_the_field(field, value, message):
    with pytest.raises(ConfigError, match=message):
        BrioConfig(**{field: value})


def test_a_fixed_focus_needs_autofocus_off():
    with pytest.raises(ConfigError, match="needs autofocus off"):
        BrioConfig(autofocus=True, focus=40)


def test_fourcc_round_trips_through_opencvs_integer():
    assert fourcc_code("MJPG") == cv2.VideoWriter_fourcc(*"MJPG")
    assert fourcc_text(float(fourcc_code("MJPG"))) == "MJPG"


def test_autofocus_goes_off_and_focus_lands_on_the_device_default():
    device = FakeUvcDevice(brio_controls())
    held = apply_lens_settings(controls_of(device), BrioConfig())
    assert held == {"focus_automatic_continuous": 0, "focus_absolute": 0}
    assert device.writes == [("Focus, Automatic Continuous", 0), ("Focus, Absolute", 0)]


def test_manual_exposure_and_white_balance_are_set_after_their_automatic_modes():
    device = FakeUvcDevice(brio_controls())
    config = BrioConfig(focus=40, exposure=156, white_balance=4600)
    held = apply_lens_settings(controls_of(device), config)
    assert held == {
        "focus_automatic_continuous": 0,
        "focus_absolute": 40,
        "auto_exposure": EXPOSURE_MANUAL,
        "exposure_time_absolute": 156,
        "white_balance_automatic": 0,
        "white_balance_temperature": 4600,
    }
    labels = [label for label, _ in device.writes]
    assert labels.index("Auto Exposure") < labels.index("Exposure Time, Absolute")
    assert labels.index("White Balance, Automatic") < labels.index("White Balance Temperature")


def test_settings_use_the_old_control_names_on_old_kernels():
    device = FakeUvcDevice(brio_controls(LABELS_BEFORE_5_16))
    held = apply_lens_settings(controls_of(device), BrioConfig(exposure=100, white_balance=5000))
    assert set(held) == {
        "focus_auto",
        "focus_absolute",
        "exposure_auto",
        "exposure_absolute",
        "white_balance_temperature_auto",
        "white_balance_temperature",
    }


def test_autofocus_on_leaves_the_focus_alone():
    device = FakeUvcDevice(brio_controls())
    held = apply_lens_settings(controls_of(device), BrioConfig(autofocus=True))
    assert held == {"focus_automatic_continuous": 1}


def test_connecting_to_a_missing_device_names_it(tmp_path):
    device = str(tmp_path / "brio_ego")
    camera = BrioCamera("ego", BrioConfig(device=device))
    with pytest.raises(HardwareError, match=f"V4L2 device {device} cannot be opened"):
        camera.connect()
    assert not camera.is_connected
