import json

import pytest
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import load_checkpoint
from arm4r_training.train import (
    DataRequest,
    DistributedContext,
    RunSpec,
    WarmupCosine,
    find_checkpoint,
    prepare_run,
    read_training_state,
)
from arm4r_training.train.progress import SUMMARY

from .builders import run_options, small_config, synthetic_factory

CPU = DistributedContext(torch.device("cpu"))
DATA = DataRequest(roots=())


def train(out, stage=3, size=32, state_noise=0.0, resume=None, **recipe_and_options):
    """Run a tiny training; returns (summary, [StepMetrics of every step])."""
    option_names = ("checkpoint_every", "max_steps", "num_workers")
    options = run_options(out, **{k: v for k, v in recipe_and_options.items() if k in option_names})
    recipe = {k: v for k, v in recipe_and_options.items() if k not in option_names}
    mode = "control" if stage == 3 else "points"
    spec = RunSpec(stage, DATA, options, model=None if resume else small_config(mode),
                   recipe_values=recipe, resume=resume)  # fmt: skip
    steps = []
    trainer = prepare_run(spec, CPU, synthetic_factory(size, state_noise), on_step=steps.append)
    return trainer.run(), steps


def test_a_tiny_stage3_run_lowers_the_loss(tmp_path):
    summary, steps = train(tmp_path, lr=3e-3, batch_size=4, steps=30, warmup_steps=3)
    losses = [s.loss for s in steps]
    assert len(losses) == 30
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.6 * first, (first, last)
    assert summary.final_loss == losses[-1]


def test_every_step_uses_the_scheduled_learning_rate(tmp_path):
    _, steps = train(tmp_path, lr=1e-3, batch_size=8, steps=10, warmup_steps=3)
    schedule = WarmupCosine(1e-3, 3, 10)
    assert [s.lr for s in steps] == [schedule.lr(i) for i in range(10)]
    assert [s.step for s in steps] == list(range(1, 11))


def test_an_epoch_based_schedule_counts_steps_from_the_dataset_and_global_batch(tmp_path):
    # 32 windows / batch 8 = 4 steps per epoch; 2.5 epochs -> 10 steps, warm-up 1.25 -> 5
    summary, steps = train(tmp_path, batch_size=8, epochs=2.5, warmup_epochs=1.25)
    assert summary.total_steps == 10
    assert [s.epoch for s in steps] == [0] * 4 + [1] * 4 + [2] * 2
    assert steps[4].lr == pytest.approx(summary.recipe["lr"])


def test_resuming_repeats_the_uninterrupted_run_bit_for_bit(tmp_path):
    # 12 windows, batch 4 in 2 micro-batches: 3 steps per epoch; the stop falls mid-epoch 1 and
    # the dataset draws state noise and the loop action dropout from the global generator,
    # which the resume must restore
    recipe = dict(size=12, state_noise=0.05, batch_size=4, micro_batch=2, steps=7, warmup_steps=2,
                  lr=1e-3, seed=7, action_dropout=0.3)  # fmt: skip
    _, whole = train(tmp_path / "whole", **recipe)
    _, head = train(tmp_path / "split", max_steps=4, **recipe)
    _, tail = train(tmp_path / "split", resume=tmp_path / "split", **recipe)

    assert [s.step for s in head + tail] == list(range(1, 8))
    assert [s.loss for s in head + tail] == [s.loss for s in whole]
    assert [s.grad_norm for s in head + tail] == [s.grad_norm for s in whole]
    final_whole, _ = load_checkpoint(find_checkpoint(tmp_path / "whole"))
    final_split, _ = load_checkpoint(find_checkpoint(tmp_path / "split"))
    for name, tensor in final_whole.state_dict().items():
        assert torch.equal(tensor, final_split.state_dict()[name]), name


def test_action_dropout_changes_what_the_model_reads_and_zero_draws_nothing(tmp_path):
    recipe = dict(batch_size=4, steps=3, warmup_steps=1, lr=1e-3, seed=3)
    _, plain = train(tmp_path / "plain", **recipe)
    _, zero = train(tmp_path / "zero", action_dropout=0.0, **recipe)
    _, dropped = train(tmp_path / "dropped", action_dropout=0.5, **recipe)
    assert [s.loss for s in zero] == [s.loss for s in plain]
    assert [s.loss for s in dropped] != [s.loss for s in plain]


def test_a_resumed_run_refuses_a_changed_recipe_value(tmp_path):
    train(tmp_path, batch_size=8, steps=4, max_steps=2)
    with pytest.raises(ConfigError, match="lr"):
        train(tmp_path / "next", resume=tmp_path, batch_size=8, steps=4, lr=1e-2)


def test_checkpoints_come_every_n_steps_and_at_the_end_with_latest_naming_the_last(tmp_path):
    summary, _ = train(tmp_path, batch_size=8, steps=7, checkpoint_every=3)
    directories = sorted(p.name for p in (tmp_path / "checkpoints").iterdir())
    assert directories == ["latest", "step_00000003", "step_00000006", "step_00000007"]
    assert find_checkpoint(tmp_path).name == "step_00000007"
    assert summary.checkpoint == str(tmp_path / "checkpoints" / "step_00000007")
    state = read_training_state(find_checkpoint(tmp_path))
    assert (state.step, state.steps_per_epoch) == (7, 4)


def test_the_run_summary_records_steps_time_loss_throughput_and_configuration(tmp_path):
    summary, _ = train(tmp_path, batch_size=8, steps=3)
    written = json.loads((tmp_path / SUMMARY).read_text())
    assert written["last_step"] == 3
    assert written["first_step"] == 0
    assert written["final_loss"] == summary.final_loss
    assert written["samples_per_s"] > 0
    assert written["time_s"] > 0
    assert written["recipe"]["batch_size"] == 8
    assert written["model"]["mode"] == "control"
    assert written["layout"]["global_batch"] == 8


def test_a_dataset_smaller_than_one_global_batch_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="batch_size"):
        train(tmp_path, size=6, batch_size=8, steps=2)
