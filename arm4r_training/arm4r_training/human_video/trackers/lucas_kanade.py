"""``LucasKanadeTracker``: a 2D point tracker without learned weights, for any machine.

Pyramidal Lucas-Kanade optical flow (``cv2.calcOpticalFlowPyrLK``) carries each point from the
last frame it was kept in to the next frame. A step of a point is kept only when it passes three
checks:

- forward-backward: followed to the next frame and back, the point returns within ``max_error``
  pixels of where it started (and lands inside the image);
- texture: the image around it has gradient in two directions (``min_texture``, OpenCV's minimum
  eigenvalue threshold); on a surface of one flat colour Lucas-Kanade cannot tell motion, and at
  coarse pyramid levels a flat patch is dragged along by whatever moves nearby;
- appearance: the ``patch`` x ``patch`` pixels around its new position differ from those around
  its last kept position by less than ``max_change`` grey levels on average. Something passing in
  front of a point changes them; without this check the point is carried away with the occluder.

A point failing a check is not visible in that frame and keeps its last kept position; the next
frames are matched against the frame it was last kept in, so a point hidden for a while is picked
up again as soon as it shows, without drifting with what covered it. A
static point on a flat surface is thus held in place (and reported not visible), which is right
for the background and wrong for flat moving surfaces: learned trackers (CoTracker,
SpatialTracker) follow those from context. This one is the reference that runs everywhere, used
with a depth source by ``with_depth.TrackerWithDepth``.
"""

from __future__ import annotations

import cv2
import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_training.human_video.trackers.base import PixelTracks, check_frames, check_queries


class LucasKanadeTracker:
    """Frame-to-frame pyramidal Lucas-Kanade with forward-backward, texture and appearance checks.

    Defaults were chosen on rendered 224 x 224 clips of the simulated Kinova cell at 10 fps
    (``tests/unit/training/human_video``): larger windows keep more points but let more of them
    drift.

    Args:
        window: side [px] of the square patch matched at each pyramid level.
        levels: pyramid levels above full resolution (3: motions of several windows per frame).
        max_error: [px] largest forward-backward distance of a kept step.
        min_texture: OpenCV ``minEigThreshold``, the smallest minimum eigenvalue of the gradient
            matrix (per window pixel) of a trackable point.
        max_change: [grey levels, 0-255] largest mean absolute change of the patch around a point.
        patch: side [px] of that patch.
        iterations: most Lucas-Kanade iterations per level.
    """

    name = "lucas-kanade"

    def __init__(
        self,
        window: int = 15,
        levels: int = 3,
        max_error: float = 0.5,
        min_texture: float = 1e-2,
        max_change: float = 12.0,
        patch: int = 9,
        iterations: int = 30,
    ) -> None:
        sizes_ok = window >= 3 and window % 2 == 1 and patch >= 1 and patch % 2 == 1
        if not sizes_ok or levels < 0 or iterations < 1:
            raise ConfigError(
                f"LucasKanadeTracker: window = {window}, patch = {patch}, levels = {levels}, "
                f"iterations = {iterations}; expected odd window >= 3 and patch >= 1 [px], "
                "levels >= 0, iterations >= 1"
            )
        if not (max_error > 0 and min_texture >= 0 and max_change > 0):
            raise ConfigError(
                f"LucasKanadeTracker: max_error = {max_error}, min_texture = {min_texture}, "
                f"max_change = {max_change}; expected > 0, >= 0 and > 0"
            )
        self._flow = dict(
            winSize=(window, window),
            maxLevel=levels,
            criteria=(cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, iterations, 0.01),
            minEigThreshold=min_texture,
        )
        self.max_error = max_error
        self.max_change = max_change
        self.patch = patch

    def track(self, frames: np.ndarray, queries: np.ndarray) -> PixelTracks:
        """(T, H, W, 3) uint8 RGB frames and (n, 2) frame-0 ``(u, v)`` [px] -> pixel tracks."""
        frames = check_frames(frames)
        height, width = frames.shape[1:3]
        points = check_queries(queries, (width, height))
        positions = np.empty((len(frames), len(points), 2), dtype=np.float32)
        visibility = np.zeros((len(frames), len(points)), dtype=bool)
        positions[0], visibility[0] = points, True
        grey = [cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) for frame in frames]
        templates = self._patches(grey[0], points)  # (n, p, p) at each point's last kept step
        origins = np.zeros(len(points), dtype=int)  # the step each point was last kept at
        for step in range(1, len(frames)):
            moved, kept = points.copy(), np.zeros(len(points), dtype=bool)
            for origin in np.unique(origins):
                chosen = origins == origin
                moved[chosen], kept[chosen] = self._flow_step(
                    grey[origin], grey[step], points[chosen]
                )
            seen = self._patches(grey[step], moved)
            kept &= np.abs(seen - templates).mean(axis=(1, 2)) < self.max_change
            templates = np.where(kept[:, None, None], seen, templates)
            points = np.where(kept[:, None], moved, points)
            origins = np.where(kept, step, origins)
            positions[step], visibility[step] = points, kept
        return PixelTracks(positions, visibility)

    def _flow_step(
        self, previous: np.ndarray, current: np.ndarray, points: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n, 2) positions in ``current`` and (n,) whether each passed the flow checks."""
        start = points.reshape(-1, 1, 2)
        forward, found, _ = cv2.calcOpticalFlowPyrLK(previous, current, start, None, **self._flow)
        back, returned, _ = cv2.calcOpticalFlowPyrLK(current, previous, forward, None, **self._flow)
        moved = forward.reshape(-1, 2)
        distance = np.linalg.norm(back.reshape(-1, 2) - points, axis=1)
        height, width = current.shape
        inside = (
            (moved[:, 0] >= -0.5) & (moved[:, 0] < width - 0.5)
            & (moved[:, 1] >= -0.5) & (moved[:, 1] < height - 0.5)
        )  # fmt: skip
        kept = found.ravel().astype(bool) & returned.ravel().astype(bool)
        return moved, kept & inside & (distance < self.max_error)

    def _patches(self, image: np.ndarray, points: np.ndarray) -> np.ndarray:
        """(n, p, p) float32 patches of ``image`` centred on ``points`` (bilinear, edges copied)."""
        count, side = len(points), self.patch
        offsets = np.arange(side, dtype=np.float32) - (side - 1) / 2
        shape = (count, side, side)
        map_u = np.broadcast_to(points[:, 0, None, None] + offsets[None, None, :], shape)
        map_v = np.broadcast_to(points[:, 1, None, None] + offsets[None, :, None], shape)
        sampled = cv2.remap(
            image.astype(np.float32),
            np.ascontiguousarray(map_u.reshape(count * side, side)),
            np.ascontiguousarray(map_v.reshape(count * side, side)),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return sampled.reshape(count, side, side)
