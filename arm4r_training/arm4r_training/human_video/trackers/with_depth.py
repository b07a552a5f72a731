"""``TrackerWithDepth``: a 2D point tracker and a depth source together make a ``PointTracker``.

The 2D tracker follows the query pixels, the depth source gives each frame a depth map, and
``lifting.lift_tracks`` samples the maps along the tracks (with its edge, occlusion and
missing-depth handling). This is the route of trackers that see in 2D only: Lucas-Kanade and
CoTracker, with Depth Anything or any other ``DepthEstimator``.
"""

from __future__ import annotations

import numpy as np

from arm4r_training.human_video.lifting import lift_tracks
from arm4r_training.human_video.trackers.base import (
    DepthEstimator,
    PixelTracker,
    PointTrackResult,
    assumed_intrinsics,
    check_frames,
)


class TrackerWithDepth:
    """``pixels`` tracks, ``depth`` gives the depth, lifting joins them.

    Args:
        pixels: the 2D tracker.
        depth: the depth source.
    """

    def __init__(self, pixels: PixelTracker, depth: DepthEstimator) -> None:
        self.pixels, self.depth = pixels, depth
        self.name = f"{pixels.name}+{depth.name}"

    def track(
        self, frames: np.ndarray, queries: np.ndarray, intrinsics: np.ndarray | None = None
    ) -> PointTrackResult:
        """Track frame-0 ``queries`` (n, 2) through (T, H, W, 3) uint8 ``frames`` with depth."""
        frames = check_frames(frames)
        height, width = frames.shape[1:3]
        matrix = assumed_intrinsics((width, height)) if intrinsics is None else intrinsics
        tracks = self.pixels.track(frames, queries)
        lifted = lift_tracks(
            tracks.positions, tracks.visibility, self.depth.estimate(frames), matrix
        )
        return PointTrackResult(lifted.uvd, lifted.visibility, matrix)
