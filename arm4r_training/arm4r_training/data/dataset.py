"""Windows of C steps cut from checked episodes, served as the training batch contract.

One sample (a DataLoader stacks B of them):

    images       (T, V, 3, S, S) float32  ImageNet-normalised (augmented in training), slot order
    states       (T, state_dim)  float32  normalised state inputs
    actions      (T, action_dim) float32  normalised action tokens, the action taken at each step
    targets      (T, K, action_dim) float32  normalised prediction targets
    mask         (T, K)          float32  1 where the target exists
    instruction  (512,)          float32  instruction embedding

with T = C (``ARM4RConfig.context``) and K the horizon; see ``targets`` for what the arrays hold.
After ``use_image_positions`` a sample holds ``image_positions`` (T, V, K, 2), every frame's
colour keypoints computed once, instead of ``images``.
Every step of every episode starts a window; a window never leaves its episode: steps past the
end repeat the last step (frame, state, action) and carry mask 0.

Randomness (state noise, crops, colour) is drawn from a generator seeded by
``(seed, epoch, index)``, so a sample depends on nothing else: not on the worker that builds it,
nor the order of requests. Index the dataset with ``(epoch, index)`` (``loader.WindowSampler``
does) for fresh augmentation each epoch; a plain ``index`` means epoch 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset
from tqdm import tqdm

from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.model.keypoints import ColourKeypointEncoder
from arm4r_policy.model.normalization import Normalizer
from arm4r_training.data.augment import ImageAugmentation, camera_view
from arm4r_training.data.episodes import Episode
from arm4r_training.data.frames import FrameReader
from arm4r_training.data.targets import episode_window

log = logging.getLogger(__name__)

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
        self.image_positions: list[torch.Tensor] | None = None  # per episode (N, V, K, 2)
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
        shown = np.minimum(steps, episode.num_steps - 1)
        if self.image_positions is None:
            pixels = {"images": self._images(episode, shown, self.augmentation, rng)}
        else:
            pixels = {"image_positions": self.image_positions[episode_index][shown]}
        normalizer = self.normalizer
        return {
            **pixels,
            "states": normalizer.normalize_state(torch.from_numpy(arrays.states)),
            "actions": normalizer.normalize_action(torch.from_numpy(arrays.actions)),
            "targets": normalizer.normalize_action(torch.from_numpy(arrays.targets)),
            "mask": torch.from_numpy(arrays.mask),
            "instruction": torch.from_numpy(episode.instruction.copy()),
        }

    def use_image_positions(self, encoder: ColourKeypointEncoder, chunk: int = 256) -> None:
        """Serve every frame's colour keypoints, computed here once, instead of its pixels.

        The keypoints of a frame's run-time input are those of any of its training views as long
        as the augmentation moves no pixel (``ImageAugmentation.moves_pixels``); the encoder
        then costs one pass over the frames instead of one per window that shows them.

        Raises:
            ConfigError: the augmentation crops or zooms.
        """
        augmentation = self.augmentation
        if augmentation is not None and augmentation.moves_pixels:
            raise ConfigError(
                f"image positions: crop scale {augmentation.crop_scale} and wrist zoom "
                f"{augmentation.wrist_resize} move the keypoints in every window; the augmentation "
                "crops or zooms"
            )
        positions = []
        with torch.no_grad():
            for episode in tqdm(self.episodes, desc="colour keypoints", unit="episode"):
                starts = range(0, episode.num_steps, chunk)
                positions.append(
                    torch.cat([self._positions(episode, s, chunk, encoder) for s in starts])
                )
        self.image_positions = positions
        log.info("colour keypoints of %d frames computed once", self.num_steps)

    def _positions(
        self, episode: Episode, start: int, chunk: int, encoder: ColourKeypointEncoder
    ) -> torch.Tensor:
        """(n, V, K, 2) keypoints of an episode's frames start .. start + chunk - 1."""
        steps = np.arange(start, min(start + chunk, episode.num_steps))
        images = self._images(episode, steps, None, None)  # (n, V, 3, S, S)
        return encoder.positions(images.flatten(0, 1)).view(*images.shape[:2], -1, 2)

    def _images(
        self,
        episode: Episode,
        steps: np.ndarray,
        augmentation: ImageAugmentation | None,
        rng: np.random.Generator | None,
    ) -> torch.Tensor:
        """(T, V, 3, S, S): each camera decoded once; slots showing one camera share its view."""
        size = self.config.image_size
        views = {}
        for directory in dict.fromkeys(episode.image_dirs):
            min_side = augmentation.min_side(size, directory) if augmentation else size
            frames = self.frames.read(episode.path, directory, steps, episode.image_size, min_side)
            views[directory] = camera_view(frames, size, directory, augmentation, rng)
        return torch.stack([views[directory] for directory in episode.image_dirs], dim=1)
