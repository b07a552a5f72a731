import pytest
import torch

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.model import ARM4R, ARM4RConfig
from arm4r_policy.model.keypoints import (
    ColourKeypointEncoder,
    KeypointEncoder,
    SpatialSoftmax,
)

from .builders import random_window, small_config


@pytest.mark.parametrize(("row", "col"), [(0, 0), (3, 7), (7, 2)])
def test_spatial_softmax_reads_the_position_of_a_sharp_peak(row, col):
    features = torch.zeros(1, 2, 8, 8)
    features[0, 0, row, col] = 50.0
    positions = SpatialSoftmax()(features)
    step = 2.0 / 7
    assert positions[0, 0].tolist() == pytest.approx([-1 + col * step, -1 + row * step], abs=1e-4)
    assert positions[0, 1].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)  # flat map: centre


def test_the_keypoint_encoder_gives_one_token_that_moves_with_the_object():
    torch.manual_seed(0)
    encoder = KeypointEncoder(keypoints=8, width=16)
    left, right = torch.zeros(2, 1, 3, 32, 32)
    left[..., 10:14, 2:6] = 3.0
    right[..., 10:14, 26:30] = 3.0
    tokens = encoder(torch.cat((left, right)))
    assert tokens.shape == (2, 1, 16)
    assert not torch.allclose(tokens[0], tokens[1])


def test_colour_keypoints_land_on_a_saturated_patch_whatever_the_lighting():
    encoder = ColourKeypointEncoder(keypoints=16, width=8)
    magenta = torch.tensor([2.0, -1.0, 2.0])
    scene = torch.zeros(1, 3, 32, 32)
    scene[0, :, 20:24, 4:8] = magenta[:, None, None]
    towards_cube = encoder.filters @ magenta > 0.5
    assert towards_cube.any()
    cube = torch.tensor([-1 + 2.5 * 2 / 15, -1 + 10.5 * 2 / 15])  # its centre, 2 x 2 pooled
    for gain, offset in ((1.0, 0.0), (0.5, 0.4)):
        found = encoder.positions(scene * gain + offset)[0, towards_cube]
        assert torch.allclose(found, cube.expand_as(found), atol=0.02)


def test_colour_keypoint_filters_are_fixed_stored_and_only_the_projection_learns():
    first, second = ColourKeypointEncoder(8, 16), ColourKeypointEncoder(8, 16)
    assert torch.equal(first.filters, second.filters)
    assert "filters" in first.state_dict()
    assert [name for name, _ in first.named_parameters()] == ["proj.weight", "proj.bias"]
    images = torch.randn(2, 3, 16, 16, requires_grad=True)
    first(images).sum().backward()
    assert images.grad is None
    assert first.proj.weight.grad is not None


@pytest.mark.parametrize(
    ("name", "kind"), [("keypoints", KeypointEncoder), ("colour_keypoints", ColourKeypointEncoder)]
)
def test_a_keypoint_model_gives_one_image_token_per_camera(name, kind):
    model = ARM4R(small_config(vision_encoder=name))
    assert isinstance(model.image_encoder, kind)
    tokens = model.encode_images(torch.zeros(3, 2, 3, 32, 32))
    assert tokens.shape == (3, 2, 1, 32)


def test_an_unknown_vision_encoder_is_refused_by_name():
    with pytest.raises(ConfigError, match="vision_encoder"):
        ARM4RConfig.tiny(vision_encoder="resnet")


def test_a_checkpoint_config_without_a_vision_encoder_is_the_vit():
    values = ARM4RConfig.tiny(vision_encoder="keypoints").to_dict()
    del values["vision_encoder"]
    assert ARM4RConfig.from_dict(values).vision_encoder == "vit"


def test_pretrained_vit_weights_are_refused_for_the_keypoint_encoder(tmp_path):
    with pytest.raises(ConfigError, match="vision_encoder is 'keypoints'"):
        ARM4R(small_config(vision_encoder="keypoints"), vision_weights=tmp_path / "mae.safetensors")


def test_a_colour_keypoint_model_given_the_positions_predicts_as_from_the_images():
    model = ARM4R(small_config(vision_encoder="colour_keypoints", keypoints=8)).eval()
    images, states, actions, instruction = random_window(model.config, batch=2, steps=3)
    positions = model.image_encoder.positions(images.flatten(0, 2)).view(2, 3, 2, 8, 2)
    from_images = model(images, states, actions, instruction)
    from_positions = model(None, states, actions, instruction, image_positions=positions)
    torch.testing.assert_close(from_positions, from_images)


def test_positions_computed_ahead_are_refused_unless_alone_well_shaped_and_colour_keypoints():
    model = ARM4R(small_config(vision_encoder="colour_keypoints", keypoints=8))
    images, states, actions, instruction = random_window(model.config, batch=1, steps=2)
    positions = torch.zeros(1, 2, 2, 8, 2)
    for pixels, given in ((images, positions), (None, None)):
        with pytest.raises(ObservationError, match="either images or image_positions"):
            model(pixels, states, actions, instruction, image_positions=given)
    with pytest.raises(ObservationError, match=r"image_positions: expected shape \(N, 2, 8, 2\)"):
        model(None, states, actions, instruction, image_positions=positions[..., :4, :])
    vit = ARM4R(small_config())
    with pytest.raises(ConfigError, match="only 'colour_keypoints'"):
        vit(None, states, actions, instruction, image_positions=positions)
