import pytest
import torch

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.model import ARM4R, ARM4RConfig, l1_loss, parameter_counts

from .builders import random_window, small_config

# Parameter counts of the authors' control model (REFERENCE.md section 1).
PUBLIC_COUNTS = {
    "transformer": 84_953_856,
    "pooling": 6_500_352,
    "text_encoder": 656_640,
    "head": 119_072,
    "state_encoder": 8_558,
    "action_encoder": 8_558,
    "image_norm": 1_536,
    "image_encoder": 85_797_120,
    "trainable": 92_248_572,
    "total": 178_045_692,
}


def build_on_meta(config: ARM4RConfig) -> ARM4R:
    with torch.device("meta"):
        return ARM4R(config)


def test_paper_preset_parameter_counts_match_the_public_model():
    counts = parameter_counts(build_on_meta(ARM4RConfig.paper()))
    for part, expected in PUBLIC_COUNTS.items():
        assert counts[part] == pytest.approx(expected, rel=0.05), part
    assert counts["transformer"] == PUBLIC_COUNTS["transformer"]
    assert counts["pooling"] == PUBLIC_COUNTS["pooling"]


def test_paper_preset_freezes_the_image_encoder_and_tiny_trains_it():
    paper = build_on_meta(ARM4RConfig.paper())
    assert not any(p.requires_grad for p in paper.image_encoder.parameters())
    tiny = build_on_meta(ARM4RConfig.tiny())
    assert all(p.requires_grad for p in tiny.parameters())


def test_tiny_preset_has_a_few_million_parameters():
    assert 2e6 < parameter_counts(build_on_meta(ARM4RConfig.tiny()))["total"] < 10e6


@pytest.mark.parametrize("preset", ["paper", "tiny"])
@pytest.mark.parametrize(
    ("mode", "horizon", "action_dim"), [("control", 16, 10), ("points", 1, 3888)]
)
def test_forward_shapes_for_both_modes_and_presets(preset, mode, horizon, action_dim):
    config = getattr(ARM4RConfig, preset)(mode=mode)
    model = build_on_meta(config)
    B, T = 2, config.context
    size = config.image_size
    out = model(
        torch.zeros(B, T, 2, 3, size, size, device="meta"),
        torch.zeros(B, T, config.state_dim, device="meta"),
        torch.zeros(B, T, config.action_dim, device="meta"),
        torch.zeros(B, 512, device="meta"),
    )
    assert config.state_dim == action_dim
    assert out.shape == (B, T, horizon, action_dim)


def test_context_of_32_steps_runs():
    config = small_config(context=32)
    model = ARM4R(config).eval()
    with torch.no_grad():
        out = model(*random_window(config, batch=1, steps=32))
    assert out.shape == (1, 32, 16, 10)


def test_window_longer_than_the_context_is_rejected(small_model):
    with pytest.raises(ObservationError, match="exceed the model's context of 6"):
        small_model(*random_window(small_model.config, batch=1, steps=7))


def test_outputs_up_to_step_t_ignore_inputs_after_step_t(small_model):
    images, states, actions, instruction = random_window(small_model.config, batch=2, steps=6)
    t = 2
    with torch.no_grad():
        before = small_model(images, states, actions, instruction)
        images[:, t + 1 :] = torch.randn_like(images[:, t + 1 :])
        states[:, t + 1 :] += 1.0
        actions[:, t + 1 :] -= 1.0
        after = small_model(images, states, actions, instruction)
    assert torch.equal(before[:, : t + 1], after[:, : t + 1])
    assert not torch.allclose(before[:, t + 1 :], after[:, t + 1 :])


def test_prediction_at_step_t_is_read_before_the_action_taken_at_t(small_model):
    images, states, actions, instruction = random_window(small_model.config, batch=1, steps=4)
    with torch.no_grad():
        before = small_model(images, states, actions, instruction)
        actions[:, 2] += 5.0
        after = small_model(images, states, actions, instruction)
    assert torch.equal(before[:, :3], after[:, :3])
    assert not torch.allclose(before[:, 3], after[:, 3])


def test_a_hidden_action_token_tells_later_steps_nothing(small_model):
    images, states, actions, instruction = random_window(small_model.config, batch=1, steps=4)
    keep = torch.ones(1, 4)
    keep[:, 1] = 0.0
    with torch.no_grad():
        before = small_model(images, states, actions, instruction, action_keep=keep)
        actions[:, 1] += 5.0
        after = small_model(images, states, actions, instruction, action_keep=keep)
        shown = small_model(images, states, actions, instruction)
    assert torch.equal(before, after)
    assert not torch.allclose(after[:, 2:], shown[:, 2:])


def test_loss_ignores_targets_after_the_episode_end():
    prediction = torch.zeros(2, 4, 3, 10)
    target = torch.ones(2, 4, 3, 10)
    mask = torch.ones(2, 4, 3)
    mask[0, 2:] = 0
    mask[1, :, 1:] = 0
    corrupted = target.clone()
    corrupted[0, 2:] = 1e6
    corrupted[1, :, 1:] = -1e6
    assert l1_loss(prediction, corrupted, mask).item() == pytest.approx(1.0)
    assert l1_loss(prediction, target, mask[:, :, 0]).item() == pytest.approx(1.0)


def test_loss_gradient_reaches_only_unmasked_predictions():
    prediction = torch.zeros(1, 3, 2, 10, requires_grad=True)
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    l1_loss(prediction, torch.ones(1, 3, 2, 10), mask).backward()
    assert prediction.grad[0, 2].abs().sum() == 0
    assert prediction.grad[0, :2].abs().min() > 0


def test_one_training_step_reduces_the_loss(small_model):
    small_model.train()
    images, states, actions, instruction = random_window(small_model.config, batch=2, steps=6)
    target = torch.randn(2, 6, 16, 10, generator=torch.Generator().manual_seed(1))
    optimizer = torch.optim.AdamW(small_model.parameters(), lr=1e-3)
    losses = []
    for _ in range(5):
        loss = l1_loss(small_model(images, states, actions, instruction), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


@pytest.mark.parametrize(
    ("images_shape", "message"),
    [((1, 6, 1, 3, 32, 32), "expected shape"), ((1, 6, 2, 3, 48, 48), "expected shape")],
)
def test_wrong_image_shapes_are_rejected(small_model, images_shape, message):
    _, states, actions, instruction = random_window(small_model.config, batch=1, steps=6)
    with pytest.raises(ObservationError, match=message):
        small_model(torch.zeros(images_shape), states, actions, instruction)


def test_camera_names_must_match_the_camera_count():
    with pytest.raises(ConfigError, match="camera_names: expected 2 distinct names"):
        ARM4RConfig.tiny(camera_names=("ego",))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"patch_stem": "resnet"}, "patch_stem"),
        ({"patch_size": 12, "image_size": 96}, "power of 2"),
    ],
)
def test_a_patch_stem_that_cannot_be_built_is_refused_by_name(overrides, message):
    with pytest.raises(ConfigError, match=message):
        ARM4RConfig.tiny(**overrides)


def test_a_checkpoint_config_without_a_patch_stem_is_the_linear_mae_layout():
    values = ARM4RConfig.tiny().to_dict()
    del values["patch_stem"]
    assert ARM4RConfig.from_dict(values).patch_stem == "linear"
