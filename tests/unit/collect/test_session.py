"""``arm4r collect`` end to end: real MuJoCo, real renders at 64 x 64, episodes validated."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from arm4r_policy.cli import main
from arm4r_policy.collect import validate_episode
from arm4r_policy.collect.arrays import read_array
from arm4r_policy.collect.atomic import STAGING_MARKER
from arm4r_policy.collect.layout import MANIFEST_FILE, PROPRIO_FILE
from arm4r_policy.collect.session import CollectionSession, CollectRequest
from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.tasks import list_tasks

SMALL = ["--size", "64"]


def collect(out, *arguments):
    return main(["collect", "--out", str(out), *SMALL, *arguments])


def episodes(directory):
    return sorted(path.name for path in Path(directory).glob("episode_*"))


def test_collect_writes_valid_episodes_that_end_released_and_lifted(tmp_path):
    assert collect(tmp_path, "--cell", "franka", "--task", "destack", "--variation", "cyan",
                   "--episodes", "2") == 0  # fmt: skip
    directory = tmp_path / "destack" / "cyan" / "franka"  # a level base: base z points up
    assert episodes(directory) == ["episode_000000", "episode_000001"]
    for name in episodes(directory):
        info = validate_episode(directory / name)
        assert info.meta.instruction == "take the cyan cube off the yellow cube"
        assert info.meta.image_size == (64, 64)
        proprio = read_array(directory / name / PROPRIO_FILE, np.float32, (info.num_steps, 7))
        closures, heights = proprio[:, 6], proprio[:, 2]
        released = int(np.flatnonzero(closures > 0.3)[-1]) + 1
        assert closures[-1] < 0.05  # open at the end ...
        assert heights[-1] > heights[released] + 0.1  # ... and lifted after the release ...
        np.testing.assert_allclose(proprio[-2, :3], proprio[-1, :3], atol=1e-3)  # ... at rest


def test_collect_without_a_variation_collects_every_variation_with_point_tracks(tmp_path):
    assert collect(tmp_path, "--cell", "kinova", "--task", "push_buttons", "--episodes", "1",
                   "--tracks", "--grid", "8") == 0  # fmt: skip
    for variation in ("red", "red_then_blue"):
        directory = tmp_path / "push_buttons" / variation / "kinova"
        info = validate_episode(directory / "episode_000000")
        assert info.tracks["camera"] == "side"  # the exterior camera by default
        assert info.tracks["grid_size"] == 8


def test_a_killed_run_leaves_whole_episodes_and_the_rerun_resumes_to_the_count(tmp_path):
    arguments = ["--cell", "kinova", "--task", "pick_cube", "--variation", "yellow",
                 "--episodes", "3"]  # fmt: skip
    command = [sys.executable, "-m", "arm4r_policy.cli", "collect", "--out", str(tmp_path),
               *SMALL, *arguments]  # fmt: skip
    run = subprocess.Popen(command, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    directory = tmp_path / "pick_cube" / "yellow" / "kinova"
    deadline = time.monotonic() + 90.0
    try:
        while not (directory / "episode_000000").exists() and run.poll() is None:
            assert time.monotonic() < deadline, "no episode written within 90 s"
            time.sleep(0.01)
    finally:
        run.kill()  # SIGKILL, in the middle of the next seed's demo or its writing
        run.wait()
    assert 1 <= len(episodes(directory)) < 3

    assert collect(tmp_path, *arguments) == 0
    assert episodes(directory) == ["episode_000000", "episode_000001", "episode_000002"]
    for name in episodes(directory):
        validate_episode(directory / name)
    assert sorted(path.name for path in directory.iterdir()) == [
        MANIFEST_FILE, *episodes(directory)
    ]  # fmt: skip


def test_a_lost_episode_and_a_staging_leftover_are_made_up_with_the_next_seed(tmp_path):
    arguments = ["--cell", "franka", "--task", "pick", "--variation", "green", "--episodes", "2"]
    assert collect(tmp_path, *arguments) == 0
    directory = tmp_path / "pick" / "green" / "franka"
    shutil.rmtree(directory / "episode_000001")
    leftover = directory / f".episode_000002{STAGING_MARKER}0123456789ab"
    leftover.mkdir()
    (leftover / PROPRIO_FILE).write_bytes(b"cut short")

    assert collect(tmp_path, *arguments) == 0
    assert sorted(path.name for path in directory.iterdir()) == [
        MANIFEST_FILE, "episode_000000", "episode_000002"
    ]  # fmt: skip
    validate_episode(directory / "episode_000002")
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    assert manifest["seeds_tried"] == [0, 1, 2]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--cell", "ur5", "--task", "pick_cube"], ["'franka'", "'kinova'"]),
        (["--cell", "kinova", "--task", "pick"], list(list_tasks()["kinova"])),
        (["--cell", "franka", "--task", "stack", "--variation", "red"], ["yellow_on_cyan"]),
        (["--cell", "kinova", "--task", "pick_cube", "--tracks", "--track-camera", "left"],
         ["'ego'", "'side'"]),
    ],
)  # fmt: skip
def test_an_unknown_name_exits_2_with_one_line_naming_the_valid_ones_and_creates_nothing(
    tmp_path, capsys, arguments, named
):
    out = tmp_path / "out"
    assert collect(out, *arguments) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("arm4r collect: ")
    assert "\n" not in error
    for name in named:
        assert name in error
    assert not out.exists()


def test_an_output_directory_holding_other_files_is_refused_and_left_untouched(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    before = sorted(tmp_path.rglob("*"))
    assert collect(tmp_path, "--cell", "kinova", "--task", "pick_cube", "--episodes", "1") == 2
    error = capsys.readouterr().err
    assert "notes.txt" in error
    assert error.count("\n") == 1
    assert sorted(tmp_path.rglob("*")) == before
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_missing_cell_or_task_exits_2(tmp_path, capsys):
    assert collect(tmp_path, "--task", "pick_cube") == 2
    assert "--cell" in capsys.readouterr().err


def test_list_prints_every_task_and_variation_of_both_cells(capsys):
    assert main(["collect", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kinova = lines[1 : lines.index("franka:")]
    variations = [name for line in kinova for name in line.split(":")[1].split(",")]
    assert len(variations) == 13
    for task, names in list_tasks()["franka"].items():
        assert f"  {task}: {', '.join(names)}" in lines


def test_a_request_for_no_episodes_is_refused_by_field(tmp_path):
    with pytest.raises(ConfigError, match="episodes = 0"):
        CollectionSession(CollectRequest("kinova", "pick_cube", (), episodes=0, out=tmp_path))


def test_home_noise_zero_starts_every_episode_at_home_and_beyond_the_cells_range_is_refused(
    tmp_path,
):
    assert collect(tmp_path, "--cell", "kinova", "--task", "pick_cube", "--variation", "cyan",
                   "--episodes", "2", "--home-noise", "0") == 0  # fmt: skip
    directory = tmp_path / "pick_cube" / "cyan" / "kinova"
    starts = [
        read_array(directory / name / PROPRIO_FILE, np.float32, (None, 7))[0]
        for name in episodes(directory)
    ]
    np.testing.assert_allclose(starts[0], starts[1], atol=1e-5)
    with pytest.raises(ConfigError, match="home_noise = 0.6; expected 0 to 0.5 rad"):
        CollectRequest("kinova", "pick_cube", (), episodes=1, out=tmp_path, home_noise=0.6)
