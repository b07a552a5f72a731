import pytest

from arm4r_policy.errors import ConfigError
from arm4r_training.train import BatchLayout, Recipe


@pytest.mark.parametrize(("stage", "lr", "epochs", "mode"), [
    (1, 5e-4, 5, "points"), (2, 5e-4, 20, "points"), (3, 5e-3, 50, "control"),
])  # fmt: skip
def test_stage_presets_hold_the_paper_values(stage, lr, epochs, mode):
    recipe = Recipe.preset(stage)
    assert (recipe.lr, recipe.epochs, recipe.mode) == (lr, epochs, mode)
    assert (recipe.weight_decay, recipe.batch_size, recipe.warmup_epochs) == (1e-2, 256, 1.25)
    assert recipe.betas == (0.9, 0.95)
    assert recipe.grad_clip == 1.0


def test_every_preset_value_can_be_overridden():
    recipe = Recipe.preset(3, lr=1e-4, betas=[0.8, 0.9], grad_clip=None, steps=100)
    assert (recipe.lr, recipe.betas, recipe.grad_clip, recipe.steps) == (
        1e-4,
        (0.8, 0.9),
        None,
        100,
    )


@pytest.mark.parametrize(("field", "value"), [
    ("lr", 0.0), ("batch_size", 0), ("betas", (0.9,)), ("precision", "fp8"), ("micro_batch", -1),
    ("grad_clip", 0.0), ("seed", 1.5), ("warmup_steps", -2), ("crop_scale", (0.0, 1.0)),
    ("crop_scale", (1.0, 0.5)), ("action_dropout", 1.0), ("action_dropout", -0.1),
    ("state_noise", -0.01),
])  # fmt: skip
def test_an_invalid_value_is_refused_naming_its_field(field, value):
    with pytest.raises(ConfigError, match=rf"Recipe\.{field}"):
        Recipe.preset(3, **{field: value})


def test_an_unknown_field_is_refused_by_name():
    with pytest.raises(ConfigError, match="learning_rate"):
        Recipe.preset(3, learning_rate=1e-3)


@pytest.mark.parametrize(("micro", "accumulation", "world", "expected"), [
    (8, None, 1, (8, 32)),  # --batch-size 256 --micro-batch 8 on one device
    (8, None, 4, (8, 8)),
    (None, None, 4, (64, 1)),
    (None, 4, 2, (32, 4)),
    (16, 2, 8, (16, 2)),
])  # fmt: skip
def test_the_batch_layout_reaches_the_global_batch(micro, accumulation, world, expected):
    recipe = Recipe.preset(3, micro_batch=micro, grad_accumulation=accumulation)
    layout = BatchLayout.resolve(recipe, world)
    assert (layout.micro_batch, layout.accumulation) == expected
    assert layout.global_batch == 256


@pytest.mark.parametrize(("micro", "accumulation", "world"), [
    (24, None, 1), (None, 3, 1), (8, 4, 1), (None, None, 3), (512, None, 1),
])  # fmt: skip
def test_a_layout_that_misses_the_global_batch_is_refused(micro, accumulation, world):
    recipe = Recipe.preset(3, micro_batch=micro, grad_accumulation=accumulation)
    with pytest.raises(ConfigError, match="batch_size"):
        BatchLayout.resolve(recipe, world)
