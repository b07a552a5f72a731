"""Cameras that play recordings: a video file or a folder of images, paced at a frame rate.

A ``ReplayCamera`` is a real backend: it feeds recorded data through the same ``Camera``
interface, reader thread and ROS graph as a live BRIO. Sources:

- a video file OpenCV can decode (e.g. an MJPG AVI or an MP4), played at its own frame rate
  unless ``rate_hz`` is given;
- a folder of ``.jpg`` / ``.jpeg`` / ``.png`` images played in file-name order, e.g. an
  episode's ``images/<camera>/00000.jpg, 00001.jpg, ...``; ``rate_hz`` is required.

At the end a looping camera starts over by reopening the source, so a recording that was deleted
in between is reported (``TimeoutError`` from ``read`` with the reason) and picked up again when
it reappears; a camera that does not loop raises ``EndOfStream`` after the last frame.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.drivers.camera import EndOfStream
from arm4r_policy.drivers.threaded import FrameSource, ThreadedCamera
from arm4r_policy.errors import ConfigError, HardwareError

__all__ = ["IMAGE_SUFFIXES", "ImageFolderSource", "ReplayCamera", "VideoFileSource"]

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


class _Pacer:
    """Sleeps so that successive ``wait`` calls return ``1 / rate_hz`` apart.

    A caller that falls more than one period behind is not made to catch up with a burst: the
    schedule restarts from now.
    """

    def __init__(self, rate_hz: float) -> None:
        self.period = 1.0 / rate_hz
        self._due: float | None = None

    def wait(self) -> None:
        now = time.monotonic()
        if self._due is None or now - self._due > self.period:
            self._due = now
        elif self._due > now:
            time.sleep(self._due - now)
        self._due += self.period


class _RecordingSource(FrameSource):
    """Pacing, looping and the end of a recording; subclasses open a pass and yield its images."""

    def __init__(self, description: str, rate_hz: float | None, loop: bool) -> None:
        if rate_hz is not None and not rate_hz > 0.0:
            raise ConfigError(f"{description}: rate_hz = {rate_hz}; expected > 0")
        self.description = description
        self.rate_hz = rate_hz
        self.loop = loop
        self._pacer: _Pacer | None = None
        self._frames_this_pass = 0

    def open(self) -> None:
        native_rate = self._open_pass()
        rate = self.rate_hz or native_rate
        if rate is None or not rate > 0.0:
            self.close()
            raise HardwareError(f"{self.description} has no frame rate of its own; pass rate_hz")
        self._pacer = _Pacer(rate)
        self._frames_this_pass = 0

    def read(self) -> np.ndarray:
        if self._pacer is None:
            raise HardwareError(f"{self.description} is not open")
        self._pacer.wait()
        image = self._next_image()
        if image is None:
            if self._frames_this_pass == 0:
                raise HardwareError(f"{self.description} holds no readable frame")
            if not self.loop:
                raise EndOfStream(f"{self.description} ended after {self._frames_this_pass} frames")
            self.close()
            self._open_pass()  # a vanished recording raises here, and the camera reconnects
            self._frames_this_pass = 0
            image = self._next_image()
            if image is None:
                raise HardwareError(f"{self.description} holds no readable frame")
        self._frames_this_pass += 1
        return image

    @abstractmethod
    def _open_pass(self) -> float | None:
        """Open the recording at its first frame; return its own frame rate [Hz] if it has one.

        Raises:
            HardwareError: the recording is missing or cannot be decoded.
        """

    @abstractmethod
    def _next_image(self) -> np.ndarray | None:
        """The next (H, W, 3) uint8 RGB image of this pass, or None at its end."""


class VideoFileSource(_RecordingSource):
    """A video file decoded by OpenCV (its FFmpeg backend when present).

    Args:
        path: the video file.
        rate_hz: playback rate [Hz]; None plays at the file's own frame rate.
        loop: start over at the end instead of ending the stream.
    """

    def __init__(self, path: str | Path, rate_hz: float | None = None, loop: bool = True) -> None:
        self.path = Path(path)
        super().__init__(f"video file {self.path}", rate_hz, loop)
        self._capture: cv2.VideoCapture | None = None

    def _open_pass(self) -> float | None:
        if not self.path.is_file():
            raise HardwareError(f"{self.description} does not exist")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise HardwareError(f"{self.description} cannot be opened by OpenCV")
        self._capture = capture
        fps = capture.get(cv2.CAP_PROP_FPS)
        return fps if fps > 0.0 else None

    def _next_image(self) -> np.ndarray | None:
        if self._capture is None:
            return None
        ok, bgr = self._capture.read()
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource(_RecordingSource):
    """The images of a folder (``IMAGE_SUFFIXES``) in file-name order.

    Args:
        folder: the image folder, e.g. an episode's ``images/<camera>``.
        rate_hz: playback rate [Hz].
        loop: start over at the end instead of ending the stream.
    """

    def __init__(self, folder: str | Path, rate_hz: float, loop: bool = True) -> None:
        self.folder = Path(folder)
        super().__init__(f"image folder {self.folder}", rate_hz, loop)
        self._pending: list[Path] = []

    def _open_pass(self) -> float | None:
        if not self.folder.is_dir():
            raise HardwareError(f"{self.description} does not exist")
        files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise HardwareError(
                f"{self.description} holds no image with a suffix in {list(IMAGE_SUFFIXES)}"
            )
        self._pending = files[::-1]
        return None

    def _next_image(self) -> np.ndarray | None:
        if not self._pending:
            return None
        path = self._pending.pop()
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise HardwareError(f"{self.description}: {path.name} cannot be decoded")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self._pending = []


class ReplayCamera(ThreadedCamera):
    """A camera playing ``path``: a video file, or a folder of images (which needs ``rate_hz``).

    Args:
        name: the camera's name.
        path: the recording.
        rate_hz: playback rate [Hz]; None plays a video at its own rate.
        loop: start over at the end instead of raising ``EndOfStream``.
        **reader: ``ThreadedCamera`` options (reconnect delays, stop timeout).
    """

    def __init__(
        self,
        name: str,
        path: str | Path,
        rate_hz: float | None = None,
        loop: bool = True,
        **reader: float,
    ) -> None:
        path = Path(path)
        if path.is_dir():
            if rate_hz is None:
                raise ConfigError(f"camera {name!r}: image folder {path} needs rate_hz")
            source: FrameSource = ImageFolderSource(path, rate_hz, loop)
        else:
            source = VideoFileSource(path, rate_hz, loop)
        super().__init__(name, source, **reader)
