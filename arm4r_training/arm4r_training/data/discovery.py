"""Finding episodes under dataset roots, grouping them by task, selecting and splitting them.

The public reader's rules: an episode is a directory holding ``proprio.zarr`` (``**/proprio.zarr``;
a point clip holds ``points.zarr`` or ``points_uvd.zarr`` instead), its task is the first
directory under the dataset root (``<root>/<task>/<a>/<b>/<episode>``), and a ``{task: count}``
selection takes the first ``count`` episodes of each task. Hidden directories (a writer's staging
area, the collection manifest) are never entered. Episodes are ordered by path, so selection and
split depend only on the names found and the seed, never on the file system's listing order or on
which episodes later turn out unreadable: the train and val splits of one seed never overlap.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from arm4r_policy.errors import ConfigError, DatasetError

Split = Literal["train", "val", "all"]
SPLITS: tuple[str, ...] = ("train", "val", "all")


def find_episodes(roots: Sequence[Path], markers: Iterable[str]) -> dict[str, list[Path]]:
    """Task -> episode directories (sorted) under ``roots``: those holding any of ``markers``.

    Symbolic links to directories are followed (each real directory is visited once); an episode
    directory is not searched further.
    """
    markers = frozenset(markers)
    found: dict[str, list[Path]] = {}
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            raise DatasetError(f"{root}: dataset root is not a directory")
        visited: set[str] = set()
        for directory, subdirs, files in os.walk(root, followlinks=True):
            real = os.path.realpath(directory)
            if real in visited:
                subdirs[:] = []
                continue
            visited.add(real)
            if markers.isdisjoint(subdirs) and markers.isdisjoint(files):
                subdirs[:] = [name for name in subdirs if not name.startswith(".")]
                continue
            subdirs[:] = []
            relative = Path(directory).relative_to(root)
            task = relative.parts[0] if len(relative.parts) > 1 else root.name
            found.setdefault(task, []).append(Path(directory))
    return {task: sorted(paths) for task, paths in sorted(found.items())}


def select_tasks(
    found: Mapping[str, list[Path]], tasks: Mapping[str, int | None] | None
) -> dict[str, list[Path]]:
    """The first ``count`` episodes of each task in ``tasks`` (None: all; a None count: all)."""
    if tasks is None:
        return {task: list(paths) for task, paths in found.items()}
    missing = sorted(set(tasks) - set(found))
    if missing:
        raise ConfigError(f"tasks {missing} have no episodes; found tasks: {sorted(found)}")
    selected = {}
    for task, count in tasks.items():
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ConfigError(f"tasks[{task!r}] = {count!r}; expected a positive count or None")
        selected[task] = list(found[task][:count])
    return selected


def split_episodes(
    selected: Mapping[str, list[Path]], split: Split, val_fraction: float, seed: int
) -> list[tuple[str, Path]]:
    """(task, episode) of one split, per task: ``round(val_fraction * n)`` to val, the rest train.

    Each task is shuffled with its own generator, seeded by ``seed`` and the task name, so adding
    a task leaves the others' splits unchanged.
    """
    if split not in SPLITS:
        raise ConfigError(f"split = {split!r}; expected one of {SPLITS}")
    chosen = []
    for task, paths in selected.items():
        order = np.random.default_rng([seed, zlib.crc32(task.encode())]).permutation(len(paths))
        num_val = round(val_fraction * len(paths))
        picked = {"train": order[num_val:], "val": order[:num_val], "all": order}[split]
        chosen.extend((task, paths[index]) for index in sorted(picked))
    return chosen
