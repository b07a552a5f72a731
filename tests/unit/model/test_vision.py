import pytest
import torch
from safetensors.torch import save_file

from arm4r_policy.errors import CheckpointError
from arm4r_policy.model import ARM4R
from arm4r_policy.model.vision import VisionTransformer

from .builders import small_config


def mae_file_contents(encoder: VisionTransformer) -> dict[str, torch.Tensor]:
    """An MAE pre-training state dict: encoder keys plus the parts the encoder does not use."""
    state = {k: torch.randn_like(v) for k, v in encoder.state_dict().items()}
    width = encoder.cls_token.shape[-1]
    state |= {
        "norm.weight": torch.ones(width),
        "norm.bias": torch.zeros(width),
        "mask_token": torch.zeros(1, 1, 16),
        "decoder_embed.weight": torch.zeros(16, width),
    }
    return state


@pytest.fixture
def encoder() -> VisionTransformer:
    return ARM4R(small_config(freeze_vision=True)).image_encoder


def test_mae_pth_file_loads_with_its_wrapper(tmp_path, encoder):
    state = mae_file_contents(encoder)
    torch.save({"model": state, "epoch": torch.tensor(400)}, tmp_path / "mae.pth")
    model = ARM4R(small_config(freeze_vision=True), vision_weights=tmp_path / "mae.pth")
    for key, tensor in model.image_encoder.state_dict().items():
        assert torch.equal(tensor, state[key]), key
    assert model.vision_source == str(tmp_path / "mae.pth")


def test_safetensors_file_loads(tmp_path, encoder):
    state = mae_file_contents(encoder)
    save_file(state, str(tmp_path / "mae.safetensors"))
    encoder.load_pretrained(tmp_path / "mae.safetensors")
    assert torch.equal(encoder.pos_embed, state["pos_embed"])


def test_a_pickled_object_is_refused(tmp_path, encoder):
    torch.save({"model": {"blocks": object()}}, tmp_path / "evil.pth")
    with pytest.raises(CheckpointError, match="evil.pth: unreadable"):
        encoder.load_pretrained(tmp_path / "evil.pth")


def test_a_missing_key_is_named(tmp_path, encoder):
    state = mae_file_contents(encoder)
    del state["blocks.0.attn.qkv.weight"]
    torch.save(state, tmp_path / "mae.pth")
    with pytest.raises(
        CheckpointError, match="missing image-encoder key 'blocks.0.attn.qkv.weight'"
    ):
        encoder.load_pretrained(tmp_path / "mae.pth")


def test_a_shape_mismatch_is_named(tmp_path, encoder):
    state = mae_file_contents(encoder)
    state["pos_embed"] = torch.zeros(1, 197, state["pos_embed"].shape[-1])
    torch.save(state, tmp_path / "mae.pth")
    with pytest.raises(CheckpointError, match="'pos_embed' has shape .* the image-encoder expects"):
        encoder.load_pretrained(tmp_path / "mae.pth")


def test_a_missing_file_is_named(tmp_path, encoder):
    with pytest.raises(CheckpointError, match="none.pth: image-encoder weights file not found"):
        encoder.load_pretrained(tmp_path / "none.pth")


def test_a_frozen_random_encoder_warns_once(caplog):
    import arm4r_policy.model.arm4r as arm4r_module

    arm4r_module._announced_random_vision = False
    model = ARM4R(small_config(freeze_vision=True))
    images = torch.zeros(1, 2, 3, 32, 32)
    with caplog.at_level("WARNING"):
        model.encode_images(images)
        model.encode_images(images)
    assert sum("random weights" in r.message for r in caplog.records) == 1


def test_a_frozen_keypoint_encoder_is_told_to_train_rather_than_load_a_vit(caplog):
    import arm4r_policy.model.arm4r as arm4r_module

    arm4r_module._announced_random_vision = False
    model = ARM4R(small_config(freeze_vision=True, vision_encoder="colour_keypoints"))
    with caplog.at_level("WARNING"):
        model.encode_images(torch.zeros(1, 2, 3, 32, 32))
    (message,) = [r.getMessage() for r in caplog.records if "random weights" in r.getMessage()]
    assert "freeze_vision: false" in message
    assert "vision_weights" not in message


def test_a_conv_stem_gives_one_token_per_patch_and_learns_from_every_pixel():
    encoder = VisionTransformer(32, 8, 16, 1, 2, 2.0, patch_stem="conv")
    images = torch.zeros(2, 3, 32, 32, requires_grad=True)
    tokens = encoder(images)
    assert tokens.shape == (2, 1 + 16, 16)
    tokens.sum().backward()
    assert bool((images.grad[0].abs().sum(0) > 0).all())


def test_a_conv_stem_refuses_a_linear_mae_file_naming_the_key(tmp_path):
    linear = VisionTransformer(32, 8, 16, 1, 2, 2.0)
    path = tmp_path / "mae.safetensors"
    save_file(mae_file_contents(linear), str(path))
    conv = VisionTransformer(32, 8, 16, 1, 2, 2.0, patch_stem="conv")
    with pytest.raises(CheckpointError, match="patch_embed"):
        conv.load_pretrained(path)
