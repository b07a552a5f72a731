import random

import numpy as np
import pytest
import torch

from arm4r_policy.errors import CheckpointError
from arm4r_policy.model import ARM4R, Normalizer, load_checkpoint
from arm4r_training.train import TrainingState, find_checkpoint, read_training_state
from arm4r_training.train.state import (
    LATEST,
    TRAINING_STATE,
    capture_rng,
    restore_rng,
    write_checkpoint,
)

from .builders import small_config

CPU = torch.device("cpu")


def draws():
    legacy_numpy = np.random.rand(3).tolist()  # noqa: NPY002 - the global state under test
    return torch.rand(3).tolist(), legacy_numpy, [random.random() for _ in range(3)]


def saved_state(step: int) -> TrainingState:
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.ones(2))])
    return TrainingState(step, 5, {"stage": 3}, optimizer.state_dict(), [capture_rng(CPU)])


def test_restoring_captured_random_states_repeats_torch_numpy_and_python_draws():
    np.random.randn()  # noqa: NPY002 - leaves a cached Gaussian in the global numpy state
    rng = capture_rng(CPU)
    first = draws()
    restore_rng(rng, CPU)
    assert draws() == first


def test_a_checkpoint_is_a_loadable_model_plus_a_state_read_without_unpickling_code(tmp_path):
    model = ARM4R(small_config())
    directory = write_checkpoint(tmp_path, model, Normalizer.identity(10, 10), saved_state(4))
    loaded, _ = load_checkpoint(directory)
    assert torch.equal(loaded.head.fc2.weight, model.head.fc2.weight)
    raw = torch.load(directory / TRAINING_STATE, weights_only=True)
    assert raw["step"] == 4
    assert raw["steps_per_epoch"] == 5
    state = read_training_state(directory)
    assert torch.equal(state.rng[0]["torch"], raw["rng"][0]["torch"])


def test_latest_names_the_newest_checkpoint_and_resume_finds_it_from_the_run_directory(tmp_path):
    model, normalizer = ARM4R(small_config()), Normalizer.identity(10, 10)
    write_checkpoint(tmp_path, model, normalizer, saved_state(2))
    newest = write_checkpoint(tmp_path, model, normalizer, saved_state(4))
    assert (tmp_path / "checkpoints" / LATEST).read_text().strip() == newest.name
    assert find_checkpoint(tmp_path) == newest
    assert find_checkpoint(tmp_path / "checkpoints") == newest
    assert find_checkpoint(tmp_path / "checkpoints" / "step_00000002").name == "step_00000002"
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == [
        LATEST,
        "step_00000002",
        "step_00000004",
    ]  # no staging files left behind


def test_a_directory_without_training_state_is_refused_by_name(tmp_path):
    with pytest.raises(CheckpointError, match=str(tmp_path)):
        find_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match=TRAINING_STATE):
        read_training_state(tmp_path)


def test_a_corrupt_training_state_is_refused(tmp_path):
    (tmp_path / TRAINING_STATE).write_bytes(b"not a torch file")
    with pytest.raises(CheckpointError, match="unreadable"):
        read_training_state(tmp_path)
