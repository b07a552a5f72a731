"""Logitech BRIO on Linux: OpenCV V4L2 capture in MJPG, fixed focus and exposure.

The BRIO is a UVC camera. ARM4R's cells record RGB at 640x480 with autofocus off, so a frame
means the same thing from episode to episode. This backend opens the capture node with OpenCV's
V4L2 backend (``cv2.VideoCapture(device, cv2.CAP_V4L2)``), asks for MJPG (the BRIO delivers
640x480 at 30 fps only compressed over most USB links), checks what the driver granted, and
sets the lens and exposure through V4L2 controls by name (``v4l2.V4L2Controls``), trying the
current and the pre-5.16 kernel names.

Device paths: a BRIO exposes several nodes (colour capture, metadata, infrared); pass the colour
capture node, best through a udev symlink that survives re-plugging, e.g. a rule with
``ATTRS{idVendor}=="046d", ATTRS{idProduct}=="085e", ATTRS{serial}=="<serial>",
ATTR{index}=="0", SYMLINK+="brio_ego"`` gives ``/dev/brio_ego``.

Settings are applied on every (re)connect: a re-plugged camera comes back with its defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from arm4r_policy.drivers.threaded import FrameSource, ThreadedCamera
from arm4r_policy.drivers.v4l2 import EXPOSURE_MANUAL, V4L2Controls
from arm4r_policy.errors import ConfigError, HardwareError

__all__ = [
    "BrioCamera",
    "BrioConfig",
    "BrioSource",
    "apply_lens_settings",
    "fourcc_code",
    "fourcc_text",
]

# Current (Linux >= 5.16) name first, then the older one.
AUTOFOCUS = ("focus_automatic_continuous", "focus_auto")
AUTO_EXPOSURE = ("auto_exposure", "exposure_auto")
EXPOSURE_TIME = ("exposure_time_absolute", "exposure_absolute")
FOCUS = ("focus_absolute",)
AUTO_WHITE_BALANCE = ("white_balance_automatic", "white_balance_temperature_auto")
WHITE_BALANCE_TEMPERATURE = ("white_balance_temperature",)


@dataclass(frozen=True)
class BrioConfig:
    """How to open and set up one BRIO.

    Attributes:
        device: the V4L2 capture node, e.g. ``/dev/video0`` or a udev symlink ``/dev/brio_ego``.
        width, height: frame size [px].
        fps: frame rate [Hz].
        fourcc: pixel format asked of the driver; MJPG for 640x480 at 30 fps.
        autofocus: leave continuous autofocus on (off by default: a fixed lens).
        focus: ``focus_absolute`` with autofocus off (BRIO: 0 .. 255, step 5, 0 = far); None
            sets the device's default value, so every connect lands on the same focus.
        exposure: ``exposure_time_absolute`` [100 us] with manual exposure; None keeps
            automatic exposure.
        white_balance: ``white_balance_temperature`` [K] with automatic white balance off;
            None keeps it automatic.
    """

    device: str = "/dev/video0"
    width: int = 640
    height: int = 480
    fps: float = 30.0
    fourcc: str = "MJPG"
    autofocus: bool = False
    focus: int | None = None
    exposure: int | None = None
    white_balance: int | None = None

    def __post_init__(self) -> None:
        if not self.device:
            raise ConfigError("BrioConfig.device is empty; expected a path like /dev/video0")
        for field in ("width", "height", "fps"):
            if not getattr(self, field) > 0:
                raise ConfigError(f"BrioConfig.{field} = {getattr(self, field)}; expected > 0")
        if len(self.fourcc) != 4:
            raise ConfigError(f"BrioConfig.fourcc = {self.fourcc!r}; expected 4 characters")
        if self.autofocus and self.focus is not None:
            raise ConfigError(
                f"BrioConfig.focus = {self.focus} needs autofocus off; got autofocus = True"
            )


def fourcc_code(fourcc: str) -> int:
    """The integer OpenCV uses for a four-character code ("MJPG" -> 0x47504A4D)."""
    return cv2.VideoWriter_fourcc(*fourcc)


def fourcc_text(code: float) -> str:
    """The four characters of an OpenCV fourcc integer (as ``CAP_PROP_FOURCC`` returns it)."""
    value = int(code)
    return "".join(chr((value >> shift) & 0xFF) for shift in (0, 8, 16, 24))


def apply_lens_settings(controls: V4L2Controls, config: BrioConfig) -> dict[str, int]:
    """Set focus, exposure and white balance as ``config`` says; automatic modes before values.

    Returns:
        Control name -> value the device holds afterwards, for logs.
    """
    settings: list[tuple[tuple[str, ...], int]] = [(AUTOFOCUS, int(config.autofocus))]
    if not config.autofocus:
        focus = controls.info(FOCUS[0]).default if config.focus is None else config.focus
        settings.append((FOCUS, focus))
    if config.exposure is not None:
        settings += [(AUTO_EXPOSURE, EXPOSURE_MANUAL), (EXPOSURE_TIME, config.exposure)]
    if config.white_balance is not None:
        settings += [(AUTO_WHITE_BALANCE, 0), (WHITE_BALANCE_TEMPERATURE, config.white_balance)]
    return dict(controls.set_first(names, value) for names, value in settings)


class BrioSource(FrameSource):
    """Frames of one BRIO through OpenCV's V4L2 backend, converted to RGB."""

    def __init__(self, config: BrioConfig) -> None:
        self.config = config
        self.description = f"V4L2 device {config.device}"
        self._capture: cv2.VideoCapture | None = None
        self.settings: dict[str, int] = {}

    def open(self) -> None:
        config = self.config
        capture = cv2.VideoCapture(config.device, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise HardwareError(f"{self.description} cannot be opened (unplugged, or busy?)")
        capture.set(cv2.CAP_PROP_FOURCC, fourcc_code(config.fourcc))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, config.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, config.height)
        capture.set(cv2.CAP_PROP_FPS, config.fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture
        try:
            self._check_granted(capture)
            with V4L2Controls(config.device) as controls:
                self.settings = apply_lens_settings(controls, config)
        except HardwareError:
            self.close()
            raise

    def _check_granted(self, capture: cv2.VideoCapture) -> None:
        config = self.config
        fourcc = fourcc_text(capture.get(cv2.CAP_PROP_FOURCC))
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = capture.get(cv2.CAP_PROP_FPS)
        if (fourcc, width, height) != (config.fourcc, config.width, config.height) or (
            abs(fps - config.fps) > 0.5
        ):
            raise HardwareError(
                f"{self.description} asked for {config.fourcc} {config.width}x{config.height} "
                f"at {config.fps:g} fps, the driver granted {fourcc} {width}x{height} at "
                f"{fps:g} fps (USB 2 links cannot carry every mode)"
            )

    def read(self) -> np.ndarray:
        if self._capture is None:
            raise HardwareError(f"{self.description} is not open")
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            raise HardwareError(f"{self.description}: read failed (device gone?)")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class BrioCamera(ThreadedCamera):
    """A BRIO behind the ``Camera`` interface.

    Args:
        name: the camera's name, e.g. ``"ego"``.
        config: device and settings.
        **reader: ``ThreadedCamera`` options (reconnect delays, stop timeout).
    """

    def __init__(self, name: str, config: BrioConfig, **reader: float) -> None:
        super().__init__(name, BrioSource(config), **reader)
