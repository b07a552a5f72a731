"""The camera node's parameters, and the camera and calibration they configure."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arm4r_policy.drivers.brio import BrioCamera, BrioConfig
from arm4r_policy.drivers.calibration import CameraCalibration, load_calibration
from arm4r_policy.drivers.replay import ReplayCamera
from arm4r_policy.drivers.threaded import ThreadedCamera
from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.parameter_checks import non_negative, one_of, positive_integer
from arm4r_policy.nodes.parameters import ParameterSpec, non_empty, positive, topic_names

BACKENDS = ("brio", "replay")
DEVICE_CHOICE = -1  # focus, exposure, white balance: left to the device (see each parameter)


def _camera_name(value: str) -> str | None:
    if topic_names([value]) is None:
        return None
    return "a name of letters, digits and '_', starting with a letter"


def _control(value: int) -> str | None:
    return None if value >= DEVICE_CHOICE else f"{DEVICE_CHOICE} (the device's choice) or >= 0"


PARAMETERS = (
    ParameterSpec(
        "camera_name",
        "ego",
        "topics /cameras/<camera_name>/image_raw and camera_info",
        _camera_name,
    ),
    ParameterSpec(
        "backend", "brio", "brio: a Logitech BRIO over V4L2; replay: a recording", one_of(BACKENDS)
    ),
    ParameterSpec(
        "device",
        "/dev/video0",
        "brio: the V4L2 capture node or its udev symlink (/dev/brio_ego); replay: a video file "
        "or an image folder",
        non_empty,
    ),
    ParameterSpec("width", 640, "[px] brio frame width", positive_integer),
    ParameterSpec("height", 480, "[px] brio frame height", positive_integer),
    ParameterSpec("fps", 30.0, "[Hz] brio frame rate", positive),
    ParameterSpec("autofocus", False, "brio: continuous autofocus; off keeps the lens fixed"),
    ParameterSpec(
        "focus",
        DEVICE_CHOICE,
        "brio focus_absolute, autofocus off (0 far .. 255); -1: default",
        _control,
    ),
    ParameterSpec(
        "exposure", DEVICE_CHOICE, "brio exposure_time_absolute [100 us]; -1: automatic", _control
    ),
    ParameterSpec(
        "white_balance",
        DEVICE_CHOICE,
        "brio white_balance_temperature [K]; -1: automatic",
        _control,
    ),
    ParameterSpec(
        "replay_rate_hz",
        0.0,
        "[Hz] replay playback rate; 0: the video's own (an image folder needs one)",
        non_negative,
    ),
    ParameterSpec("replay_loop", True, "replay: start over at the end of the recording"),
    ParameterSpec(
        "calibration", "", "camera_calibration YAML of the intrinsics; empty: no camera_info"
    ),
    ParameterSpec("frame_id", "", "frame of the images; empty: <camera_name>_optical_frame"),
    ParameterSpec(
        "frame_timeout", 1.0, "[s] without a new frame before diagnostics say ERROR", positive
    ),
)


def _device_choice(value: int) -> int | None:
    return None if value == DEVICE_CHOICE else value


def make_camera(values: Mapping[str, Any]) -> ThreadedCamera:
    """The camera the parameters describe, not yet connected."""
    name, device = values["camera_name"], values["device"]
    if values["backend"] == "replay":
        rate = values["replay_rate_hz"] or None
        if rate is None and Path(device).is_dir():
            raise ConfigError(
                f"parameter replay_rate_hz: expected a rate > 0 to play the image folder "
                f"{device}, got {values['replay_rate_hz']!r}"
            )
        return ReplayCamera(name, device, rate, values["replay_loop"])
    if values["autofocus"] and values["focus"] != DEVICE_CHOICE:
        raise ConfigError(
            f"parameter focus: expected {DEVICE_CHOICE} with autofocus on, got {values['focus']}"
        )
    config = BrioConfig(
        device=device,
        width=values["width"],
        height=values["height"],
        fps=values["fps"],
        autofocus=values["autofocus"],
        focus=_device_choice(values["focus"]),
        exposure=_device_choice(values["exposure"]),
        white_balance=_device_choice(values["white_balance"]),
    )
    return BrioCamera(name, config)


def load_camera_calibration(values: Mapping[str, Any]) -> CameraCalibration | None:
    """The calibration file's intrinsics; None when the parameter is empty."""
    if not values["calibration"]:
        return None
    try:
        return load_calibration(values["calibration"])
    except ConfigError as error:
        raise ConfigError(f"parameter calibration: {error}") from error
