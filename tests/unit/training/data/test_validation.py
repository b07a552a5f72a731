"""Bad episodes are skipped with one warning and counted, or raise if strict; nothing is written."""

import logging
import shutil

import numpy as np
import pytest

from arm4r_policy.collect.arrays import write_array
from arm4r_policy.collect.episode import encode_jpeg
from arm4r_policy.collect.layout import (
    ACTION_FILE,
    IMAGES_DIR,
    INSTRUCTION_EMBEDDING_FILE,
    PROPRIO_FILE,
    WRIST_CAMERA,
)
from arm4r_policy.errors import DatasetError
from arm4r_training.data import DataOptions, build_dataset, make_loader
from tests.unit.training.data.builders import (
    control_config,
    image,
    trajectory,
    tree_digest,
    write_authors,
    write_ours,
)

LOGGER = "arm4r_training.data"


def _replace_array(path, values):
    shutil.rmtree(path)
    write_array(path, values)


def _frame(episode, step=5):
    return episode / IMAGES_DIR / WRIST_CAMERA / f"{step:05d}.jpg"


def _authors(root):
    return write_authors(root, "episode_bad", seed=1)


def lengths_disagree(root):
    episode = _authors(root)
    _replace_array(episode / ACTION_FILE, trajectory(29, seed=1))
    return episode


def not_a_number(root):
    states = trajectory(30, seed=1)
    states[5, 2] = np.nan
    return write_authors(root, "episode_bad", states=states, seed=1)


def too_short(root):
    return write_authors(root, "episode_bad", states=trajectory(20, seed=1), seed=1)


def missing_frame(root):
    episode = _authors(root)
    _frame(episode).unlink()
    return episode


def unreadable_image(root):
    episode = _authors(root)
    _frame(episode).write_bytes(b"not a jpeg")
    return episode


def truncated_image(root):
    episode = _authors(root)
    data = _frame(episode).read_bytes()
    _frame(episode).write_bytes(data[: len(data) // 2])
    return episode


def wrong_image_size(root):
    episode = _authors(root)
    _frame(episode).write_bytes(encode_jpeg(image("ego", 5, size=(48, 32))))
    return episode


def missing_camera(root):
    episode = _authors(root)
    shutil.rmtree(episode / IMAGES_DIR / WRIST_CAMERA)
    return episode


def bad_instruction(root):
    episode = _authors(root)
    _replace_array(episode / INSTRUCTION_EMBEDDING_FILE, np.zeros(256, dtype=np.float32))
    return episode


def ours_with_wrong_image_size(root):
    episode = write_ours(root, seed=1)
    _frame(episode, 7).write_bytes(encode_jpeg(image("ego", 7, size=(40, 40))))
    return episode


def ours_with_actions_not_the_next_states(root):
    episode = write_ours(root, seed=1)
    _replace_array(episode / ACTION_FILE, trajectory(30, seed=1))
    return episode


def ours_with_nan(root):
    episode = write_ours(root, seed=1)
    states = trajectory(30, seed=1)
    states[0, 0] = np.nan
    _replace_array(episode / PROPRIO_FILE, states)
    return episode


CASES = [
    (lengths_disagree, "one length"),
    (not_a_number, "non-finite"),
    (too_short, "20 steps; expected 30 to 450"),
    (missing_frame, "frame missing"),
    (unreadable_image, "not a complete JPEG"),
    (truncated_image, "not a complete JPEG"),
    (wrong_image_size, "48x32 px; expected 40x32"),
    (missing_camera, "no images of camera 'ego'"),
    (bad_instruction, "shape (256,)"),
    (ours_with_wrong_image_size, "40x40 px; expected 40x32"),
    (ours_with_actions_not_the_next_states, "expected the next state"),
    (ours_with_nan, "non-finite"),
]
IDS = [corrupt.__name__ for corrupt, _ in CASES]


@pytest.mark.parametrize(("corrupt", "reason"), CASES, ids=IDS)
def test_a_bad_episode_is_skipped_with_one_warning_and_counted(tmp_path, caplog, corrupt, reason):
    root = tmp_path / "dataset"
    good = write_authors(root, "episode_good", seed=0)
    bad = corrupt(root)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        dataset, summary = build_dataset(control_config(), root, split="all")
    assert list(summary.skipped) == [bad]
    assert reason in summary.skipped[bad]
    warnings = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name.startswith(LOGGER)
    ]
    assert len(warnings) == 1
    assert str(bad) in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert [episode.path for episode in dataset.episodes] == [good]
    assert (summary.episodes, summary.steps, summary.windows) == (1, 30, 30)


@pytest.mark.parametrize(("corrupt", "reason"), CASES, ids=IDS)
def test_strict_reading_raises_on_a_bad_episode(tmp_path, corrupt, reason):
    root = tmp_path / "dataset"
    write_authors(root, "episode_good", seed=0)
    corrupt(root)
    with pytest.raises(DatasetError, match="episode_bad|episode_000001") as raised:
        build_dataset(control_config(), root, split="all", options=DataOptions(strict=True))
    assert reason in str(raised.value)


def test_reading_training_and_loading_batches_leave_the_dataset_untouched(tmp_path, control_root):
    before = tree_digest(control_root)
    dataset, _ = build_dataset(
        control_config(),
        control_root,
        split="train",
        options=DataOptions(val_fraction=0.0, cache_bytes=1 << 20),
        stats_file=tmp_path / "run" / "normalization.json",
    )
    for _ in make_loader(dataset, batch_size=16, seed=0):
        pass
    assert (tmp_path / "run" / "normalization.json").is_file()
    with pytest.raises(DatasetError, match="the dataset is never modified"):
        build_dataset(control_config(), control_root, stats_file=control_root / "stats.json")
    assert tree_digest(control_root) == before
