"""A stand-in for a UVC camera's control ioctls, for machines without a camera.

It answers ``VIDIOC_QUERYCTRL`` (with ``V4L2_CTRL_FLAG_NEXT_CTRL``), ``VIDIOC_G_CTRL`` and
``VIDIOC_S_CTRL`` on the real ``ctypes`` structures, like the kernel: EINVAL past the last
control, rounding to the step on set, and EACCES for an inactive control (a manual value while its
automatic mode is on), which is how the UVC driver refuses it.
"""

import ctypes
import errno
from dataclasses import dataclass

from arm4r_policy.drivers import v4l2


@dataclass
class Control:
    id: int
    label: str
    type: int
    minimum: int
    maximum: int
    step: int
    default: int
    flags: int = 0
    value: int | None = None
    inactive_while: tuple[int, int] | None = None  # (control id, value) that makes it inactive


CLASS_HEADER = Control(0x00980001, "User Controls", v4l2.CTRL_TYPE_CTRL_CLASS, 0, 0, 0, 0)
CAMERA_CLASS_HEADER = Control(0x009A0001, "Camera Controls", v4l2.CTRL_TYPE_CTRL_CLASS, 0, 0, 0, 0)


LABELS_SINCE_5_16 = {
    "auto_white_balance": "White Balance, Automatic",
    "auto_exposure": "Auto Exposure",
    "exposure": "Exposure Time, Absolute",
    "autofocus": "Focus, Automatic Continuous",
}
LABELS_BEFORE_5_16 = {
    "auto_white_balance": "White Balance Temperature, Auto",
    "auto_exposure": "Exposure, Auto",
    "exposure": "Exposure (Absolute)",
    "autofocus": "Focus, Auto",
}


def brio_controls(labels: dict[str, str] = LABELS_SINCE_5_16) -> list[Control]:
    """The BRIO's controls this package sets, with the labels of one kernel generation."""
    integer, boolean, menu = v4l2.CTRL_TYPE_INTEGER, v4l2.CTRL_TYPE_BOOLEAN, v4l2.CTRL_TYPE_MENU
    auto_white_balance, auto_exposure, autofocus = 0x0098090C, 0x009A0901, 0x009A090C
    return [
        CLASS_HEADER,
        Control(auto_white_balance, labels["auto_white_balance"], boolean, 0, 1, 1, 1),
        Control(
            0x0098091A,
            "White Balance Temperature",
            integer,
            2000,
            7500,
            10,
            4000,
            inactive_while=(auto_white_balance, 1),
        ),
        Control(0x00980900, "Brightness", integer, 0, 255, 1, 128, v4l2.CTRL_FLAG_READ_ONLY),
        CAMERA_CLASS_HEADER,
        Control(auto_exposure, labels["auto_exposure"], menu, 0, 3, 1, 3),
        Control(
            0x009A0902,
            labels["exposure"],
            integer,
            3,
            2047,
            1,
            250,
            inactive_while=(auto_exposure, v4l2.EXPOSURE_APERTURE_PRIORITY),
        ),
        Control(
            0x009A090A, "Focus, Absolute", integer, 0, 255, 5, 0, inactive_while=(autofocus, 1)
        ),
        Control(autofocus, labels["autofocus"], boolean, 0, 1, 1, 1),
    ]


class FakeUvcDevice:
    """Callable like ``fcntl.ioctl(fd, request, argument)`` for the three control requests."""

    def __init__(self, controls: list[Control]) -> None:
        self.controls = sorted(controls, key=lambda control: control.id)
        for control in self.controls:
            control.value = control.default if control.value is None else control.value
        self.writes: list[tuple[str, int]] = []  # (label, value) in the order they were set

    def value(self, label: str) -> int | None:
        return next(c.value for c in self.controls if c.label == label)

    def __call__(self, fd: int, request: int, argument: ctypes.Structure) -> int:
        if request == v4l2.VIDIOC_QUERYCTRL:
            self._query(argument)
        elif request == v4l2.VIDIOC_G_CTRL:
            argument.value = self._find(argument.id).value
        elif request == v4l2.VIDIOC_S_CTRL:
            self._set(self._find(argument.id), argument.value)
        else:
            raise OSError(errno.ENOTTY, "Inappropriate ioctl for device")
        return 0

    def _query(self, query: v4l2.V4l2QueryCtrl) -> None:
        wanted = query.id & ~v4l2.CTRL_FLAG_NEXT_CTRL
        if query.id & v4l2.CTRL_FLAG_NEXT_CTRL:
            control = next((c for c in self.controls if c.id > wanted), None)
        else:
            control = next((c for c in self.controls if c.id == wanted), None)
        if control is None:
            raise OSError(errno.EINVAL, "Invalid argument")
        query.id, query.type, query.name = control.id, control.type, control.label.encode()
        query.minimum, query.maximum, query.step = control.minimum, control.maximum, control.step
        query.default_value, query.flags = control.default, control.flags

    def _find(self, control_id: int) -> Control:
        control = next((c for c in self.controls if c.id == control_id), None)
        if control is None or control.type == v4l2.CTRL_TYPE_CTRL_CLASS:
            raise OSError(errno.EINVAL, "Invalid argument")
        return control

    def _set(self, control: Control, value: int) -> None:
        if control.inactive_while is not None:
            master, blocking = control.inactive_while
            if self._find(master).value == blocking:
                raise OSError(errno.EACCES, "Permission denied")
        steps = round((value - control.minimum) / control.step)
        control.value = control.minimum + steps * control.step
        self.writes.append((control.label, value))
