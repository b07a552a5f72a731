import logging

import pytest
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.model.checkpoint import load_weights
from arm4r_training.train import DataRequest, DistributedContext, RunSpec, prepare_run

from .builders import run_options, small_config, synthetic_factory

CPU = DistributedContext(torch.device("cpu"))
STATE_SPECIFIC = ("state_encoder", "action_encoder", "head")


def trained_checkpoint(out, stage, init=None):
    """The checkpoint of a two-step run of ``stage``."""
    mode = "control" if stage == 3 else "points"
    spec = RunSpec(stage, DataRequest(roots=()), run_options(out), model=small_config(mode),
                   recipe_values={"batch_size": 4, "steps": 2}, init=init)  # fmt: skip
    return prepare_run(spec, CPU, synthetic_factory(size=8)).run().checkpoint


def stage3_trainer(out, init):
    spec = RunSpec(3, DataRequest(roots=()), run_options(out), model=small_config("control"),
                   recipe_values={"batch_size": 4, "steps": 2}, init=init)  # fmt: skip
    return prepare_run(spec, CPU, synthetic_factory(size=8))


def test_a_stage2_checkpoint_initialises_stage3_with_all_but_encoders_and_head(tmp_path, caplog):
    checkpoint = trained_checkpoint(tmp_path / "stage2", stage=2)
    stage2 = load_weights(checkpoint)
    with caplog.at_level(logging.INFO, logger="arm4r_training"):
        trainer = stage3_trainer(tmp_path / "stage3", init=checkpoint)
    assert f"stage transfer from {checkpoint}" in caplog.text
    weights = trainer.model.state_dict()
    shared = [name for name in weights if name.split(".")[0] not in STATE_SPECIFIC]
    assert any(name.startswith("transformer.") for name in shared)
    for name in shared:
        assert torch.equal(weights[name], stage2[name]), name
    for name in set(weights) - set(shared):
        differs = weights[name].shape != stage2[name].shape
        assert differs or not torch.equal(weights[name], stage2[name]), name


def test_a_same_mode_checkpoint_continues_from_every_weight(tmp_path):
    checkpoint = trained_checkpoint(tmp_path / "first", stage=3)
    trainer = stage3_trainer(tmp_path / "second", init=checkpoint)
    source = load_weights(checkpoint)
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(tensor, source[name]), name


def test_a_control_checkpoint_cannot_initialise_point_pretraining(tmp_path):
    checkpoint = trained_checkpoint(tmp_path / "control", stage=3)
    with pytest.raises(ConfigError, match="control model, which cannot initialise a points"):
        trained_checkpoint(tmp_path / "points", stage=2, init=checkpoint)


def test_a_model_whose_mode_does_not_fit_the_stage_is_refused(tmp_path):
    spec = RunSpec(3, DataRequest(roots=()), run_options(tmp_path), model=small_config("points"))
    with pytest.raises(ConfigError, match="Stage 3 trains a control model"):
        prepare_run(spec, CPU, synthetic_factory())


def test_init_from_a_run_directory_takes_its_latest_checkpoint(tmp_path):
    checkpoint = trained_checkpoint(tmp_path / "stage2", stage=2)
    trainer = stage3_trainer(tmp_path / "stage3", init=tmp_path / "stage2")
    assert torch.equal(
        trainer.model.state_dict()["transformer.norm.weight"],
        load_weights(checkpoint)["transformer.norm.weight"],
    )
