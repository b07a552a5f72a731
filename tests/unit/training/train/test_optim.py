import math

import pytest
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import ARM4R
from arm4r_training.train import Recipe, WarmupCosine, build_optimizer, parameter_groups

from .builders import small_config


def groups_by_name(model, weight_decay=0.05):
    names = {id(p): name for name, p in model.named_parameters()}
    return {
        group["name"]: (group["weight_decay"], {names[id(p)] for p in group["params"]})
        for group in parameter_groups(model, weight_decay)
    }


def test_biases_and_one_dimensional_parameters_get_no_weight_decay():
    model = ARM4R(small_config())
    groups = groups_by_name(model)
    decay_rate, decayed = groups["decay"]
    assert groups["no_decay"][0] == 0.0
    assert decay_rate == 0.05
    params = dict(model.named_parameters())
    for name in groups["no_decay"][1]:
        assert params[name].ndim <= 1
    for name in decayed:
        assert params[name].ndim >= 2
        assert not name.endswith(".bias")
    assert "transformer.layers.0.attention_norm.weight" in groups["no_decay"][1]  # RMSNorm
    assert "head.fc1.bias" in groups["no_decay"][1]
    assert "head.fc1.weight" in decayed
    assert decayed | groups["no_decay"][1] == set(params)


def test_frozen_parameters_are_left_out_of_the_optimiser():
    model = ARM4R(small_config(freeze_vision=True))
    optimizer = build_optimizer(model, Recipe.preset(3))
    optimised = {id(p) for group in optimizer.param_groups for p in group["params"]}
    frozen = {id(p) for p in model.image_encoder.parameters()}
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert optimised == trainable
    assert not optimised & frozen


def test_the_optimiser_is_adamw_with_the_recipe_betas():
    optimizer = build_optimizer(ARM4R(small_config()), Recipe.preset(3, weight_decay=0.02))
    assert isinstance(optimizer, torch.optim.AdamW)
    assert all(group["betas"] == (0.9, 0.95) for group in optimizer.param_groups)
    assert [group["weight_decay"] for group in optimizer.param_groups] == [0.02, 0.0]


def cosine(progress: float) -> float:
    return 0.5 * (1 + math.cos(math.pi * progress))


@pytest.mark.parametrize(("step", "expected"), [
    (0, 0.25), (1, 0.5), (3, 1.0),  # linear warm-up over 4 steps, the first step already learns
    (4, 1.0), (6, cosine(2 / 8)), (8, 0.5), (11, cosine(7 / 8)),  # then 8 steps of half a cosine
])  # fmt: skip
def test_the_learning_rate_warms_up_linearly_then_follows_half_a_cosine(step, expected):
    assert WarmupCosine(peak_lr=1.0, warmup_steps=4, total_steps=12).lr(step) == pytest.approx(
        expected
    )


def test_the_cosine_ends_at_zero_one_step_past_the_last():
    schedule = WarmupCosine(peak_lr=5e-3, warmup_steps=10, total_steps=100)
    assert schedule.lr(100) == pytest.approx(0.0, abs=1e-15)
    assert 0 < schedule.lr(99) < 1e-5


def test_schedule_lengths_come_from_epochs_unless_steps_are_given():
    epochs = WarmupCosine.from_recipe(Recipe.preset(1, epochs=2.0, warmup_epochs=1.25), 8)
    assert (epochs.warmup_steps, epochs.total_steps) == (10, 16)
    steps = WarmupCosine.from_recipe(Recipe.preset(1, steps=30, warmup_steps=5), 8)
    assert (steps.warmup_steps, steps.total_steps) == (5, 30)


def test_a_warmup_longer_than_the_run_is_refused():
    with pytest.raises(ConfigError, match="warmup_steps"):
        WarmupCosine.from_recipe(Recipe.preset(3, steps=10, warmup_steps=11), 4)


def test_apply_sets_every_group_and_returns_the_rate():
    optimizer = build_optimizer(ARM4R(small_config()), Recipe.preset(3))
    lr = WarmupCosine(2.0, 4, 12).apply(optimizer, 1)
    assert lr == 1.0
    assert [group["lr"] for group in optimizer.param_groups] == [1.0, 1.0]
