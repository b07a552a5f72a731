"""``ThreadedCamera``: a reader thread over a ``FrameSource`` that keeps only the newest frame.

Live cameras buffer frames in the driver (OpenCV's V4L2 backend queues several): a consumer
that reads only when it needs a frame would get stale ones. The reader thread drains the source
as fast as it delivers and keeps the newest frame in a one-slot mailbox; ``read`` returns that
frame once and waits for the next one after it.

When a read fails (the USB camera was unplugged, a file vanished) the thread closes the source
and reopens it with exponential back-off until it comes back or the camera is disconnected;
frame indices keep counting across reconnects. Sources differ only in how frames are opened,
read and closed (``FrameSource``); the thread, the mailbox, reconnection and the errors are
shared.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod

import numpy as np

from arm4r_policy.drivers.camera import Camera, EndOfStream, Frame
from arm4r_policy.errors import ConfigError, HardwareError

__all__ = ["FrameSource", "ThreadedCamera"]

_log = logging.getLogger(__name__)


class FrameSource(ABC):
    """How one kind of camera opens, reads and closes; used from the reader thread only.

    Attributes:
        description: names the source in messages, e.g. ``"V4L2 device /dev/brio_ego"``.
    """

    description: str

    @abstractmethod
    def open(self) -> None:
        """Open the source; raise ``HardwareError`` naming it and why when it cannot be."""

    @abstractmethod
    def read(self) -> np.ndarray:
        """Block until the next frame and return it as (H, W, 3) uint8 RGB.

        Raises:
            HardwareError: the read failed (device gone, undecodable data); the camera closes
                the source and reopens it.
            EndOfStream: a finite source has no more frames.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the source; safe to call when it is not open."""


class ThreadedCamera(Camera):
    """A ``Camera`` whose frames a background thread reads from ``source``.

    Args:
        name: the camera's name.
        source: what to read.
        reconnect_delay: first wait after a failed open [s]; doubled after each failure.
        max_reconnect_delay: the longest wait between open attempts [s].
        stop_timeout: how long ``disconnect`` waits for the reader thread [s].
    """

    def __init__(
        self,
        name: str,
        source: FrameSource,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 2.0,
        stop_timeout: float = 5.0,
    ) -> None:
        if not 0.0 < reconnect_delay <= max_reconnect_delay:
            raise ConfigError(
                f"camera {name!r}: reconnect_delay = {reconnect_delay} s and max_reconnect_delay"
                f" = {max_reconnect_delay} s; expected 0 < reconnect_delay <= max_reconnect_delay"
            )
        self.name = name
        self.source = source
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self.stop_timeout = stop_timeout
        self._mailbox = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stuck: threading.Thread | None = None  # a reader disconnect could not stop
        self._reset()

    def _reset(self) -> None:
        self._newest: Frame | None = None
        self._returned = -1
        self._next_index = 0
        self._ended = False
        self._fatal: Exception | None = None
        self._last_error: str | None = None

    @property
    def is_connected(self) -> bool:
        return self._thread is not None

    def connect(self) -> None:
        if self.is_connected:
            return
        if self._stuck is not None and self._stuck.is_alive():
            raise HardwareError(
                f"camera {self.name!r}: the previous reader of {self.source.description} is "
                "still blocked in a read; cannot reconnect until it returns"
            )
        self.source.open()
        self._reset()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name=f"camera-{self.name}", daemon=True
        )
        self._thread.start()

    def disconnect(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(self.stop_timeout)
        if self._thread.is_alive():
            _log.warning(
                "camera %r: the reader thread of %s is still blocked in a read after %.1f s; "
                "left to finish on its own",
                self.name,
                self.source.description,
                self.stop_timeout,
            )
            self._stuck = self._thread
        self._thread = None

    def read(self, timeout: float) -> Frame:
        if not self.is_connected:
            raise HardwareError(
                f"camera {self.name!r} ({self.source.description}) is not connected"
            )
        with self._mailbox:
            self._mailbox.wait_for(
                lambda: self._has_new_frame() or self._ended or self._fatal is not None, timeout
            )
            newest = self._newest
            if newest is not None and newest.index > self._returned:
                self._returned = newest.index
                return newest
            if self._fatal is not None:
                raise HardwareError(
                    f"camera {self.name!r}: the reader of {self.source.description} failed: "
                    f"{self._fatal!r}"
                ) from self._fatal
            if self._ended:
                raise EndOfStream(
                    f"camera {self.name!r}: {self.source.description} has no frames after "
                    f"frame {self._returned}"
                )
            raise TimeoutError(self._timeout_message(timeout))

    def _has_new_frame(self) -> bool:
        return self._newest is not None and self._newest.index > self._returned

    def _timeout_message(self, timeout: float) -> str:
        if self._newest is None:
            last = "no frame since connect"
        else:
            age = time.monotonic() - self._newest.monotonic
            last = f"last frame (index {self._newest.index}) {age:.3f} s ago"
        error = f"; last error: {self._last_error}" if self._last_error else ""
        return (
            f"camera {self.name!r} ({self.source.description}): no new frame within "
            f"{timeout:.3f} s; {last}{error}"
        )

    def _run(self, stop: threading.Event) -> None:
        try:
            self._capture(stop)
        except Exception as error:  # surfaced by read(), never lost with the thread
            with self._mailbox:
                self._fatal = error
                self._mailbox.notify_all()
        finally:
            self.source.close()

    def _capture(self, stop: threading.Event) -> None:
        """Read until stopped; reopen after failed reads; stop at the end of a finite source."""
        is_open = True
        delay = self.reconnect_delay
        while not stop.is_set():
            if not is_open:
                try:
                    self.source.open()
                except HardwareError as error:
                    self._last_error = str(error)
                    stop.wait(delay)
                    delay = min(2.0 * delay, self.max_reconnect_delay)
                    continue
                is_open = True
                delay = self.reconnect_delay
            try:
                image = self.source.read()
            except EndOfStream:
                with self._mailbox:
                    self._ended = True
                    self._mailbox.notify_all()
                return
            except HardwareError as error:
                _log.warning("camera %r: %s; reconnecting", self.name, error)
                self._last_error = str(error)
                self.source.close()
                is_open = False
                continue
            if not stop.is_set():
                self._publish(image)

    def _publish(self, image: np.ndarray) -> None:
        monotonic, wall = time.monotonic(), time.time()
        with self._mailbox:
            self._newest = Frame(image, self._next_index, monotonic, wall)
            self._next_index += 1
            self._mailbox.notify_all()
