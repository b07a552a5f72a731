"""Tiny models and a synthetic window dataset that follows the training batch contract."""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import Dataset

from arm4r_policy.model import ARM4RConfig, Normalizer
from arm4r_training.train import DataRequest, RunOptions, TrainingData


def small_config(mode: str = "control", **overrides) -> ARM4RConfig:
    """The tiny preset shrunk until a training step takes milliseconds."""
    values = dict(mode=mode, grid=4, width=64, depth=2, heads=4, ffn_hidden=128, image_size=32,
                  vision_width=32, vision_depth=1, vision_heads=2, pool_heads=2,
                  encoder_hidden=32, head_hidden=32, context=4)  # fmt: skip
    if mode == "control":
        values["horizon"] = 3
    return ARM4RConfig.tiny(**{**values, **overrides})


class SyntheticWindows(Dataset):
    """Windows whose targets are a fixed function of their states, which a model learns fast.

    ``state_noise`` adds Gaussian noise from the global torch generator to every state read, as a
    data pipeline's training noise would; ``masked`` leaves out targets past a pretend episode end
    in every third window.
    """

    def __init__(
        self,
        config: ARM4RConfig,
        size: int = 32,
        state_noise: float = 0.0,
        masked: bool = True,
        seed: int = 0,
    ) -> None:
        g = torch.Generator().manual_seed(seed)
        T, K, a = config.context, config.horizon, config.action_dim
        S, V = config.image_size, config.num_cameras
        self.images = torch.randn(size, T, V, 3, S, S, generator=g)
        self.states = torch.randn(size, T, config.state_dim, generator=g)
        offsets = torch.linspace(-1.0, 1.0, K)[:, None]
        self.targets = 0.5 * self.states[:, :, None, :a] + offsets  # (N, T, K, a)
        self.actions = self.targets[:, :, 0]
        self.mask = torch.ones(size, T, K)
        if masked:
            self.mask[::3, -1, 1:] = 0.0
        self.instruction = torch.randn(size, config.text_dim, generator=g)
        self.state_noise = state_noise

    def __len__(self) -> int:
        return len(self.states)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        states = self.states[index]
        if self.state_noise:
            states = states + self.state_noise * torch.randn(states.shape)
        return {
            "images": self.images[index],
            "states": states,
            "actions": self.actions[index],
            "targets": self.targets[index],
            "mask": self.mask[index],
            "instruction": self.instruction[index],
        }


def synthetic_factory(size: int = 32, state_noise: float = 0.0, masked: bool = True):
    """A data factory serving ``SyntheticWindows``; records the requests it was given."""

    def factory(config: ARM4RConfig, request: DataRequest) -> TrainingData:
        factory.requests.append(request)
        dataset = SyntheticWindows(config, size, state_noise, masked)
        normalizer = request.normalizer or Normalizer.identity(config.state_dim, config.action_dim)
        return TrainingData(dataset, normalizer, description=f"{size} synthetic windows")

    factory.requests = []
    return factory


def run_options(out: Path, **overrides) -> RunOptions:
    return RunOptions(**{"out": out, "checkpoint_every": None, "show_progress": False, **overrides})
