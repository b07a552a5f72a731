"""``arm4r-ingest-epic`` end to end: an EPIC tree -> clips -> the Stage 1 reader -> a training step.

The fixture tree holds one MP4 of the simulated Kinova cell (228 x 128 at 50 fps, 4 s) and an
annotation file with two narrations to keep, one too long, one too short and one of a video that
is not there. Tracking is Lucas-Kanade with a small local Depth Anything model (random weights:
the depth is wrong, the path through transformers is the real one).
"""

import json

import numpy as np
import pytest
import torch

from arm4r_policy.collect.arrays import read_array
from arm4r_policy.collect.layout import (
    IMAGES_DIR,
    INSTRUCTION_TEXT_FILE,
    META_FILE,
    POINTS_FILE,
    POINTS_UVD_FILE,
    VISIBILITY_FILE,
)
from arm4r_policy.model.config import ARM4RConfig
from arm4r_training.cli import main as train_main
from arm4r_training.data import DataOptions, build_dataset, uvd_to_xyz
from arm4r_training.human_video.ingest import SUMMARY_FILE, main
from arm4r_training.human_video.point_clip import IMAGE_DIR
from arm4r_training.train import find_checkpoint
from tests.unit.training.data.builders import tree_digest
from tests.unit.training.human_video.epic_tree import (
    narration_row,
    write_csv,
    write_mp4,
    write_video_info,
)
from tests.unit.training.human_video.sim_video import render_arm_motion

SIZE = 96  # stored frames [px], the tiny model's input size
GRID = 36  # the tiny model's grid
KEPT = {"P01_01_0": "pick up yellow cube", "P01_01_3": "put down yellow cube"}


@pytest.fixture(scope="module")
def epic_root(tmp_path_factory, kinova_cell):
    root = tmp_path_factory.mktemp("epic")
    video = render_arm_motion(kinova_cell, (228, 128), fps=50.0)
    write_mp4(root / "videos", "P01_01", list(video.frames), fps=50.0)
    rows = [
        ("P01_01_0", "P01_01", "pick-up", "cube:yellow", 1, 160),  # 32 frames at 10 fps
        ("P01_01_1", "P01_01", "open", "drawer", 1, 1400),  # 280: too long
        ("P01_01_2", "P01_01", "close", "drawer", 1, 100),  # 20: too short
        ("P01_02_0", "P01_02", "wash", "pan:frying", 1, 160),  # no such video
        ("P01_01_3", "P01_01", "put-down", "cube:yellow", 41, 200),
    ]
    write_csv(
        root / "annotations" / "EPIC_100_train.csv",
        [
            narration_row(
                narration_id=name, video_id=video_id, verb=verb, noun=noun,
                all_nouns=f"['{noun}']", start_frame=str(start), stop_frame=str(stop),
            )
            for name, video_id, verb, noun, start, stop in rows
        ],
    )  # fmt: skip
    write_video_info(
        root / "annotations" / "EPIC_100_video_info.csv",
        {"P01_01": (4.02, 50.0, "228x128"), "P01_02": (10.0, 50.0, "228x128")},
    )
    return root


def ingest_args(root, out, depth_model):
    return ["--annotations", str(root / "annotations" / "EPIC_100_train.csv"),
            "--videos", str(root / "videos"), "--out", str(out), "--tracker", "lucas-kanade",
            "--depth-weights", str(depth_model), "--grid", str(GRID), "--size", str(SIZE),
            "--no-progress"]  # fmt: skip


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, epic_root, metric_depth_model):
    """The clip root after one run, and the input tree's digest before it."""
    before = tree_digest(epic_root)
    out = tmp_path_factory.mktemp("clips") / "epic"
    code = main(ingest_args(epic_root, out, metric_depth_model))
    return out, before, code


def clip_dirs(out):
    return sorted(path.parent for path in out.rglob(POINTS_UVD_FILE))


def test_ingest_writes_the_kept_clips_and_a_summary_and_leaves_the_input_alone(ingested, epic_root):
    out, before, code = ingested
    assert code == 1  # one narration failed
    assert tree_digest(epic_root) == before
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert (summary["kept"], summary["written"], summary["already_done"]) == (2, 2, 0)
    assert summary["too_long"] == ["P01_01_1"]
    assert summary["too_short"] == ["P01_01_2"]
    assert list(summary["failures"]) == ["P01_02_0"]
    assert "video P01_02: neither" in summary["failures"]["P01_02_0"]
    clips = clip_dirs(out)
    assert [path.name for path in clips] == sorted(KEPT)
    assert clips[0].relative_to(out).parts == ("pick-up", "P01", "P01_01", "P01_01_0")


def test_a_clip_holds_frames_tracks_and_the_verb_noun_instruction(ingested):
    out, _, _ = ingested
    clip = next(path for path in clip_dirs(out) if path.name == "P01_01_0")
    assert (clip / INSTRUCTION_TEXT_FILE).read_text() == KEPT["P01_01_0"]
    frames = sorted((clip / IMAGES_DIR / IMAGE_DIR).iterdir())
    assert len(frames) == 32
    assert [path.name for path in frames][:2] == ["00000.jpg", "00001.jpg"]
    uvd = read_array(clip / POINTS_UVD_FILE, np.float32, (32, GRID**2, 3))
    meta = json.loads((clip / META_FILE).read_text())
    intrinsics = np.asarray(meta["tracks"]["intrinsics"])
    np.testing.assert_allclose(
        read_array(clip / POINTS_FILE, np.float32, (32, GRID**2, 3)),
        uvd_to_xyz(uvd, intrinsics),
    )
    assert read_array(clip / VISIBILITY_FILE, np.bool_, (32, GRID**2))[0].all()
    assert meta["tracks"]["tracker"].startswith("lucas-kanade+depth-anything")
    assert meta["source"]["frames"] == list(range(1, 161, 5))
    assert meta["instruction_encoder"] == "hashing-v1-512"


def test_a_rerun_skips_finished_clips_and_rewrites_one_a_killed_run_left_half_done(
    ingested, epic_root, metric_depth_model
):
    out, _, _ = ingested
    first, second = clip_dirs(out)
    untouched = tree_digest(second)
    leftover = first.with_name(f".{first.name}.partial-0123456789ab")
    first.rename(leftover)  # as if the run had been killed while writing it
    assert main(ingest_args(epic_root, out, metric_depth_model)) == 1
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert (summary["written"], summary["already_done"]) == (1, 1)
    assert first.is_dir()
    assert not leftover.exists()
    assert tree_digest(second) == untouched


def test_the_stage_1_reader_feeds_each_clip_to_both_camera_slots(ingested):
    out, _, _ = ingested
    config = ARM4RConfig.tiny(mode="points", context=4)
    dataset, summary = build_dataset(config, out, split="all", options=DataOptions(strict=True))
    assert (summary.episodes, summary.steps) == (2, 2 * 31)
    sample = dataset[0]
    assert sample["images"].shape == (4, 2, 3, SIZE, SIZE)
    assert torch.equal(sample["images"][:, 0], sample["images"][:, 1])
    assert sample["targets"].shape[-1] == 3 * GRID**2


def test_one_tiny_stage_1_training_step_runs_on_the_clips(ingested, tmp_path):
    out, _, _ = ingested
    run = tmp_path / "run"
    args = ["--stage", "1", "--config", "tiny", "--data", str(out), "--out", str(run),
            "--context", "4", "--batch-size", "2", "--micro-batch", "2", "--steps", "1",
            "--max-steps", "1", "--num-workers", "0", "--no-progress"]  # fmt: skip
    assert train_main(args) == 0
    assert find_checkpoint(run).name == "step_00000001"


def test_a_refused_request_exits_2_and_names_the_option(tmp_path, epic_root, capsys):
    args = ingest_args(epic_root, epic_root / "videos" / "clips", tmp_path)
    assert main(args) == 2
    assert "--out" in capsys.readouterr().err
    args = ingest_args(epic_root, tmp_path / "out", tmp_path / "no_model")
    assert main(args) == 2
    assert "--depth-weights" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
