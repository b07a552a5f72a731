"""Normalisation statistics of a training set, computed once and cached outside the dataset.

States are counted at every step of every episode, actions at every target that exists (each
step's K chunk entries inside the episode; the action tokens are the first of them), without
training noise. Moments are accumulated episode by episode in float64 (Chan et al.'s pairwise
update), so a point-track set far larger than memory is summarised as exactly as
``Normalizer.fit`` on everything at once: mean and unbiased standard deviation, floored at
``MIN_STD``.

The cache is a JSON file where the caller says (a run directory, never the dataset): it holds the
statistics and a fingerprint of what they were computed from (mode, horizon, relative actions,
point count and form, every episode's path and length) and is recomputed when that changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from arm4r_policy.collect.atomic import write_json_atomically
from arm4r_policy.errors import CheckpointError, DatasetError
from arm4r_policy.model.normalization import MIN_STD, Normalizer
from arm4r_training.data.targets import episode_window

if TYPE_CHECKING:
    from arm4r_training.data.dataset import WindowDataset

log = logging.getLogger(__name__)

STATS_FORMAT = "arm4r-normalization"


class _Moments:
    """Running count, mean and sum of squared deviations of (N, d) batches, in float64."""

    def __init__(self) -> None:
        self.count = 0
        self.mean: np.ndarray | float = 0.0
        self.squares: np.ndarray | float = 0.0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        if len(values) == 0:
            return
        count = len(values)
        mean = values.mean(axis=0)
        total = self.count + count
        delta = mean - self.mean
        self.squares = (
            self.squares
            + ((values - mean) ** 2).sum(axis=0)
            + delta**2 * (self.count * count / total)
        )
        self.mean = self.mean + delta * (count / total)
        self.count = total

    def mean_std(self) -> tuple[torch.Tensor, torch.Tensor]:
        """float32 mean and unbiased standard deviation (floored at ``MIN_STD``)."""
        std = np.sqrt(self.squares / max(self.count - 1, 1))
        return (
            torch.as_tensor(self.mean, dtype=torch.float32),
            torch.as_tensor(std, dtype=torch.float32).clamp_min(MIN_STD),
        )


def compute_normalizer(dataset: WindowDataset) -> Normalizer:
    """Statistics of every state and every existing target of the dataset's episodes."""
    states, actions = _Moments(), _Moments()
    for episode in dataset.episodes:
        arrays = episode_window(episode, np.arange(episode.num_steps), dataset.config)
        states.add(arrays.states)
        actions.add(arrays.targets[arrays.mask > 0])
    if states.count < 2:
        raise DatasetError(f"normalisation statistics need >= 2 steps; found {states.count}")
    return Normalizer(*states.mean_std(), *actions.mean_std())


def fingerprint(dataset: WindowDataset) -> str:
    """A hash of everything the statistics depend on."""
    config = dataset.config
    document = {
        "mode": config.mode,
        "horizon": config.horizon,
        "relative_actions": config.relative_actions,
        "num_points": config.num_points,
        "episodes": [
            [str(e.path.resolve()), e.num_steps, e.points.form if e.points else None]
            for e in dataset.episodes
        ],
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def fit_normalizer(dataset: WindowDataset, cache_file: Path | None = None) -> Normalizer:
    """The dataset's normalisation statistics, read from ``cache_file`` when it matches.

    Args:
        dataset: the training set.
        cache_file: a JSON file outside every dataset root; written when missing or stale.

    Raises:
        DatasetError: ``cache_file`` lies inside a dataset root (the dataset is never written).
    """
    if cache_file is None:
        return compute_normalizer(dataset)
    cache_file = Path(cache_file)
    _refuse_inside_roots(cache_file, dataset.roots)
    key = fingerprint(dataset)
    cached = _read_cache(cache_file, key, dataset)
    if cached is not None:
        return cached
    normalizer = compute_normalizer(dataset)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(
        cache_file,
        {
            "format": STATS_FORMAT,
            "fingerprint": key,
            "episodes": len(dataset.episodes),
            "normalizer": normalizer.to_dict(),
        },
    )
    log.info(
        "normalisation statistics of %d episodes written to %s", len(dataset.episodes), cache_file
    )
    return normalizer


def _read_cache(cache_file: Path, key: str, dataset: WindowDataset) -> Normalizer | None:
    if not cache_file.is_file():
        return None
    try:
        document = json.loads(cache_file.read_text(encoding="utf-8"))
        if document.get("format") != STATS_FORMAT or document.get("fingerprint") != key:
            log.info("%s: statistics of another dataset; recomputing", cache_file)
            return None
        normalizer = Normalizer.from_dict(document["normalizer"], str(cache_file))
        normalizer.check_dims(dataset.config.state_dim, dataset.config.action_dim, str(cache_file))
    except (OSError, ValueError, KeyError, AttributeError, CheckpointError) as error:
        log.warning("%s: unreadable statistics (%s); recomputing", cache_file, error)
        return None
    return normalizer


def _refuse_inside_roots(cache_file: Path, roots: tuple[Path, ...]) -> None:
    target = cache_file.resolve()
    for root in roots:
        if target.is_relative_to(Path(root).resolve()):
            raise DatasetError(
                f"{cache_file}: inside the dataset root {root}; statistics are written elsewhere "
                "(e.g. the run directory), the dataset is never modified"
            )
