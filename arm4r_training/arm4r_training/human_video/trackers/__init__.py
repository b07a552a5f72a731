"""Pluggable point trackers: frames + query grid -> ``(u, v, depth)`` tracks, visibility, K.

Modules, one idea each:

- ``base``: the ``PointTracker``, ``PixelTracker`` and ``DepthEstimator`` interfaces, the result
  type, and the intrinsics assumed for an uncalibrated camera.
- ``lucas_kanade``: ``LucasKanadeTracker``, 2D, OpenCV only (runs everywhere, no weights).
- ``cotracker``: ``CoTrackerAdapter``, 2D, CoTracker3 from a local checkpoint.
- ``depth_anything``: ``DepthAnythingDepth``, metric depth maps from a local Depth Anything V2.
- ``with_depth``: ``TrackerWithDepth``, a 2D tracker + a depth source, lifted.
- ``spatialtracker``: ``SpatialTrackerAdapter``, the paper's 3D tracker from a local checkout.
- ``requirements``: the refusals naming a missing package or weight file.

``build_tracker`` makes one by its command-line name. The learned ones import their packages
and read their weights only when built, from local directories; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import torch

from arm4r_policy.errors import ConfigError
from arm4r_training.human_video.trackers.base import (
    DepthEstimator,
    PixelTracker,
    PixelTracks,
    PointTracker,
    PointTrackResult,
    assumed_intrinsics,
    resized_intrinsics,
)
from arm4r_training.human_video.trackers.cotracker import CoTrackerAdapter
from arm4r_training.human_video.trackers.depth_anything import DepthAnythingDepth
from arm4r_training.human_video.trackers.lucas_kanade import LucasKanadeTracker
from arm4r_training.human_video.trackers.spatialtracker import SpatialTrackerAdapter
from arm4r_training.human_video.trackers.with_depth import TrackerWithDepth

TRACKERS = ("lucas-kanade", "cotracker", "spatialtracker")


def build_tracker(
    name: str,
    tracker_weights: Path | None = None,
    depth_weights: Path | None = None,
    device: str | torch.device = "cpu",
    median_depth: float | None = None,
) -> PointTracker:
    """The tracker called ``name`` (one of ``TRACKERS``).

    Args:
        name: ``lucas-kanade`` and ``cotracker`` track in 2D and take depth from the Depth
            Anything model in ``depth_weights``; ``spatialtracker`` tracks in 3D, fed that depth
            when ``depth_weights`` is given, else its own ZoeDepth.
        tracker_weights: CoTracker: the directory of ``scaled_offline.pth``; SpatialTracker: its
            checkout with weights.
        depth_weights: a local Depth Anything (V2) model directory.
        device: torch device of the learned models.
        median_depth: [m] scale of a relative depth model (see ``DepthAnythingDepth``).

    Raises:
        ConfigError: an unknown name.
        CheckpointError: weights or a package are missing (the message says which and where).
    """
    if name not in TRACKERS:
        raise ConfigError(f"tracker {name!r}; expected one of {TRACKERS}")
    if name == "spatialtracker":
        depth = (
            None
            if depth_weights is None
            else DepthAnythingDepth(depth_weights, device, median_depth)
        )
        return SpatialTrackerAdapter(tracker_weights, depth, device)
    if name == "lucas-kanade":
        pixels = LucasKanadeTracker()
    else:
        pixels = CoTrackerAdapter(tracker_weights, device)
    return TrackerWithDepth(pixels, DepthAnythingDepth(depth_weights, device, median_depth))


__all__ = [
    "TRACKERS",
    "CoTrackerAdapter",
    "DepthAnythingDepth",
    "DepthEstimator",
    "LucasKanadeTracker",
    "PixelTracker",
    "PixelTracks",
    "PointTrackResult",
    "PointTracker",
    "SpatialTrackerAdapter",
    "TrackerWithDepth",
    "assumed_intrinsics",
    "build_tracker",
    "resized_intrinsics",
]
