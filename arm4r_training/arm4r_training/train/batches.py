"""What a run trains on: the batch contract, the injectable data source, and the data order.

Every dataset item is one window of T <= C steps, a dict of float tensors (one item; the loader
stacks B of them in front):

    images       (T, V, 3, S, S)     normalised camera images, or instead
    image_positions (T, V, K, 2)     their colour keypoints (``ARM4R.encode_image_positions``)
    states       (T, state_dim)      normalised state at each step
    actions      (T, action_dim)     action taken at each step (the action-token inputs)
    targets      (T, K, action_dim)  the K actions to predict at each step
    mask         (T, K)              1 where the target exists (not past the episode end)
    instruction  (text_dim,)         precomputed instruction embedding

The order is a seeded permutation per epoch, split over processes like ``DistributedSampler``,
and can start at any position, so a resumed run reads exactly the windows an uninterrupted run
would have read next.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Sampler

from arm4r_policy.errors import DatasetError
from arm4r_policy.model import ARM4RConfig, Normalizer

BATCH_KEYS: tuple[str, ...] = ("states", "actions", "targets", "mask", "instruction")
IMAGE_KEYS: tuple[str, ...] = ("images", "image_positions")  # a batch holds exactly one


@dataclass(frozen=True)
class DataRequest:
    """What a run asks its data source for."""

    roots: tuple[Path, ...]  # dataset directories
    # task -> how many of its first episodes to take (None: all); None takes every task found
    tasks: Mapping[str, int | None] | None = None
    split: str = "train"
    seed: int = 0
    normalizer: Normalizer | None = None  # statistics to reuse (a resumed run); None: fit them
    stats_file: Path | None = None  # where fitted statistics are cached, in the run directory
    # random crop of third-person views (the run's Recipe sets it); None: the augmentation's own
    crop_scale: tuple[float, float] | None = None
    state_noise: float | None = None  # std of the input-state noise; None: DataOptions'


@dataclass(frozen=True)
class TrainingData:
    """A dataset of windows and the normalisation its states and actions went through."""

    dataset: Dataset
    normalizer: Normalizer  # stored with every checkpoint, so the policy normalises alike
    description: str = ""  # one line for the logs and the run summary
    epoch_keys: bool = False  # items are read as dataset[(epoch, index)], not dataset[index]
    worker_init: Callable[[int], None] | None = None  # run in each loader worker at its start


# Builds the training data for a model configuration; the CLI's default reads datasets from disk.
DataFactory = Callable[[ARM4RConfig, DataRequest], TrainingData]


def check_batch(batch: Mapping[str, torch.Tensor], config: ARM4RConfig) -> None:
    """Raise ``DatasetError`` naming the first key that is missing or breaks the contract."""
    missing = [key for key in BATCH_KEYS if key not in batch]
    if missing:
        raise DatasetError(f"batch: missing key {missing[0]!r}; expected keys {BATCH_KEYS}")
    image_keys = [key for key in IMAGE_KEYS if key in batch]
    if len(image_keys) != 1:
        raise DatasetError(f"batch: expected exactly one of {IMAGE_KEYS}, got {image_keys}")
    B, T = batch["states"].shape[:2]
    V, S, K, a = config.num_cameras, config.image_size, config.horizon, config.action_dim
    image_shapes = {"images": (B, T, V, 3, S, S), "image_positions": (B, T, V, config.keypoints, 2)}
    expected = {
        image_keys[0]: image_shapes[image_keys[0]],
        "states": (B, T, config.state_dim),
        "actions": (B, T, a),
        "targets": (B, T, K, a),
        "mask": (B, T, K),
        "instruction": (B, config.text_dim),
    }
    for key, shape in expected.items():
        tensor = batch[key]
        if tuple(tensor.shape) != shape or not tensor.is_floating_point():
            raise DatasetError(
                f"batch[{key!r}]: expected a float tensor of shape {shape}, got "
                f"{tensor.dtype} {tuple(tensor.shape)}"
            )
    if config.context < T:
        raise DatasetError(f"batch: windows of {T} steps exceed the context C={config.context}")


class ResumableSampler(Sampler):
    """This process's share of a seeded permutation per epoch, from any position in it.

    Process r of W reads items r, r + W, r + 2W, ... of the epoch's permutation (the tail that
    does not split evenly is dropped), so after n items per process the run as a whole has read
    the permutation's first n x W items, whatever W is. With ``epoch_keys`` it yields
    ``(epoch, index)`` keys, for datasets that draw each epoch's randomness from them.
    """

    def __init__(
        self, dataset: Dataset, rank: int, world_size: int, seed: int, epoch_keys: bool = False
    ) -> None:
        self._share = DistributedSampler(
            dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed, drop_last=True
        )
        self._skip = 0
        self._epoch = 0
        self._epoch_keys = epoch_keys

    def set_position(self, epoch: int, skip: int = 0) -> None:
        """Read epoch ``epoch``'s permutation, leaving out this process's first ``skip`` items."""
        self._share.set_epoch(epoch)
        self._epoch, self._skip = epoch, skip

    def __iter__(self) -> Iterator[int | tuple[int, int]]:
        indices = itertools.islice(iter(self._share), self._skip, None)
        if self._epoch_keys:
            return ((self._epoch, index) for index in indices)
        return indices

    def __len__(self) -> int:
        return len(self._share) - self._skip

    @property
    def items_per_epoch(self) -> int:
        """Items this process reads in a whole epoch."""
        return len(self._share)


def training_loader(
    data: TrainingData,
    sampler: ResumableSampler,
    micro_batch: int,
    seed: tuple[int, ...],
    num_workers: int = 0,
    pin_memory: bool = False,
) -> DataLoader:
    """The run's loader of full micro-batches; each ``iter()`` reads the sampler's position.

    Workers persist across epochs (keeping what the dataset caches). ``seed`` (run seed, rank)
    seeds the loader's own generator, from which torch draws worker seeds, so making an iterator
    never draws from the global torch generator: a resumed run's random streams stay those of
    the uninterrupted run.
    """
    state = np.random.SeedSequence(seed).generate_state(1)[0]
    return DataLoader(
        data.dataset,
        batch_size=micro_batch,
        sampler=sampler,
        drop_last=True,
        num_workers=num_workers,
        persistent_workers=num_workers > 0,
        worker_init_fn=data.worker_init if num_workers > 0 else None,
        pin_memory=pin_memory,
        generator=torch.Generator().manual_seed(int(state)),
    )
