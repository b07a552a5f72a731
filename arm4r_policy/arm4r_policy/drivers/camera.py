"""The camera interface every frame source implements: connect, read the newest frame, disconnect.

Time stamps: a frame carries two stamps taken at the same instant, when the driver handed the
decoded frame over (for a live UVC camera this is the end of the USB transfer, roughly one frame
period after the exposure started):

- ``monotonic``: ``time.monotonic()`` [s], the clock robots use to serve samplers
  (``Robot.time``); immune to NTP steps, so intervals and ages are measured on it.
- ``wall``: ``time.time()`` [s since the Unix epoch], i.e. ``CLOCK_REALTIME``: what a ROS node's
  system clock reads, so ``builtin_interfaces/Time`` stamps are built from it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import ARM4RError

__all__ = ["Camera", "EndOfStream", "Frame"]


class EndOfStream(ARM4RError, EOFError):
    """A finite source (a recording played once) has delivered its last frame."""


@dataclass(frozen=True)
class Frame:
    """One image with its capture stamps.

    Attributes:
        image: (H, W, 3) uint8 RGB.
        index: position in the camera's stream since ``connect``, 0-based; increases by one per
            captured frame (across reconnects), so a gap tells how many frames a reader skipped.
        monotonic: ``time.monotonic()`` at capture [s].
        wall: ``time.time()`` at capture [s], CLOCK_REALTIME as ROS uses it.
    """

    image: np.ndarray
    index: int
    monotonic: float
    wall: float


class Camera(ABC):
    """A source of RGB frames that keeps only the newest one.

    ``read`` never hands out a backlog: a slow reader gets the newest frame and skips the rest.
    Use as a context manager to connect and disconnect.

    Attributes:
        name: the camera's name in observations and topics, e.g. ``"ego"``.
    """

    name: str

    @abstractmethod
    def connect(self) -> None:
        """Open the source and start capturing.

        Raises:
            HardwareError: the source cannot be opened; the message names it and why.
        """

    @abstractmethod
    def read(self, timeout: float) -> Frame:
        """The newest frame not returned before, waiting up to ``timeout`` [s] for one.

        Raises:
            TimeoutError: no new frame arrived; the message names the source and the age of the
                last frame.
            EndOfStream: a finite source has no more frames.
            HardwareError: the camera is not connected.
        """

    @abstractmethod
    def disconnect(self) -> None:
        """Stop capturing and release the source; safe to call twice."""

    @property
    @abstractmethod
    def is_connected(self) -> bool:
        """Whether ``connect`` succeeded and ``disconnect`` has not been called since."""

    def __enter__(self) -> Camera:
        self.connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.disconnect()
