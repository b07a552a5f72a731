"""MP4 videos of evaluation episodes: every camera view side by side, the predicted path drawn in.

A frame shows the cell's cameras rendered at ``view_size`` next to each other, taken before the
step's target is executed. The chunk's predicted TCP positions (base frame) are projected into
each view through that camera's intrinsics and extrinsics: a blue line from the first to the
last, a dot per target (green where the gripper is to be open, red where closed) and a white
ring at the target executed now. A caption names the episode and the step. After the last step
one more frame shows the final state and the outcome, so a video of an episode of N steps has
N + 1 frames, played at the control rate (15 fps).

Frames stream to a hidden staging file beside the destination (OpenCV ``VideoWriter``, ``mp4v``),
renamed into place once complete: a crashed run never leaves a truncated video under its name.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.collect.atomic import staging_path
from arm4r_policy.errors import ARM4RError
from arm4r_policy.runtime.policy import PolicyOutput
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.cameras import project_points
from arm4r_policy.sim.tasks import CONTROL_RATE_HZ
from arm4r_training.evaluation.rollout import GRIPPER_CLOSED_ABOVE, EpisodeResult

VIEW_SIZE = (320, 240)
"""(width, height) [px] of one camera view in a video frame."""
FOURCC = "mp4v"
PATH_RGB = (90, 200, 255)
OPEN_RGB, CLOSED_RGB = (60, 220, 60), (230, 40, 40)
TARGET_RGB = (255, 255, 255)
_PIXEL_LIMIT = 1e4  # [px] projections are clipped to this so OpenCV's integer drawing never wraps


def outcome_caption(result: EpisodeResult) -> str:
    """The last frame's caption: 'success after N steps' or 'failed (why) after N steps'."""
    verdict = "success" if result.success else f"failed ({result.failure})"
    return f"{verdict} after {result.steps} steps"


def project_path(
    points: np.ndarray, intrinsics: np.ndarray, extrinsics: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (N, 2) of base-frame points (N, 3) [m], and which lie in front of the camera (N,).

    Args:
        intrinsics: (3, 3) K of the view.
        extrinsics: (4, 4) camera-to-base pose, OpenCV axes (z along the optical axis).
    """
    depth = (np.asarray(points, dtype=float) - extrinsics[:3, 3]) @ extrinsics[:3, 2]
    in_front = depth > 1e-6
    with np.errstate(divide="ignore", invalid="ignore"):
        pixels = project_points(points, intrinsics, extrinsics)
    pixels = np.clip(np.nan_to_num(pixels), -_PIXEL_LIMIT, _PIXEL_LIMIT)
    return pixels, in_front


def draw_path(
    image: np.ndarray, pixels: np.ndarray, closed: np.ndarray, target: np.ndarray | None
) -> None:
    """Draw a projected chunk onto ``image`` (H, W, 3) RGB in place.

    Args:
        pixels: (N, 2) projected targets, in the order predicted.
        closed: (N,) whether the gripper is to be closed at each target.
        target: (2,) projection of the target executed now, or None to draw no ring.
    """
    points = np.round(pixels).astype(np.int32)
    if len(points) > 1:
        cv2.polylines(image, [points.reshape(-1, 1, 2)], False, PATH_RGB, 1, cv2.LINE_AA)
    for point, is_closed in zip(points, closed, strict=True):
        colour = CLOSED_RGB if is_closed else OPEN_RGB
        cv2.circle(image, tuple(point.tolist()), 3, colour, -1, cv2.LINE_AA)
    if target is not None:
        centre = tuple(np.round(target).astype(np.int32).tolist())
        cv2.circle(image, centre, 6, TARGET_RGB, 1, cv2.LINE_AA)


def draw_caption(image: np.ndarray, lines: list[str]) -> None:
    """Write ``lines`` in white on a black band at the top left of ``image`` (H, W, 3) RGB, in
    place."""
    font, scale, line_height = cv2.FONT_HERSHEY_SIMPLEX, 0.45, 16
    for row, text in enumerate(lines):
        (width, _), _ = cv2.getTextSize(text, font, scale, 1)
        top = row * line_height
        cv2.rectangle(image, (0, top), (width + 8, top + line_height), (0, 0, 0), -1)
        cv2.putText(image, text, (4, top + 12), font, scale, (255, 255, 255), 1, cv2.LINE_AA)


class EpisodeVideo:
    """The video of one episode, written to ``path`` when ``finish`` is called.

    Use as a context manager: leaving the block without ``finish`` (an exception) discards the
    staged frames. ``add_step`` fits ``Rollout.run``'s ``on_step``.

    Args:
        cell: the simulated cell the episode runs in; rendered, never changed.
        path: the MP4 to write; its directory is created, an older file there replaced.
        title: the first caption line, e.g. the task and seed.
        view_size: (width, height) [px] of each camera view.
        fps: frames per second of playback.

    Raises:
        ARM4RError: OpenCV cannot write ``mp4v`` video at ``path``.
    """

    def __init__(
        self,
        cell: SimCell,
        path: Path,
        title: str,
        view_size: tuple[int, int] = VIEW_SIZE,
        fps: float = CONTROL_RATE_HZ,
    ) -> None:
        self.cell, self.path, self.title, self.view_size = cell, Path(path), title, view_size
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = staging_path(self.path)
        # OpenCV picks the container from the extension, so the staging name keeps it
        self._staging = staging.with_name(staging.name + self.path.suffix)
        width, height = view_size
        frame_size = (width * len(cell.camera_names), height)
        fourcc = cv2.VideoWriter_fourcc(*FOURCC)
        self._writer = cv2.VideoWriter(str(self._staging), fourcc, fps, frame_size)
        if not self._writer.isOpened():
            self._writer.release()
            self._staging.unlink(missing_ok=True)
            raise ARM4RError(f"OpenCV cannot write {FOURCC!r} video to {self._staging}")
        self.frames = 0

    def add_step(self, step: int, output: PolicyOutput) -> None:
        """Film the cell now with the chunk of step ``step`` (from 0) drawn in."""
        self._write(self._frame([f"step {step + 1}"], output))

    def finish(self, caption: str) -> Path:
        """Film the final state with ``caption``, close the file and move it to ``path``."""
        self._write(self._frame([caption], None))
        self._writer.release()
        os.replace(self._staging, self.path)
        return self.path

    def discard(self) -> None:
        """Drop the staged frames; a no-op after ``finish``."""
        self._writer.release()
        self._staging.unlink(missing_ok=True)

    def _frame(self, lines: list[str], output: PolicyOutput | None) -> np.ndarray:
        """(H, W x cameras, 3) RGB: the views side by side, the chunk drawn into each."""
        observation = self.cell.observe(image_size=self.view_size)
        views = []
        for name in self.cell.camera_names:
            image = observation.images[name].copy()
            if output is not None:
                intrinsics, extrinsics = observation.intrinsics[name], observation.extrinsics[name]
                self._draw_chunk(image, output, intrinsics, extrinsics)
            views.append(image)
        frame = np.concatenate(views, axis=1)
        draw_caption(frame, [self.title, *lines])
        return frame

    @staticmethod
    def _draw_chunk(
        image: np.ndarray, output: PolicyOutput, intrinsics: np.ndarray, extrinsics: np.ndarray
    ) -> None:
        """The chunk's targets and the executed target, those in front of the camera."""
        points = np.vstack([output.chunk[:, :3], output.target[:3]])
        pixels, in_front = project_path(points, intrinsics, extrinsics)
        shown = in_front[:-1]
        closed = output.chunk[:, 6] > GRIPPER_CLOSED_ABOVE
        draw_path(image, pixels[:-1][shown], closed[shown], pixels[-1] if in_front[-1] else None)

    def _write(self, frame: np.ndarray) -> None:
        self._writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        self.frames += 1

    def __enter__(self) -> EpisodeVideo:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()
