"""``arm4r eval --ros`` end to end: the evaluation protocol run by sim_node, policy_node and
moveit_bridge_node as processes over real DDS with a tiny random policy, a graph whose policy
node refuses the checkpoint, and an episode in a graph that never moves."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arm4r_policy.cli import main
from arm4r_policy.model.checkpoint import WEIGHTS

from .sim_graph import STARTUP, save_tiny_checkpoint

# The ROS image installs arm4r_policy and arm4r_bringup only.
pytest.importorskip("arm4r_training", reason="arm4r eval comes with arm4r_training")

from arm4r_training.evaluation import (
    FAILURE_KINDS,
    STALLED,
    EvaluationRequest,
    evaluation_seed,
)
from arm4r_training.evaluation.ros_evaluation import RosEvaluation
from arm4r_training.evaluation.ros_graph import RosGraph, fastdds_profile, graph_nodes
from arm4r_training.evaluation.ros_rollout import RosRollout

FIRST_SEED = 100_000
EPISODES, MAX_STEPS = 2, 3
EVAL_TIMEOUT = 100.0  # [s] graph start, 2 x 3 steps of a few seconds each on 2 busy cores, stop
NODES = {"sim_node", "policy_node", "moveit_bridge_node"}
STARTED = re.compile(r"^(\w+): pid (\d+), log (\S+)$", re.MULTILINE)


def eval_args(checkpoint: Path, out: Path, *extra: str) -> list[str]:
    return ["eval", "--cell", "kinova", "--task", "pick_cube", "--variation", "yellow",
            "--checkpoint", str(checkpoint), "--episodes", str(EPISODES), "--seeds", "1",
            "--seed", str(FIRST_SEED), "--max-steps", str(MAX_STEPS), "--out", str(out),
            *extra]  # fmt: skip


def arm4r_eval_ros(checkpoint: Path, out: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``arm4r eval --ros`` in a process of its own, as a user runs it."""
    command = [sys.executable, "-m", "arm4r_policy.cli", *eval_args(checkpoint, out, "--ros")]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "MUJOCO_GL": "egl"}
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=EVAL_TIMEOUT
    )


def started_nodes(printed: str) -> dict[str, int]:
    """Node name -> process id, from the lines the evaluation prints as a graph starts."""
    return {name: int(pid) for name, pid, _log in STARTED.findall(printed)}


def still_running(pid: int, out: Path) -> bool:
    """Whether process ``pid`` is a node of the evaluation writing to ``out``."""
    try:
        return str(out) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return save_tiny_checkpoint(tmp_path_factory.mktemp("kinova_checkpoint"))


@pytest.mark.timeout(EVAL_TIMEOUT + 60)  # then the same request in process
def test_eval_through_the_ros_graph_runs_the_seeds_of_the_in_process_evaluation(
    checkpoint, tmp_path, capsys
):
    out = tmp_path / "ros"
    completed = arm4r_eval_ros(checkpoint, out, tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "yellow" in completed.stdout
    assert f"results: {out / 'results.json'}" in completed.stdout
    assert "videos: none with --ros" in completed.stdout
    nodes = started_nodes(completed.stdout)
    assert set(nodes) == NODES
    assert not [name for name, pid in nodes.items() if still_running(pid, out)]
    assert {log.name for log in (out / "ros_logs" / "yellow_group0").glob("*.log")} == {
        f"{name}.log" for name in NODES
    }

    ros = json.loads((out / "results.json").read_text())
    assert ros["protocol"]["runner"] == "ros_graph"
    episodes = ros["episodes"]
    assert [e["seed"] for e in episodes] == [evaluation_seed(FIRST_SEED, 0, i) for i in range(2)]
    for episode in episodes:
        assert 1 <= episode["steps"] <= MAX_STEPS, episode
        assert episode["success"] == (episode["failure"] is None)
        assert episode["failure"] is None or episode["failure"] in FAILURE_KINDS
        assert episode["video"] is None

    in_process = tmp_path / "in_process"
    assert main(eval_args(checkpoint, in_process, "--video-episodes", "0")) == 0
    capsys.readouterr()
    local = json.loads((in_process / "results.json").read_text())
    assert [e["seed"] for e in local["episodes"]] == [e["seed"] for e in episodes]
    for field in ("max_steps", "camera_names", "image_size", "first_seed", "seed_rule"):
        assert ros["protocol"][field] == local["protocol"][field], field
    box = ("workspace_min", "workspace_max", "max_translation", "max_rotation")
    for field in box:
        assert ros["protocol"]["safety_limits"][field] == local["protocol"]["safety_limits"][field]


def test_a_checkpoint_the_policy_node_refuses_fails_the_evaluation_and_stops_every_node(
    tmp_path,
):
    checkpoint = save_tiny_checkpoint(tmp_path / "broken")
    (checkpoint / WEIGHTS).write_bytes(b"not a safetensors file")
    out = tmp_path / "ros"
    completed = arm4r_eval_ros(checkpoint, out, tmp_path)

    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "policy_node exited with status 1" in completed.stderr
    assert "parameter checkpoint" in completed.stderr  # the node's own reason, from its log
    assert not (out / "results.json").exists()
    nodes = started_nodes(completed.stdout)
    assert set(nodes) == NODES
    assert not [name for name, pid in nodes.items() if still_running(pid, out)]


def test_an_episode_without_motion_results_ends_stalled_naming_the_wait(checkpoint, tmp_path):
    request = EvaluationRequest(
        "kinova", "pick_cube", checkpoint, tmp_path, variations=("yellow",), episodes=1,
        seed_groups=1, first_seed=FIRST_SEED, video_episodes=0, ros=True,
    )  # fmt: skip
    plan = RosEvaluation(request)
    nodes = graph_nodes(plan, plan.tasks[0], FIRST_SEED, plan.config)
    sim_alone = [node for node in nodes if node.name == "sim_node"]
    with (
        RosGraph(sim_alone, tmp_path / "logs", fastdds_profile(plan.config)) as graph,
        RosRollout(
            graph.domain_id, graph.fastdds_profile, max_steps=MAX_STEPS,
            max_consecutive_refusals=5, real_time_factor=1.0, check_graph=graph.check_running,
            stall_timeout=2.0,
        ) as rollout,
    ):  # fmt: skip
        assert rollout.reset.wait_for_service(timeout_sec=STARTUP)
        result = rollout.run(FIRST_SEED)

    assert result.seed == FIRST_SEED
    assert not result.success
    assert result.failure == STALLED
    assert result.steps == 0
    assert "no motion result within 2 s after 0 steps" in result.detail
    assert "policy_node sent no diagnostics" in result.detail
