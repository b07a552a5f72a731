import json

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from arm4r_policy.model import load_checkpoint
from arm4r_training.cli import STATS_FILE, main
from arm4r_training.train import find_checkpoint
from arm4r_training.train.progress import SUMMARY, TENSORBOARD

from .builders import synthetic_factory

SMALL_RUN = """\
preset: tiny
model: {grid: 4, width: 64, depth: 2, heads: 4, ffn_hidden: 128, image_size: 32, vision_width: 32,
        vision_depth: 1, vision_heads: 2, pool_heads: 2, encoder_hidden: 32, head_hidden: 32,
        horizon: 3}
recipe: {lr: 1e-3, warmup_steps: 1}
"""


@pytest.fixture
def run_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_RUN)
    return path


def train_args(tmp_path, run_file, *extra):
    return ["--stage", "3", "--config", str(run_file), "--data", str(tmp_path / "data"),
            "--out", str(tmp_path / "run"), "--context", "4", "--batch-size", "4",
            "--micro-batch", "2", "--steps", "3", "--num-workers", "0", "--no-progress",
            *extra]  # fmt: skip


def test_a_cli_run_writes_a_loadable_checkpoint_tensorboard_scalars_and_a_summary(
    tmp_path, run_file, capsys
):
    factory = synthetic_factory(size=8)
    assert main(train_args(tmp_path, run_file), data_factory=factory) == 0
    run = tmp_path / "run"
    model, _ = load_checkpoint(find_checkpoint(run))
    assert (model.config.mode, model.config.context, model.config.width) == ("control", 4, 64)
    events = EventAccumulator(str(run / TENSORBOARD))
    events.Reload()
    assert [event.step for event in events.Scalars("train/loss")] == [1, 2, 3]
    assert {"train/lr", "train/grad_norm", "train/samples_per_s"} <= set(events.Tags()["scalars"])
    summary = json.loads((run / SUMMARY).read_text())
    assert summary["layout"]["grad_accumulation"] == 2
    assert summary["recipe"]["lr"] == 1e-3
    assert factory.requests[0].stats_file == run / STATS_FILE
    assert "3 steps" in capsys.readouterr().out


def test_a_cli_resume_continues_the_run_to_the_end_of_its_schedule(tmp_path, run_file):
    factory = synthetic_factory(size=8)
    assert main(train_args(tmp_path, run_file, "--max-steps", "2"), data_factory=factory) == 0
    assert find_checkpoint(tmp_path / "run").name == "step_00000002"
    resume = ["--stage", "3", "--data", str(tmp_path), "--out", str(tmp_path / "run"),
              "--resume", str(tmp_path / "run"), "--num-workers", "0", "--no-progress"]  # fmt: skip
    assert main(resume, data_factory=factory) == 0
    assert find_checkpoint(tmp_path / "run").name == "step_00000003"
    assert factory.requests[-1].normalizer is not None  # the checkpoint's statistics


def test_crop_and_state_noise_reach_the_data_and_stay_with_a_resumed_run(tmp_path, run_file):
    factory = synthetic_factory(size=8)
    args = train_args(
        tmp_path, run_file, "--max-steps", "2", "--crop-scale", "1", "1", "--state-noise", "0"
    )
    assert main(args, data_factory=factory) == 0
    resume = ["--stage", "3", "--data", str(tmp_path), "--out", str(tmp_path / "run"),
              "--resume", str(tmp_path / "run"), "--num-workers", "0", "--no-progress"]  # fmt: skip
    assert main(resume, data_factory=factory) == 0
    assert [request.crop_scale for request in factory.requests] == [(1.0, 1.0), (1.0, 1.0)]
    assert [request.state_noise for request in factory.requests] == [0.0, 0.0]


@pytest.mark.parametrize(("change", "named"), [
    ({"--config": "huge"}, "--config"),
    ({"--config": "paper"}, "--init"),  # a frozen image encoder needs weights from somewhere
    ({"--init": "no/such/checkpoint"}, "--init"),
    ({"--resume": "."}, "--config"),
    ({"--init": ".", "--vision-weights": "vit.safetensors"}, "--vision-weights"),
    ({"--micro-batch": "3"}, "batch_size"),
])  # fmt: skip
def test_a_refused_request_exits_2_naming_the_argument(tmp_path, run_file, capsys, change, named):
    args = train_args(tmp_path, run_file)
    for option, value in change.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    assert main(args, data_factory=synthetic_factory(size=8)) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_a_frozen_keypoint_encoder_is_pointed_to_a_checkpoint_or_training(tmp_path, capsys):
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text("preset: paper\nmodel:\n  vision_encoder: colour_keypoints\n")
    args = ["--stage", "3", "--config", str(frozen), "--data", str(tmp_path),
            "--out", str(tmp_path)]  # fmt: skip
    assert main(args, data_factory=synthetic_factory()) == 2
    error = capsys.readouterr().err
    assert "--init: required" in error
    assert "freeze_vision: false" in error
    assert "--vision-weights" not in error


def test_an_unknown_yaml_key_exits_2_naming_it(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("recipe:\n  learning_rate: 0.1\n")
    args = ["--stage", "3", "--config", str(bad), "--data", str(tmp_path), "--out", str(tmp_path)]
    assert main(args, data_factory=synthetic_factory()) == 2
    assert "learning_rate" in capsys.readouterr().err


def test_an_unknown_stage_is_an_argparse_error():
    with pytest.raises(SystemExit) as exit_info:
        main(["--stage", "4", "--config", "tiny", "--data", ".", "--out", "."])
    assert exit_info.value.code == 2
