"""The checkpoint ``make demo`` evaluates: small enough to ship, a Kinova control model the
simulated cell can feed, and runnable by ``arm4r eval``."""

import json
from pathlib import Path

from arm4r_policy.cli import main
from arm4r_policy.collect.layout import slot_cameras
from arm4r_policy.model.checkpoint import load_checkpoint
from arm4r_policy.sim import CellConfig

SHIPPED = Path(__file__).resolve().parents[4] / "checkpoints" / "kinova_sim_pick_cube"
MAX_BYTES = 20_000_000


def test_the_shipped_checkpoint_is_at_most_20_mb():
    size = sum(path.stat().st_size for path in SHIPPED.iterdir())
    assert size <= MAX_BYTES, f"{SHIPPED}: {size / 1e6:.1f} MB"


def test_it_is_a_control_model_of_the_kinova_cell_cameras():
    model, normalizer = load_checkpoint(SHIPPED)
    config = model.config
    assert config.mode == "control"
    cell_cameras = [camera.name for camera in CellConfig.kinova().cameras]
    assert slot_cameras(config.camera_names, config.num_cameras, cell_cameras) == ("side", "ego")
    assert normalizer.state_mean.shape == (config.state_dim,)


def test_arm4r_eval_runs_it_in_the_simulated_cell(tmp_path):
    out = tmp_path / "eval"
    code = main([
        "eval", "--cell", "kinova", "--task", "pick_cube", "--checkpoint", str(SHIPPED),
        "--variation", "cyan", "--episodes", "1", "--seeds", "1", "--max-steps", "4",
        "--video-episodes", "0", "--out", str(out),
    ])  # fmt: skip
    assert code == 0
    episode = json.loads((out / "results.json").read_text())["episodes"][0]
    assert 1 <= episode["steps"] <= 4
