"""``CoTrackerAdapter``: 2D tracks from CoTracker3 (github.com/facebookresearch/co-tracker).

Needs the ``cotracker`` package (``pip install -e <clone of co-tracker>``) and the offline
weights ``scaled_offline.pth`` (published with the repository, see its README) in a local
directory; the predictor is built from that file, never through ``torch.hub``. It follows the
query points of frame 0 through the whole clip at once (offline mode, window 60) and reports a
point visible where its visibility score exceeds 0.9 (``CoTrackerPredictor``'s threshold).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from arm4r_training.human_video.trackers.base import PixelTracks, check_frames, check_queries
from arm4r_training.human_video.trackers.requirements import import_package, require_files

CHECKPOINT = "scaled_offline.pth"
SOURCE = "the CoTracker3 release (github.com/facebookresearch/co-tracker, README: checkpoints)"
INSTALL = "git clone https://github.com/facebookresearch/co-tracker && pip install -e co-tracker"


class CoTrackerAdapter:
    """CoTracker3 offline, as a ``PixelTracker``.

    Args:
        weights_dir: directory holding ``scaled_offline.pth`` (``--tracker-weights``).
        device: torch device to run on.
        window: CoTracker's temporal window [frames] (60 for the offline model).

    Raises:
        CheckpointError: the weights or the ``cotracker`` package are missing.
    """

    name = "cotracker3"

    def __init__(
        self, weights_dir: Path | str | None, device: str | torch.device = "cpu", window: int = 60
    ) -> None:
        what = "CoTracker"
        directory = require_files(weights_dir, (CHECKPOINT,), what, "--tracker-weights", SOURCE)
        predictor = import_package("cotracker.predictor", what, INSTALL)
        self.model = predictor.CoTrackerPredictor(
            checkpoint=str(directory / CHECKPOINT), offline=True, window_len=window
        ).to(device)
        self.device = torch.device(device)

    def track(self, frames: np.ndarray, queries: np.ndarray) -> PixelTracks:
        """(T, H, W, 3) uint8 RGB frames and (n, 2) frame-0 ``(u, v)`` [px] -> pixel tracks."""
        frames = check_frames(frames)
        points = check_queries(queries, (frames.shape[2], frames.shape[1]))
        video = torch.from_numpy(frames).permute(0, 3, 1, 2)[None].float().to(self.device)
        # (1, n, 3) queries (frame index, u, v)
        prompts = torch.from_numpy(np.concatenate([np.zeros((len(points), 1)), points], axis=1))
        tracks, visible = self.model(video, queries=prompts[None].float().to(self.device))
        # (1, T, n, 2) and (1, T, n)
        return PixelTracks(
            tracks[0].cpu().numpy().astype(np.float32), visible[0].cpu().numpy().astype(bool)
        )
