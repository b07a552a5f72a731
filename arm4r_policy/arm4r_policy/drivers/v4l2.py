"""V4L2 camera controls by name, through the kernel's ioctl interface (``fcntl`` + ``ctypes``).

Controls are enumerated with ``VIDIOC_QUERYCTRL`` and ``V4L2_CTRL_FLAG_NEXT_CTRL`` and named the
way ``v4l2-ctl`` names them: the control's name string lower-cased, every run of characters that
are not letters or digits replaced by one ``_``, none at either end ("Focus, Automatic
Continuous" -> ``focus_automatic_continuous``). Values are read and written with
``VIDIOC_G_CTRL`` / ``VIDIOC_S_CTRL``.

Linux 5.16 renamed several camera controls; ``set_first`` takes the names to try in order, e.g.
``("focus_automatic_continuous", "focus_auto")``, so one configuration drives old and new kernels.

The structures and request numbers follow ``linux/videodev2.h`` and the generic ``_IOWR`` encoding
of ``asm-generic/ioctl.h`` (x86-64 and arm64 alike).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from arm4r_policy.errors import HardwareError

__all__ = [
    "CTRL_TYPE_BOOLEAN",
    "CTRL_TYPE_CTRL_CLASS",
    "CTRL_TYPE_INTEGER",
    "CTRL_TYPE_MENU",
    "EXPOSURE_APERTURE_PRIORITY",
    "EXPOSURE_MANUAL",
    "VIDIOC_G_CTRL",
    "VIDIOC_QUERYCTRL",
    "VIDIOC_S_CTRL",
    "ControlInfo",
    "V4L2Controls",
    "V4l2Control",
    "V4l2QueryCtrl",
    "control_name",
]


class V4l2QueryCtrl(ctypes.Structure):
    """``struct v4l2_queryctrl`` (68 bytes)."""

    _fields_ = [
        ("id", ctypes.c_uint32),
        ("type", ctypes.c_uint32),
        ("name", ctypes.c_char * 32),
        ("minimum", ctypes.c_int32),
        ("maximum", ctypes.c_int32),
        ("step", ctypes.c_int32),
        ("default_value", ctypes.c_int32),
        ("flags", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32 * 2),
    ]


class V4l2Control(ctypes.Structure):
    """``struct v4l2_control`` (8 bytes)."""

    _fields_ = [("id", ctypes.c_uint32), ("value", ctypes.c_int32)]


def _iowr(kind: str, number: int, struct: type[ctypes.Structure]) -> int:
    """``_IOWR(kind, number, struct)``: direction read|write, size, type character, number."""
    read_write = 3
    return (read_write << 30) | (ctypes.sizeof(struct) << 16) | (ord(kind) << 8) | number


VIDIOC_G_CTRL = _iowr("V", 27, V4l2Control)
VIDIOC_S_CTRL = _iowr("V", 28, V4l2Control)
VIDIOC_QUERYCTRL = _iowr("V", 36, V4l2QueryCtrl)

CTRL_FLAG_DISABLED = 0x0001
CTRL_FLAG_READ_ONLY = 0x0004
CTRL_FLAG_NEXT_CTRL = 0x80000000

CTRL_TYPE_INTEGER = 1
CTRL_TYPE_BOOLEAN = 2
CTRL_TYPE_MENU = 3
CTRL_TYPE_CTRL_CLASS = 6

EXPOSURE_MANUAL = 1
"""``auto_exposure`` menu entry V4L2_EXPOSURE_MANUAL: exposure time set by hand."""
EXPOSURE_APERTURE_PRIORITY = 3
"""``auto_exposure`` menu entry V4L2_EXPOSURE_APERTURE_PRIORITY: UVC cameras' automatic mode."""

Ioctl = Callable[[int, int, ctypes.Structure], object]


def control_name(label: str) -> str:
    """The ``v4l2-ctl`` name of a control labelled ``label`` ("Exposure (Absolute)" ->
    ``exposure_absolute``)."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


@dataclass(frozen=True)
class ControlInfo:
    """What ``VIDIOC_QUERYCTRL`` reports about one control.

    Attributes:
        id: the V4L2 control id.
        name: its ``v4l2-ctl`` name.
        label: the driver's name string, e.g. "Focus, Automatic Continuous".
        type: ``CTRL_TYPE_*``.
        minimum, maximum, step, default: its range and default value.
        flags: ``V4L2_CTRL_FLAG_*`` bits.
    """

    id: int
    name: str
    label: str
    type: int
    minimum: int
    maximum: int
    step: int
    default: int
    flags: int

    @property
    def writable(self) -> bool:
        return not self.flags & (CTRL_FLAG_DISABLED | CTRL_FLAG_READ_ONLY)


class V4L2Controls:
    """The controls of one V4L2 device, opened by path (``/dev/video0`` or a udev symlink).

    The device may be open elsewhere at the same time (OpenCV streaming from it): V4L2 allows
    several file handles, and controls set through one apply to the stream of another.

    Args:
        device: the device path.
        ioctl: the system call, ``fcntl.ioctl`` unless replaced where no device exists.
    """

    def __init__(self, device: str, ioctl: Ioctl = fcntl.ioctl) -> None:
        self.device = device
        self._ioctl = ioctl
        self._fd: int | None = None
        self._controls: dict[str, ControlInfo] = {}

    def open(self) -> None:
        """Open the device and enumerate its controls.

        Raises:
            HardwareError: the device cannot be opened or is not a V4L2 device.
        """
        try:
            self._fd = os.open(self.device, os.O_RDWR | os.O_NONBLOCK)
        except OSError as error:
            raise HardwareError(f"V4L2 device {self.device}: cannot open: {error}") from error
        try:
            self._controls = {info.name: info for info in self._enumerate()}
        except HardwareError:
            self.close()
            raise

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> V4L2Controls:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def controls(self) -> dict[str, ControlInfo]:
        """Name -> description of every control the device reports."""
        return dict(self._controls)

    def get(self, name: str) -> int:
        """The current value of control ``name``."""
        control = V4l2Control(id=self.info(name).id)
        self._call(VIDIOC_G_CTRL, control, f"read {name}")
        return int(control.value)

    def set(self, name: str, value: int) -> int:
        """Set control ``name`` to ``value`` and return the value the device holds afterwards.

        Raises:
            HardwareError: no such control, it is read-only or disabled, ``value`` is outside
                its range, or the driver refused it.
        """
        info = self.info(name)
        if not info.writable:
            raise HardwareError(
                f"V4L2 device {self.device}: control {name} is read-only or disabled "
                f"(flags 0x{info.flags:x})"
            )
        if not info.minimum <= value <= info.maximum:
            raise HardwareError(
                f"V4L2 device {self.device}: {name} = {value} is outside its range "
                f"[{info.minimum}, {info.maximum}]"
            )
        self._call(VIDIOC_S_CTRL, V4l2Control(id=info.id, value=value), f"set {name} = {value}")
        return self.get(name)

    def set_first(self, names: Sequence[str], value: int) -> tuple[str, int]:
        """Set the first of ``names`` the device has (current and older names of one control).

        Returns:
            The name that was set and the value the device holds afterwards.
        """
        for name in names:
            if name in self._controls:
                return name, self.set(name, value)
        raise HardwareError(
            f"V4L2 device {self.device} has none of the controls {list(names)}; it has "
            f"{sorted(self._controls)}"
        )

    def info(self, name: str) -> ControlInfo:
        """What the device reports about control ``name``; ``HardwareError`` if it has none."""
        try:
            return self._controls[name]
        except KeyError:
            raise HardwareError(
                f"V4L2 device {self.device} has no control {name!r}; it has "
                f"{sorted(self._controls)}"
            ) from None

    def _enumerate(self) -> list[ControlInfo]:
        """Every control but the class headers, via ``VIDIOC_QUERYCTRL`` with NEXT_CTRL."""
        found: list[ControlInfo] = []
        query = V4l2QueryCtrl(id=CTRL_FLAG_NEXT_CTRL)
        while True:
            try:
                self._ioctl(self._require_fd(), VIDIOC_QUERYCTRL, query)
            except OSError as error:
                if error.errno == errno.EINVAL:  # past the last control
                    return found
                raise HardwareError(
                    f"V4L2 device {self.device}: VIDIOC_QUERYCTRL failed ({error}); "
                    "is it a V4L2 video device?"
                ) from error
            if query.type != CTRL_TYPE_CTRL_CLASS:
                label = query.name.decode("ascii", errors="replace")
                found.append(
                    ControlInfo(
                        id=query.id,
                        name=control_name(label),
                        label=label,
                        type=query.type,
                        minimum=query.minimum,
                        maximum=query.maximum,
                        step=query.step,
                        default=query.default_value,
                        flags=query.flags,
                    )
                )
            query = V4l2QueryCtrl(id=query.id | CTRL_FLAG_NEXT_CTRL)

    def _call(self, request: int, argument: ctypes.Structure, what: str) -> None:
        try:
            self._ioctl(self._require_fd(), request, argument)
        except OSError as error:
            raise HardwareError(f"V4L2 device {self.device}: cannot {what}: {error}") from error

    def _require_fd(self) -> int:
        if self._fd is None:
            raise HardwareError(f"V4L2 device {self.device} is not open")
        return self._fd
