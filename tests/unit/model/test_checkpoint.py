import json

import pytest
import torch

from arm4r_policy.errors import CheckpointError
from arm4r_policy.model import (
    ARM4R,
    Normalizer,
    load_checkpoint,
    save_checkpoint,
    transfer_pretrained,
)
from arm4r_policy.model.checkpoint import CONFIG, NORMALIZATION, WEIGHTS

from .builders import small_config


def fitted_normalizer(dim: int) -> Normalizer:
    g = torch.Generator().manual_seed(3)
    return Normalizer.fit(torch.randn(50, dim, generator=g), torch.randn(50, dim, generator=g))


@pytest.fixture
def checkpoint(tmp_path, small_model):
    return save_checkpoint(tmp_path / "ckpt", small_model, fitted_normalizer(10))


def test_round_trip_is_bit_exact(checkpoint, small_model):
    loaded, normalizer = load_checkpoint(checkpoint)
    assert loaded.config == small_model.config
    original = small_model.state_dict()
    for key, tensor in loaded.state_dict().items():
        assert torch.equal(tensor, original[key]), key
    expected = fitted_normalizer(10)
    assert torch.equal(normalizer.state_std, expected.state_std)
    assert torch.equal(normalizer.action_mean, expected.action_mean)


def test_half_precision_weights_halve_the_file_and_load_back_into_float32(tmp_path, small_model):
    full = save_checkpoint(tmp_path / "full", small_model, fitted_normalizer(10))
    half = save_checkpoint(
        tmp_path / "half", small_model, fitted_normalizer(10), weights_dtype=torch.float16
    )
    full_bytes, half_bytes = ((d / WEIGHTS).stat().st_size for d in (full, half))
    assert half_bytes < 0.55 * full_bytes
    loaded, _ = load_checkpoint(half)
    original = small_model.state_dict()
    for key, tensor in loaded.state_dict().items():
        assert tensor.dtype == original[key].dtype, key
        torch.testing.assert_close(tensor, original[key], rtol=1e-3, atol=1e-4)


def test_saving_over_a_checkpoint_replaces_it_and_leaves_no_staging_directories(
    checkpoint, small_model
):
    with torch.no_grad():
        small_model.head.fc2.bias.add_(1.0)
    save_checkpoint(checkpoint, small_model, fitted_normalizer(10))
    loaded, _ = load_checkpoint(checkpoint)
    assert torch.equal(loaded.head.fc2.bias, small_model.head.fc2.bias)
    assert sorted(p.name for p in checkpoint.parent.iterdir()) == ["ckpt"]


def test_a_checkpoint_gets_the_modes_of_plain_files_and_directories(tmp_path, small_model):
    reference_dir = tmp_path / "plain"
    reference_dir.mkdir()
    reference_file = reference_dir / "file"
    reference_file.write_text("")
    checkpoint = save_checkpoint(tmp_path / "ckpt", small_model, fitted_normalizer(10))
    assert checkpoint.stat().st_mode & 0o777 == reference_dir.stat().st_mode & 0o777
    for name in (WEIGHTS, CONFIG, NORMALIZATION):
        assert (checkpoint / name).stat().st_mode & 0o777 == reference_file.stat().st_mode & 0o777


def test_a_failed_save_leaves_the_previous_checkpoint_intact(checkpoint, small_model):
    before = (checkpoint / WEIGHTS).read_bytes()
    with pytest.raises(AttributeError):
        save_checkpoint(checkpoint, small_model, normalizer="not a normalizer")
    assert (checkpoint / WEIGHTS).read_bytes() == before
    assert sorted(p.name for p in checkpoint.parent.iterdir()) == ["ckpt"]


@pytest.mark.parametrize("name", [WEIGHTS, CONFIG, NORMALIZATION])
def test_a_missing_file_is_named(checkpoint, name):
    (checkpoint / name).unlink()
    with pytest.raises(CheckpointError, match=f"{name}: missing checkpoint file"):
        load_checkpoint(checkpoint)


def test_a_missing_directory_is_named(tmp_path):
    with pytest.raises(CheckpointError, match="nowhere: checkpoint directory not found"):
        load_checkpoint(tmp_path / "nowhere")


def test_corrupt_weights_are_named(checkpoint):
    (checkpoint / WEIGHTS).write_bytes(b"\x00" * 64)
    with pytest.raises(CheckpointError, match="model.safetensors: unreadable"):
        load_checkpoint(checkpoint)


def test_corrupt_config_is_named(checkpoint):
    (checkpoint / CONFIG).write_text("{ not json")
    with pytest.raises(CheckpointError, match="config.json: not valid JSON"):
        load_checkpoint(checkpoint)


def test_unknown_config_field_is_named(checkpoint):
    values = json.loads((checkpoint / CONFIG).read_text())
    values["wdith"] = 64
    (checkpoint / CONFIG).write_text(json.dumps(values))
    with pytest.raises(CheckpointError, match="unknown ARM4RConfig field.*wdith"):
        load_checkpoint(checkpoint)


def test_a_shape_mismatch_names_the_first_offending_key(checkpoint):
    values = json.loads((checkpoint / CONFIG).read_text())
    values["head_hidden"] = 48
    (checkpoint / CONFIG).write_text(json.dumps(values))
    with pytest.raises(CheckpointError, match=r"key 'head.fc1.weight' has shape \(32, 64\)"):
        load_checkpoint(checkpoint)


def test_normalisation_of_the_wrong_size_is_refused(tmp_path, small_model):
    save_checkpoint(tmp_path / "c", small_model, fitted_normalizer(7))
    with pytest.raises(CheckpointError, match="state_mean has 7 entries, the model needs 10"):
        load_checkpoint(tmp_path / "c")


def test_stage_transfer_keeps_shared_weights_and_skips_the_state_specific_parts(tmp_path):
    torch.manual_seed(1)
    points = ARM4R(small_config(mode="points", grid=4))
    source = save_checkpoint(tmp_path / "stage2", points, fitted_normalizer(48))
    torch.manual_seed(2)
    control = ARM4R(small_config())
    before = {k: v.clone() for k, v in control.state_dict().items()}

    report = transfer_pretrained(control, source)

    after, donor = control.state_dict(), points.state_dict()
    assert {k.split(".")[0] for k in report.skipped} == {"state_encoder", "action_encoder", "head"}
    for key in report.skipped:
        assert torch.equal(after[key], before[key]), key
    for key in report.loaded:
        assert torch.equal(after[key], donor[key]), key
    assert any(k.startswith("transformer.") for k in report.loaded)
    assert set(report.loaded) | set(report.skipped) == set(after)
    assert "skipped 12 in action_encoder, head, state_encoder" in report.summary()


def test_stage_transfer_from_a_different_width_names_the_key(tmp_path):
    points = ARM4R(small_config(mode="points", grid=4, width=32, ffn_hidden=64))
    source = save_checkpoint(tmp_path / "stage2", points, fitted_normalizer(48))
    with pytest.raises(CheckpointError, match="key 'text_encoder.fc2.weight' has shape"):
        transfer_pretrained(ARM4R(small_config()), source)


def test_camera_order_survives_the_round_trip(tmp_path):
    model = ARM4R(small_config(camera_names=["ego", "side"]))
    loaded, _ = load_checkpoint(save_checkpoint(tmp_path / "c", model, fitted_normalizer(10)))
    assert loaded.config.camera_names == ("ego", "side")
