"""Windows of C steps cut from checked episodes, served as the training batch contract.

One sample (a DataLoader stacks B of them):

    images       (T, V, 3, S, S) float32  ImageNet-normalised (augmented in training), slot order
    states       (T, state_dim)  float32  normalised state inputs
    actions      (T, action_dim) float32  normalised action tokens, the action taken at each step
    targets      (T, K, action_dim) float32  normalised prediction targets
    mask         (T, K)          float32  1 where the target exists
    instruction  (512,)          float32  instruction embedding

with T = C (``ARM4RConfig.context``) and K the horizon; see ``targets`` for what the arrays hold.
Every step of every episode starts a window; a window never leaves its episode: steps past the
end repeat the last step (frame, state, action) and carry mask 0.

Randomness (state noise, crops, colour) is drawn from a generator seeded by
``(seed, epoch, index)``, so a sample depends on nothing else: not on the worker that builds it,
nor the order of requests. Index the dataset with ``(epoch, index)`` (``loader.WindowSampler``
does) for fresh augmentation each epoch; a plain ``index`` means epoch 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.model.normalization import Normalizer
from arm4r_training.data.augment import ImageAugmentation, camera_view
from arm4r_training.data.episodes import Episode
from arm4r_training.data.frames import FrameReader
from arm4r_training.data.targets import episode_window

WindowKey = int | tuple[int, int]
"""``index`` or ``(epoch, index)``."""


class WindowDataset(Dataset):
    """Every C-step window of a list of checked episodes, as network-ready tensors.

    Args:
        config: the model the batches are for (mode, context C, horizon K, image size, ...).
        episodes: checked episodes (``episodes.read_episode``).
        roots: the dataset roots they were found under (statistics are never written there).
        normalizer: normalisation of states and actions; set before the first sample
            (``build.build_dataset`` does).
        seed: seed of every random choice.
        state_noise: std of the Gaussian noise on the 7-D input state (control mode); 0 for none.
        augmentation: image augmentation; None serves the run-time input unchanged.
        cache_bytes: per-process RAM budget for decoded frames (``frames.FrameReader``).
    """

    def __init__(
        self,
        config: ARM4RConfig,
        episodes: Sequence[Episode],
        roots: Sequence[Path] = (),
        normalizer: Normalizer | None = None,
        seed: int = 0,
        state_noise: float = 0.0,
        augmentation: ImageAugmentation | None = None,
        cache_bytes: int = 0,
    ) -> None:
        if state_noise < 0.0:
            raise ConfigError(f"WindowDataset.state_noise: expected >= 0, got {state_noise!r}")
        self.config = config
        self.episodes = tuple(episodes)
        self.roots = tuple(Path(root) for root in roots)
        self.normalizer = normalizer
        self.seed = seed
        self.state_noise = state_noise
        self.augmentation = augmentation
        self.frames = FrameReader(cache_bytes)
        # (episode index, first step) of every window
        self.windows = np.array(
            [(i, start) for i, e in enumerate(self.episodes) for start in range(e.num_steps)],
            dtype=np.int64,
        ).reshape(-1, 2)

    def __len__(self) -> int:
        return len(self.windows)

    @property
    def num_steps(self) -> int:
        """Steps with a prediction target, over all episodes."""
        return sum(episode.num_steps for episode in self.episodes)

    def __getitem__(self, key: WindowKey) -> dict[str, torch.Tensor]:
        epoch, index = key if isinstance(key, tuple) else (0, key)
        if not 0 <= index < len(self):
            raise IndexError(f"window {index} of a dataset of {len(self)}")
        if self.normalizer is None:
            raise DatasetError("WindowDataset: no normalizer set (see build_dataset)")
        episode_index, start = (int(value) for value in self.windows[index])
        episode = self.episodes[episode_index]
        steps = start + np.arange(self.config.context)
        rng = np.random.default_rng([self.seed, int(epoch), int(index)])
        arrays = episode_window(episode, steps, self.config, self.state_noise, rng)
        images = self._images(episode, np.minimum(steps, episode.num_steps - 1), rng)
        normalizer = self.normalizer
        return {
            "images": images,
            "states": normalizer.normalize_state(torch.from_numpy(arrays.states)),
            "actions": normalizer.normalize_action(torch.from_numpy(arrays.actions)),
            "targets": normalizer.normalize_action(torch.from_numpy(arrays.targets)),
            "mask": torch.from_numpy(arrays.mask),
            "instruction": torch.from_numpy(episode.instruction.copy()),
        }

    def _images(
        self, episode: Episode, steps: np.ndarray, rng: np.random.Generator
    ) -> torch.Tensor:
        """(T, V, 3, S, S): each camera decoded once; slots showing one camera share its view."""
        size = self.config.image_size
        views = {}
        for directory in dict.fromkeys(episode.image_dirs):
            min_side = self.augmentation.min_side(size, directory) if self.augmentation else size
            frames = self.frames.read(episode.path, directory, steps, episode.image_size, min_side)
            views[directory] = camera_view(frames, size, directory, self.augmentation, rng)
        return torch.stack([views[directory] for directory in episode.image_dirs], dim=1)
