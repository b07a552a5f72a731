"""Resumable collection: which seeds are done, which seed comes next, and the manifest saying so.

A collection is the directory of one task variation on one cell (``layout``). Seeds are tried in
increasing order from ``first_seed``; a successful seed leaves ``episode_<seed>/``, a failed one
only a line in the manifest ``.collection.json``. A run killed at any moment resumes to the
requested count: the seed that was in progress is simply tried again (a staging directory it left
is removed), and no finished episode is ever rewritten. One collector per collection directory at
a time.

Usage::

    collection = Collection(out, "pick_cube", "yellow", "kinova")
    for seed in collection.pending_seeds(190):
        ...run the procedure, recorder.finish(success, collection.episode_path(seed), ...)...
        collection.record(seed, success)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from arm4r_policy.collect.atomic import is_staging_name, write_json_atomically
from arm4r_policy.collect.layout import (
    MANIFEST_FILE,
    collection_directory,
    episode_dir_name,
    episode_seed,
)
from arm4r_policy.collect.validation import read_meta
from arm4r_policy.errors import ConfigError, DatasetError

MANIFEST_FORMAT = "arm4r-collection"
MANIFEST_VERSION = 1


def _foreign(path: Path, reason: str) -> DatasetError:
    return DatasetError(
        f"{path}: {reason}; a collection directory holds only episode_<seed> directories and "
        f"{MANIFEST_FILE}. Nothing was changed: choose an empty or collection output directory"
    )


def _check_tree_levels(root: Path, directory: Path) -> None:
    """``root`` and the levels down to ``directory`` hold only plainly named directories."""
    level = Path(root)
    for part in (None, *directory.relative_to(root).parts[:-1]):
        level = level if part is None else level / part
        if not level.exists():
            return
        if not level.is_dir() or level.is_symlink():
            raise _foreign(level, "not a directory")
        for entry in level.iterdir():
            if entry.is_symlink() or not entry.is_dir() or entry.name.startswith("."):
                raise _foreign(entry, "unexpected entry in the collection tree")


class Collection:
    """The episodes of one task variation on one cell: ``<root>/<task>/<variation>/<cell>/``.

    Opening checks, before changing anything, that the tree holds nothing but collections and
    that this directory holds only its episodes, its manifest and staging leftovers of a killed
    run; it then removes those leftovers and reconciles the manifest with the episodes on disk.

    Args:
        root: the collection output directory ``<out>``.
        task, variation, cell: the collection's names (directory names).
        first_seed: the first seed of a new collection.

    Raises:
        DatasetError: a foreign entry, an incomplete episode or a corrupt manifest; nothing is
            touched.
    """

    def __init__(
        self, root: Path, task: str, variation: str, cell: str, first_seed: int = 0
    ) -> None:
        if first_seed < 0:
            raise ConfigError(f"first_seed = {first_seed}; expected >= 0")
        self.task, self.variation, self.cell = task, variation, cell
        self.directory = collection_directory(root, task, variation, cell)
        self.first_seed = first_seed
        _check_tree_levels(Path(root), self.directory)
        on_disk, staging = self._scan()
        manifest = self._read_manifest()
        for entry in staging:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        self._successes = set(on_disk)
        self._failures = set(manifest["failures"]) - self._successes
        self._tried = set(manifest["seeds_tried"]) | self._successes | self._failures
        if self.directory.is_dir() and self._manifest() != manifest:
            self._write_manifest()

    def _scan(self) -> tuple[list[int], list[Path]]:
        """Seeds of the whole episodes here and the staging leftovers; refuses anything else."""
        seeds, staging = [], []
        if not self.directory.exists():
            return seeds, staging
        if not self.directory.is_dir():
            raise _foreign(self.directory, "not a directory")
        for entry in sorted(self.directory.iterdir()):
            seed = episode_seed(entry.name)
            if is_staging_name(entry.name) and not entry.is_symlink():
                staging.append(entry)
            elif entry.name == MANIFEST_FILE and entry.is_file():
                continue
            elif seed is None or entry.is_symlink() or not entry.is_dir():
                raise _foreign(entry, "not an episode")
            else:
                self._check_episode(entry, seed)
                seeds.append(seed)
        return seeds, staging

    def _check_episode(self, path: Path, seed: int) -> None:
        try:
            meta, _, _ = read_meta(path)
        except DatasetError as error:
            raise _foreign(path, f"not a complete episode ({error})") from error
        found = (meta.task, meta.variation, meta.cell, meta.seed)
        expected = (self.task, self.variation, self.cell, seed)
        if found != expected:
            raise _foreign(path, f"an episode of (task, variation, cell, seed) {found}")

    def _read_manifest(self) -> dict:
        path = self.directory / MANIFEST_FILE
        if not path.is_file():
            return {"failures": [], "seeds_tried": []}
        names = (self.task, self.variation, self.cell)
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            ok = (
                manifest["format"] == MANIFEST_FORMAT
                and (manifest["task"], manifest["variation"], manifest["cell"]) == names
                and all(
                    isinstance(seed, int) and seed >= 0
                    for key in ("successes", "failures", "seeds_tried")
                    for seed in manifest[key]
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise _foreign(path, f"not the {MANIFEST_FORMAT} manifest of {names}")
        return manifest

    def _manifest(self) -> dict:
        return {
            "format": MANIFEST_FORMAT,
            "format_version": MANIFEST_VERSION,
            "task": self.task,
            "variation": self.variation,
            "cell": self.cell,
            "successes": sorted(self._successes),
            "failures": sorted(self._failures),
            "seeds_tried": sorted(self._tried),
        }

    def _write_manifest(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        write_json_atomically(self.directory / MANIFEST_FILE, self._manifest())

    @property
    def episode_seeds(self) -> tuple[int, ...]:
        """Seeds of the episodes on disk, ascending."""
        return tuple(sorted(self._successes))

    @property
    def failed_seeds(self) -> tuple[int, ...]:
        return tuple(sorted(self._failures))

    @property
    def num_episodes(self) -> int:
        return len(self._successes)

    def episode_path(self, seed: int) -> Path:
        """Where the episode of ``seed`` is written."""
        return self.directory / episode_dir_name(seed)

    def next_seed(self) -> int:
        """The seed after every seed tried so far (``first_seed`` for a new collection)."""
        return max([self.first_seed - 1, *self._tried]) + 1

    def record(self, seed: int, success: bool) -> None:
        """Record the outcome of ``seed`` in the manifest (written atomically).

        Raises:
            DatasetError: ``seed`` was already recorded, or its episode directory disagrees with
                ``success`` (a success must have written its episode, a failure must not have).
        """
        if seed in self._tried:
            raise DatasetError(f"{self.directory}: seed {seed} is already recorded")
        written = self.episode_path(seed).is_dir()
        if written != success:
            raise DatasetError(
                f"{self.episode_path(seed)}: exists = {written}; expected {success} for a "
                f"{'successful' if success else 'failed'} seed"
            )
        (self._successes if success else self._failures).add(seed)
        self._tried.add(seed)
        self._write_manifest()

    def pending_seeds(self, requested: int, max_attempts: int | None = None) -> Iterator[int]:
        """Seeds to try, in order, until ``requested`` episodes exist; ``record`` each one.

        Args:
            requested: the number of episodes wanted in total (those already here count).
            max_attempts: give up after this many seeds in this call.

        Raises:
            DatasetError: a yielded seed was not recorded before the next was asked for, or
                ``max_attempts`` seeds did not give enough episodes.
        """
        if requested < 0 or (max_attempts is not None and max_attempts < 1):
            raise ConfigError(
                f"requested = {requested}, max_attempts = {max_attempts}; expected >= 0 and >= 1"
            )
        attempts = 0
        while self.num_episodes < requested:
            if max_attempts is not None and attempts >= max_attempts:
                raise DatasetError(
                    f"{self.directory}: {attempts} seeds tried in this run, "
                    f"{self.num_episodes} of {requested} episodes; giving up"
                )
            seed = self.next_seed()
            yield seed
            if seed not in self._tried:
                raise DatasetError(
                    f"{self.directory}: seed {seed} was not recorded; call record(seed, success) "
                    "before taking the next seed"
                )
            attempts += 1
