"""Resuming a collection: whole episodes kept, a killed run's leftovers removed, foreign refused."""

import json
from glob import glob
from pathlib import Path

import numpy as np
import pytest

from arm4r_policy.collect import Collection, write_episode
from arm4r_policy.errors import DatasetError
from tests.unit.collect.episodes import make_episode, make_frames, make_meta, tree

TASK, VARIATION, CELL = "pick_cube", "yellow", "kinova"
FAILING_SEEDS = {1, 4}


class Killed(BaseException):
    """Stands for the process being killed in the middle of writing an episode."""


def run(root, requested, kill_at=None):
    """A collection run in which every seed but FAILING_SEEDS succeeds; returns the seeds tried."""
    collection = Collection(root, TASK, VARIATION, CELL)
    tried = []
    for seed in collection.pending_seeds(requested):
        tried.append(seed)
        success = seed not in FAILING_SEEDS
        if success:
            frames = make_frames(30, seed)
            if seed == kill_at:
                frames = _killed_after(frames, 12)
            write_episode(
                collection.episode_path(seed), frames, make_meta(seed), np.zeros(512, np.float32)
            )
        collection.record(seed, success)
    return tried


def _killed_after(frames, count):
    for step, frame in enumerate(frames):
        if step == count:
            raise Killed
        yield frame


def manifest(root):
    return json.loads((root / TASK / VARIATION / CELL / ".collection.json").read_text())


def test_a_fresh_collection_tries_seeds_in_order_until_the_count_is_reached(tmp_path):
    assert run(tmp_path, requested=3) == [0, 1, 2, 3]
    collection = Collection(tmp_path, TASK, VARIATION, CELL)
    assert collection.episode_seeds == (0, 2, 3)
    assert collection.failed_seeds == (1,)
    assert manifest(tmp_path)["seeds_tried"] == [0, 1, 2, 3]
    assert manifest(tmp_path)["successes"] == [0, 2, 3]
    assert manifest(tmp_path)["failures"] == [1]


def test_episodes_sit_where_the_public_reader_looks_for_them(tmp_path):
    run(tmp_path, requested=2)
    # The public reader's globs (glob.glob skips hidden names, unlike pathlib's before 3.13):
    # episodes by **/*proprio.zarr, per task by <dataset>/<task>/*/*/*.
    found = sorted(Path(p).parent for p in glob(f"{tmp_path}/**/*proprio.zarr", recursive=True))
    assert found == sorted(Path(p) for p in glob(f"{tmp_path}/{TASK}/*/*/*"))
    assert [p.name for p in found] == ["episode_000000", "episode_000002"]


def test_a_run_killed_mid_episode_resumes_to_the_requested_count_with_the_next_seeds(tmp_path):
    with pytest.raises(Killed):
        run(tmp_path, requested=4, kill_at=3)
    collection_dir = tmp_path / TASK / VARIATION / CELL
    assert sorted(p.name for p in collection_dir.iterdir()) == [
        ".collection.json",
        "episode_000000",
        "episode_000002",
    ]
    # And a run killed harder (SIGKILL) leaves its staging directory behind.
    stale = collection_dir / ".episode_000003.partial-0123456789ab"
    (stale / "images" / "wrist_image_left").mkdir(parents=True)
    (stale / "images" / "wrist_image_left" / "00000.jpg").write_bytes(b"\xff\xd8")

    assert run(tmp_path, requested=4) == [3, 4, 5]
    collection = Collection(tmp_path, TASK, VARIATION, CELL)
    assert collection.episode_seeds == (0, 2, 3, 5)
    assert collection.failed_seeds == (1, 4)
    assert not [p for p in collection_dir.iterdir() if ".partial-" in p.name]


def test_an_episode_finished_but_not_recorded_is_counted_on_resume(tmp_path):
    run(tmp_path, requested=1)
    make_episode(tmp_path / TASK / VARIATION / CELL / "episode_000001", seed=1)
    collection = Collection(tmp_path, TASK, VARIATION, CELL)
    assert collection.episode_seeds == (0, 1)
    assert collection.next_seed() == 2
    assert manifest(tmp_path)["successes"] == [0, 1]


def test_a_complete_collection_asks_for_no_more_seeds(tmp_path):
    run(tmp_path, requested=2)
    assert run(tmp_path, requested=2) == []


def test_every_seed_must_be_recorded_before_the_next_is_given(tmp_path):
    seeds = Collection(tmp_path, TASK, VARIATION, CELL).pending_seeds(2)
    next(seeds)
    with pytest.raises(DatasetError, match="seed 0 was not recorded"):
        next(seeds)


def test_a_success_without_its_episode_is_refused(tmp_path):
    collection = Collection(tmp_path, TASK, VARIATION, CELL)
    with pytest.raises(DatasetError, match="episode_000000: exists = False"):
        collection.record(0, success=True)


def test_collection_gives_up_after_max_attempts(tmp_path):
    collection = Collection(tmp_path, TASK, VARIATION, CELL)
    seeds = collection.pending_seeds(5, max_attempts=3)
    for _ in range(3):
        collection.record(next(seeds), success=False)
    with pytest.raises(DatasetError, match="3 seeds tried in this run, 0 of 5"):
        next(seeds)


def _put_file(root, relative):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("my notes")


@pytest.mark.parametrize(
    "foreign",
    [
        f"{TASK}/{VARIATION}/{CELL}/notes.txt",
        f"{TASK}/{VARIATION}/{CELL}/episode_000009/proprio.txt",  # an episode without meta.json
        f"{TASK}/{VARIATION}/{CELL}/.hidden",
        "README.md",
        f"{TASK}/data.csv",
    ],
)
def test_a_directory_with_foreign_files_is_refused_and_left_untouched(tmp_path, foreign):
    run(tmp_path, requested=1)
    stale = tmp_path / TASK / VARIATION / CELL / ".episode_000001.partial-0123456789ab"
    stale.mkdir()
    _put_file(tmp_path, foreign)
    before = tree(tmp_path)
    with pytest.raises(DatasetError, match="Nothing was changed"):
        Collection(tmp_path, TASK, VARIATION, CELL)
    assert tree(tmp_path) == before


def test_an_episode_of_another_collection_is_refused(tmp_path):
    make_episode(tmp_path / TASK / VARIATION / CELL / "episode_000000", variation="cyan")
    with pytest.raises(DatasetError, match="episode_000000: an episode of"):
        Collection(tmp_path, TASK, VARIATION, CELL)


def test_a_corrupt_manifest_is_refused(tmp_path):
    run(tmp_path, requested=1)
    path = tmp_path / TASK / VARIATION / CELL / ".collection.json"
    path.write_text('{"format": "arm4r-collection", "successes": "all"}')
    with pytest.raises(DatasetError, match=".collection.json: not the arm4r-collection manifest"):
        Collection(tmp_path, TASK, VARIATION, CELL)
