"""``arm4r eval`` end to end: a tiny random checkpoint evaluated on real physics and rendering,
and the requests it refuses."""

import json
import subprocess
import sys

import cv2
import pytest

from arm4r_policy.cli import main
from arm4r_training.evaluation import FAILURE_KINDS, evaluation_seed


def eval_args(checkpoint, *extra) -> list[str]:
    return ["eval", "--cell", "kinova", "--task", "pick_cube", "--checkpoint", str(checkpoint),
            *extra]  # fmt: skip


def frame_count(path) -> int:
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.read()[0]:
        count += 1
    return count


def test_eval_runs_the_protocol_and_writes_results_and_a_video(tiny_checkpoint, tmp_path, capsys):
    out = tmp_path / "eval"
    code = main(eval_args(
        tiny_checkpoint, "--variation", "yellow", "--episodes", "2", "--seeds", "1",
        "--seed", "100000", "--max-steps", "3", "--video-episodes", "1", "--out", str(out),
    ))  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0

    results = json.loads((out / "results.json").read_text())
    episodes = results["episodes"]
    assert [e["seed"] for e in episodes] == [evaluation_seed(100_000, 0, i) for i in range(2)]
    for episode in episodes:
        assert 1 <= episode["steps"] <= 3
        assert episode["success"] == (episode["failure"] is None)
        assert episode["failure"] is None or episode["failure"] in FAILURE_KINDS
    assert results["protocol"]["max_steps"] == 3
    assert results["protocol"]["camera_names"] == ["ego", "side"]
    assert set(results["success_rate"]) == {"yellow", "all"}
    assert "yellow" in printed
    assert f"results: {out / 'results.json'}" in printed

    videos = sorted((out / "videos").iterdir())
    assert [video.name for video in videos] == ["pick_cube_yellow_seed100000.mp4"]
    assert episodes[0]["video"] == str(videos[0])
    assert episodes[1]["video"] is None
    assert frame_count(videos[0]) == episodes[0]["steps"] + 1
    assert f"video: {videos[0]}" in printed


def test_eval_with_ros_but_without_rclpy_exits_2_naming_what_to_install(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "rclpy", None)
    for module in ("ros_evaluation", "ros_rollout"):
        monkeypatch.delitem(sys.modules, f"arm4r_training.evaluation.{module}", raising=False)
    assert main(eval_args(tmp_path / "none", "--ros")) == 2
    error = capsys.readouterr().err
    assert "'rclpy'" in error
    assert "requirements.txt" in error


def test_eval_of_an_unknown_task_exits_2_listing_the_valid_ones(tmp_path, capsys):
    code = main(["eval", "--cell", "kinova", "--task", "pick_sphere", "--checkpoint",
                 str(tmp_path / "none")])  # fmt: skip
    error = capsys.readouterr().err
    assert code == 2
    assert "pick_sphere" in error
    assert all(name in error for name in ("pick_cube", "destack", "stack", "push_buttons"))


def test_eval_without_arm4r_training_says_it_is_not_installed(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "arm4r_training.eval_cli", None)
    assert main(eval_args(tmp_path / "none")) == 2
    assert "arm4r_training package" in capsys.readouterr().err


def test_the_arm4r_command_does_not_import_arm4r_training_until_eval_runs(tmp_path):
    probe = "import sys, arm4r_policy.cli; print('arm4r_training' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert completed.stdout.strip() == "False"


@pytest.mark.parametrize("argument", ["--episodes", "--seeds"])
def test_eval_refuses_zero_episodes_or_seed_groups(tiny_checkpoint, argument, capsys):
    assert main(eval_args(tiny_checkpoint, argument, "0")) == 2
    assert "expected" in capsys.readouterr().err
