"""``SpatialTrackerAdapter``: the paper's pseudo-labeller, SpatialTracker (CVPR 2024).

SpatialTracker (github.com/henry123-boy/SpaTracker) is a repository, not a package: give a local
checkout of it as ``--tracker-weights``, holding its weights ``checkpoints/spaT_final.pth``
(README: "Data", Google Drive) and its Python requirements installed
(``pip install -r SpaTracker/requirements.txt``). It is run as the ARM4R labels were made
(REFERENCE.md section 2): window 12, 6 iterations, frames resized to 384 x 512 inside, queries on
frame 0, depth from ZoeDepth NK. That depth model comes with the checkout too
(``models/monoD/zoeDepth/ckpts/dpt_beit_large_384.pt`` and ``ZoeD_M12_NK.pt``, README: "Depth
Estimator"); SpatialTracker's code moves it to CUDA, so it needs a GPU. With a ``DepthEstimator``
given instead (``--depth-weights``), its depth maps are fed to SpatialTracker as an RGB-D video
and ZoeDepth is not needed.

The checkout's top-level packages (``models``, ``mde``) are imported from the checkout directory
(put first on ``sys.path``); ZoeDepth reads its weights by paths relative to the checkout, so it is
built from there. SpatialTracker reports ``(u, v, depth)`` directly; a point it gives no positive
depth is not visible and keeps the depth it had when last seen (``lifting.fill_unseen``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from arm4r_policy.errors import CheckpointError
from arm4r_training.human_video.lifting import fill_unseen
from arm4r_training.human_video.trackers.base import (
    DepthEstimator,
    PointTrackResult,
    assumed_intrinsics,
    check_frames,
    check_queries,
)
from arm4r_training.human_video.trackers.requirements import import_package, require_files

PREDICTOR = "models/spatracker/predictor.py"
CHECKPOINT = "checkpoints/spaT_final.pth"
ZOEDEPTH_WEIGHTS = (
    "models/monoD/zoeDepth/ckpts/dpt_beit_large_384.pt",
    "models/monoD/zoeDepth/ckpts/ZoeD_M12_NK.pt",
)
SOURCE = (
    "a checkout of github.com/henry123-boy/SpaTracker with the files its README links "
    "(spaT_final.pth into checkpoints/, the ZoeDepth weights into models/monoD/zoeDepth/ckpts/)"
)
INSTALL = "pip install -r <SpaTracker checkout>/requirements.txt"


class SpatialTrackerAdapter:
    """SpatialTracker as a ``PointTracker``.

    Args:
        checkout: the SpaTracker repository directory with its weights (``--tracker-weights``).
        depth: depth maps to feed it (RGB-D mode); None: its own ZoeDepth NK (CUDA only).
        device: torch device to run on.
        window: SpatialTracker's temporal window [frames].
        internal_size: (height, width) [px] frames are resized to inside.

    Raises:
        CheckpointError: a file of the checkout, its weights or a package it imports is missing,
            or ZoeDepth is asked for without CUDA.
    """

    def __init__(
        self,
        checkout: Path | str | None,
        depth: DepthEstimator | None = None,
        device: str | torch.device = "cpu",
        window: int = 12,
        internal_size: tuple[int, int] = (384, 512),
    ) -> None:
        what = "SpatialTracker"
        needed = (PREDICTOR, CHECKPOINT) + (() if depth is not None else ZOEDEPTH_WEIGHTS)
        directory = require_files(checkout, needed, what, "--tracker-weights", SOURCE).resolve()
        self.device = torch.device(device)
        if depth is None and self.device.type != "cuda":
            raise CheckpointError(
                f"{what}: its own depth model (ZoeDepth NK) runs on CUDA only; run with a CUDA "
                "device, or give --depth-weights (a Depth Anything metric model) for RGB-D input"
            )
        if str(directory) not in sys.path:
            sys.path.insert(0, str(directory))
        predictor = import_package("models.spatracker.predictor", what, INSTALL)
        self.model = predictor.SpaTrackerPredictor(
            checkpoint=str(directory / CHECKPOINT), interp_shape=internal_size, seq_length=window
        ).to(self.device)
        self.depth = depth
        self.depth_model = None if depth is not None else self._zoedepth(directory, what)
        self.window = window
        self.name = "spatialtracker" + ("" if depth is None else f"+{depth.name}")

    @staticmethod
    def _zoedepth(directory: Path, what: str) -> torch.nn.Module:
        """ZoeDepth NK as SpatialTracker's demo builds it, from inside the checkout."""
        estimators = import_package("mde", what, INSTALL)
        previous = Path.cwd()
        os.chdir(directory)  # ZoeDepth opens its weights by paths relative to the checkout
        try:
            return estimators.MonoDEst(SimpleNamespace(mde_name="zoedepth_nk")).model.eval()
        finally:
            os.chdir(previous)

    def track(
        self, frames: np.ndarray, queries: np.ndarray, intrinsics: np.ndarray | None = None
    ) -> PointTrackResult:
        """Track frame-0 ``queries`` (n, 2) through (T, H, W, 3) uint8 ``frames`` in 3D."""
        frames = check_frames(frames)
        height, width = frames.shape[1:3]
        points = check_queries(queries, (width, height))
        video = torch.from_numpy(frames).permute(0, 3, 1, 2)[None].float().to(self.device)
        # (1, n, 3) queries (frame index, u, v)
        prompts = np.concatenate([np.zeros((len(points), 1), dtype=np.float32), points], axis=1)
        video_depth = None
        if self.depth is not None:
            maps = self.depth.estimate(frames)  # (T, H, W)
            video_depth = torch.from_numpy(maps)[:, None].float().to(self.device)
        tracks, visible, _ = self.model(
            video,
            video_depth=video_depth,
            queries=torch.from_numpy(prompts)[None].to(self.device),
            depth_predictor=self.depth_model,
            wind_length=self.window,
        )  # (1, T, n, 3) (u, v, depth), (1, T, n)
        uvd = tracks[0].cpu().numpy().astype(np.float64)
        depth_ok = np.isfinite(uvd[..., 2]) & (uvd[..., 2] > 0)
        visibility = visible[0].cpu().numpy().astype(bool) & depth_ok
        uvd[..., 2] = fill_unseen(np.where(depth_ok, uvd[..., 2], 0.0), depth_ok)
        return PointTrackResult(
            uvd.astype(np.float32),
            visibility,
            assumed_intrinsics((width, height)) if intrinsics is None else intrinsics,
        )
