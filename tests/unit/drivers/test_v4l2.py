"""V4L2 controls: the kernel ABI, v4l2-ctl names, lookup across kernel generations, refusals."""

import ctypes

import pytest

from arm4r_policy.drivers import v4l2
from arm4r_policy.drivers.v4l2 import V4L2Controls, control_name
from arm4r_policy.errors import HardwareError
from tests.unit.drivers.uvc_device import LABELS_BEFORE_5_16, FakeUvcDevice, brio_controls

# A path os.open accepts; the ioctls go to the stand-in device.
STAND_IN_PATH = "/dev/null"


def open_controls(device: FakeUvcDevice) -> V4L2Controls:
    controls = V4L2Controls(STAND_IN_PATH, ioctl=device)
    controls.open()
    return controls


def test_structures_and_request_numbers_match_videodev2_h():
    assert ctypes.sizeof(v4l2.V4l2QueryCtrl) == 68
    assert ctypes.sizeof(v4l2.V4l2Control) == 8
    assert v4l2.VIDIOC_QUERYCTRL == 0xC0445624
    assert v4l2.VIDIOC_G_CTRL == 0xC008561B
    assert v4l2.VIDIOC_S_CTRL == 0xC008561C


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Focus, Automatic Continuous", "focus_automatic_continuous"),
        ("Focus, Auto", "focus_auto"),
        ("Auto Exposure", "auto_exposure"),
        ("Exposure, Auto", "exposure_auto"),
        ("Exposure Time, Absolute", "exposure_time_absolute"),
        ("Exposure (Absolute)", "exposure_absolute"),
        ("White Balance Temperature, Auto", "white_balance_temperature_auto"),
        ("Focus, Absolute", "focus_absolute"),
    ],
)
def test_control_names_are_the_v4l2_ctl_names(label, name):
    assert control_name(label) == name


def test_enumeration_lists_every_control_but_class_headers():
    controls = open_controls(FakeUvcDevice(brio_controls()))
    assert set(controls.controls) == {
        "white_balance_automatic",
        "white_balance_temperature",
        "brightness",
        "auto_exposure",
        "exposure_time_absolute",
        "focus_absolute",
        "focus_automatic_continuous",
    }
    focus = controls.info("focus_absolute")
    assert (focus.minimum, focus.maximum, focus.step, focus.default) == (0, 255, 5, 0)


def test_set_returns_the_value_the_device_holds():
    device = FakeUvcDevice(brio_controls())
    controls = open_controls(device)
    controls.set("focus_automatic_continuous", 0)
    assert controls.set("focus_absolute", 33) == 35  # the device rounds to its step of 5
    assert controls.get("focus_absolute") == 35
    assert device.value("Focus, Absolute") == 35


def test_set_first_falls_back_to_the_pre_5_16_name():
    device = FakeUvcDevice(brio_controls(LABELS_BEFORE_5_16))
    controls = open_controls(device)
    names = ("focus_automatic_continuous", "focus_auto")
    assert controls.set_first(names, 0) == ("focus_auto", 0)
    assert device.value("Focus, Auto") == 0


def test_missing_control_names_the_device_and_what_it_has():
    controls = open_controls(FakeUvcDevice(brio_controls()))
    with pytest.raises(HardwareError, match=r"none of the controls \['zoom_absolute'\]") as raised:
        controls.set_first(("zoom_absolute",), 100)
    assert STAND_IN_PATH in str(raised.value)
    assert "focus_absolute" in str(raised.value)


def test_out_of_range_and_read_only_values_are_refused():
    controls = open_controls(FakeUvcDevice(brio_controls()))
    with pytest.raises(HardwareError, match=r"focus_absolute = 300 is outside .* \[0, 255\]"):
        controls.set("focus_absolute", 300)
    with pytest.raises(HardwareError, match="brightness is read-only"):
        controls.set("brightness", 10)


def test_a_driver_refusal_names_the_control_and_value():
    controls = open_controls(FakeUvcDevice(brio_controls()))  # autofocus on: focus inactive
    with pytest.raises(HardwareError, match="cannot set focus_absolute = 50"):
        controls.set("focus_absolute", 50)


def test_a_file_that_is_not_a_video_device_is_reported():
    with pytest.raises(HardwareError, match=r"/dev/null: VIDIOC_QUERYCTRL failed"):
        V4L2Controls("/dev/null").open()  # the real ioctl: ENOTTY


def test_a_missing_device_is_reported(tmp_path):
    missing = tmp_path / "video42"
    with pytest.raises(HardwareError, match=f"V4L2 device {missing}: cannot open"):
        V4L2Controls(str(missing)).open()
