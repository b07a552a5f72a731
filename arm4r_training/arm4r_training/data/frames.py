"""Reading an episode's camera frames for a window: each frame decoded once, optionally kept in RAM.

Decoding dominates the loader's time, and small datasets are read many times over (a 190-episode
x 100-step x 2-camera collection at 96 px is about 1 GB of uint8 frames). ``FrameReader`` keeps
decoded frames up to a byte budget: frames are added until the budget is spent and then kept,
never evicted, so which frames are cached never depends on the access order of later epochs. The
budget is per process: each DataLoader worker holds its own cache.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from arm4r_policy.collect.layout import IMAGES_DIR, frame_file_name
from arm4r_policy.errors import ConfigError
from arm4r_training.data.jpeg import decode_jpeg, reduction_for


class FrameReader:
    """Decodes JPEG frames at the coarsest scale that still serves the network's input size.

    Args:
        cache_bytes: RAM budget [bytes] for decoded frames in this process; 0 disables the cache.
    """

    def __init__(self, cache_bytes: int = 0) -> None:
        if cache_bytes < 0:
            raise ConfigError(f"FrameReader.cache_bytes: expected >= 0, got {cache_bytes!r}")
        self.cache_bytes = cache_bytes
        self.cached_bytes = 0
        self._cache: dict[tuple[Path, str, int, int], np.ndarray] = {}

    def read(
        self,
        episode: Path,
        directory: str,
        steps: np.ndarray,
        stored_size: tuple[int, int],
        min_side: int,
    ) -> np.ndarray:
        """(len(steps), h, w, 3) uint8 RGB frames of ``steps`` (repeats decoded once).

        Args:
            episode: the episode directory.
            directory: the camera's directory under ``images/``.
            steps: (N,) step indices, possibly repeated.
            stored_size: (width, height) [px] of the stored frames.
            min_side: [px] the decoded frames keep at least this many pixels on each side.
        """
        reduction = reduction_for(stored_size, min_side)
        distinct, positions = np.unique(np.asarray(steps), return_inverse=True)
        decoded = [self._frame(episode, directory, int(step), reduction) for step in distinct]
        return np.stack(decoded)[positions.reshape(-1)]

    def _frame(self, episode: Path, directory: str, step: int, reduction: int) -> np.ndarray:
        key = (episode, directory, step, reduction)
        frame = self._cache.get(key)
        if frame is None:
            frame = decode_jpeg(episode / IMAGES_DIR / directory / frame_file_name(step), reduction)
            if self.cached_bytes + frame.nbytes <= self.cache_bytes:
                self._cache[key] = frame
                self.cached_bytes += frame.nbytes
        return frame
