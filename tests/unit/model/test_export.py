import torch
from safetensors.torch import load_file

from arm4r_policy.cli import main
from arm4r_policy.model import Normalizer, save_checkpoint
from arm4r_policy.model.checkpoint import CONFIG, NORMALIZATION, WEIGHTS


def test_export_writes_the_model_alone_in_half_precision(tmp_path, small_model, capsys):
    dim = small_model.config.state_dim
    normalizer = Normalizer.fit(torch.randn(20, dim), torch.randn(20, dim))
    source = save_checkpoint(tmp_path / "run" / "step_00000010", small_model, normalizer)
    (source / "training_state.pt").write_bytes(b"optimiser state")

    assert main(["export", str(source), str(tmp_path / "shipped"), "--dtype", "float16"]) == 0

    shipped = tmp_path / "shipped"
    assert sorted(p.name for p in shipped.iterdir()) == sorted([CONFIG, NORMALIZATION, WEIGHTS])
    assert {t.dtype for t in load_file(shipped / WEIGHTS).values()} == {torch.float16}
    assert "MB of float16 weights" in capsys.readouterr().out


def test_export_of_a_missing_checkpoint_is_refused_naming_it(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nowhere"), str(tmp_path / "out")]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
