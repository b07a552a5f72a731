"""Finding, selecting and splitting episodes: the public reader's rules, seeded and stable."""

import pytest

from arm4r_policy.collect.layout import PROPRIO_FILE
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_training.data import DataOptions, build_dataset
from arm4r_training.data.discovery import find_episodes, select_tasks, split_episodes
from tests.unit.training.data.builders import control_config, write_authors, write_ours


def _layout(root, tasks):
    """Empty episode directories: only what discovery looks at."""
    for task, count in tasks.items():
        for index in range(count):
            (root / task / "a" / "b" / f"episode_{index:03d}" / PROPRIO_FILE).mkdir(parents=True)


def test_episodes_are_found_by_their_proprio_array_and_grouped_by_task(tmp_path):
    _layout(tmp_path, {"stack": 2, "pick_cube": 3})
    (tmp_path / "pick_cube" / "a" / ".episode_tmp" / PROPRIO_FILE).mkdir(parents=True)
    found = find_episodes([tmp_path], [PROPRIO_FILE])
    assert list(found) == ["pick_cube", "stack"]
    assert [path.name for path in found["pick_cube"]] == [
        "episode_000",
        "episode_001",
        "episode_002",
    ]


def test_a_task_selection_takes_the_first_episodes_of_each_named_task(tmp_path):
    _layout(tmp_path, {"stack": 2, "pick_cube": 3})
    found = find_episodes([tmp_path], [PROPRIO_FILE])
    selected = select_tasks(found, {"pick_cube": 2, "stack": None})
    assert [path.name for path in selected["pick_cube"]] == ["episode_000", "episode_001"]
    assert len(selected["stack"]) == 2
    with pytest.raises(ConfigError, match="'push_buttons'"):
        select_tasks(found, {"push_buttons": 1})


def test_train_and_val_splits_are_disjoint_seeded_and_cover_every_episode(tmp_path):
    _layout(tmp_path, {"stack": 10, "pick_cube": 20})
    selected = select_tasks(find_episodes([tmp_path], [PROPRIO_FILE]), None)
    train = split_episodes(selected, "train", 0.2, seed=0)
    val = split_episodes(selected, "val", 0.2, seed=0)
    assert len(val) == 6
    assert not set(train) & set(val)
    assert sorted(train + val) == sorted(split_episodes(selected, "all", 0.2, seed=0))
    assert split_episodes(selected, "val", 0.2, seed=0) == val
    assert split_episodes(selected, "val", 0.2, seed=1) != val


def test_adding_a_task_leaves_the_split_of_the_others_unchanged(tmp_path):
    _layout(tmp_path, {"pick_cube": 20})
    before = split_episodes(
        select_tasks(find_episodes([tmp_path], [PROPRIO_FILE]), None), "val", 0.3, 0
    )
    _layout(tmp_path, {"stack": 10})
    after = split_episodes(
        select_tasks(find_episodes([tmp_path], [PROPRIO_FILE]), None), "val", 0.3, 0
    )
    assert [pair for pair in after if pair[0] == "pick_cube"] == before


def test_both_layouts_are_read_side_by_side_under_one_root(control_root):
    _, summary = build_dataset(control_config(), control_root, split="all")
    assert summary.tasks == {"pick_cube": 3}
    assert not summary.skipped


def test_several_roots_merge_their_tasks(tmp_path):
    write_ours(tmp_path / "ours", seed=0)
    write_authors(tmp_path / "theirs", seed=1)
    write_authors(tmp_path / "theirs", "episode_b", task="stack", seed=2)
    _, summary = build_dataset(
        control_config(), [tmp_path / "ours", tmp_path / "theirs"], split="all"
    )
    assert summary.tasks == {"pick_cube": 2, "stack": 1}


def test_an_empty_root_and_bad_options_are_refused(tmp_path):
    with pytest.raises(DatasetError, match="no episodes"):
        build_dataset(control_config(), tmp_path)
    with pytest.raises(ConfigError, match="val_fraction"):
        DataOptions(val_fraction=1.5)
    with pytest.raises(ConfigError, match="points_form"):
        DataOptions(points_form="pixels")
