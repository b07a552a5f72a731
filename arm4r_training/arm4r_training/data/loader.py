"""A DataLoader over a ``WindowDataset``: seeded order, per-epoch augmentation, lean workers.

``WindowSampler`` visits every window once per epoch in an order drawn from ``(seed, epoch)`` and
hands the dataset ``(epoch, index)`` keys, so augmentation changes from epoch to epoch while every
batch stays reproducible, whatever the number of workers. Call ``loader.sampler.set_epoch(epoch)``
before each epoch: the sampler lives in the main process, so this reaches persistent workers too.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

from arm4r_policy.errors import ConfigError
from arm4r_training.data.dataset import WindowDataset


class WindowSampler(Sampler[tuple[int, int]]):
    """Every window index once per epoch, as ``(epoch, index)``, shuffled by ``(seed, epoch)``.

    Args:
        num_windows: the dataset's length.
        shuffle: random order (training) or index order (evaluation).
        seed: seed of the order.
    """

    def __init__(self, num_windows: int, shuffle: bool = True, seed: int = 0) -> None:
        if num_windows < 0:
            raise ConfigError(f"WindowSampler.num_windows: expected >= 0, got {num_windows!r}")
        self.num_windows = num_windows
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.num_windows

    def __iter__(self) -> Iterator[tuple[int, int]]:
        if self.shuffle:
            order = np.random.default_rng([self.seed, self.epoch]).permutation(self.num_windows)
        else:
            order = np.arange(self.num_windows)
        return ((self.epoch, int(index)) for index in order)


def init_worker(worker_id: int) -> None:
    """One thread per loader worker: several workers share the cores, not each all of them."""
    torch.set_num_threads(1)
    cv2.setNumThreads(1)


def make_loader(
    dataset: WindowDataset,
    batch_size: int,
    *,
    shuffle: bool = True,
    num_workers: int = 0,
    seed: int = 0,
    drop_last: bool = False,
) -> DataLoader:
    """A DataLoader of batches of the contract (``dataset`` module), reproducible for ``seed``.

    Workers (``num_workers`` > 0) persist across epochs, keeping their frame caches; their torch
    seeds derive from ``seed`` too, though samples draw nothing from them.
    """
    if batch_size < 1 or num_workers < 0:
        raise ConfigError(
            f"make_loader: batch_size = {batch_size}, num_workers = {num_workers}; expected "
            "batch_size >= 1 and num_workers >= 0"
        )
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=WindowSampler(len(dataset), shuffle, seed),
        num_workers=num_workers,
        persistent_workers=num_workers > 0,
        worker_init_fn=init_worker if num_workers > 0 else None,
        # workers start from a fresh interpreter: a fork of a process whose OpenCV or OpenMP
        # thread pools have run can deadlock in the child's first JPEG decode
        multiprocessing_context="forkserver" if num_workers > 0 else None,
        drop_last=drop_last,
        generator=torch.Generator().manual_seed(seed),
    )
