"""Episode videos: the projection of the predicted path, one frame per step plus the final state,
and whole-or-nothing files."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from arm4r_policy.runtime.policy import PolicyOutput
from arm4r_training.evaluation import EpisodeVideo, Rollout
from arm4r_training.evaluation.video import outcome_caption, project_path

from .oracle import SETTINGS, CountingSimRobot, PickOracle

K = np.array([[100.0, 0.0, 79.5], [0.0, 100.0, 59.5], [0.0, 0.0, 1.0]])


def read_frames(path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(frame)


def test_a_point_on_the_optical_axis_projects_to_the_principal_point():
    camera = np.eye(4)
    camera[:3, 3] = (0.1, -0.2, 0.3)
    pixels, in_front = project_path(np.array([[0.1, -0.2, 1.3], [0.1, -0.2, -0.7]]), K, camera)
    np.testing.assert_allclose(pixels[0], (79.5, 59.5))
    assert in_front.tolist() == [True, False]


def test_a_point_in_the_camera_plane_is_neither_drawn_nor_overflows():
    pixels, in_front = project_path(np.array([[0.5, 0.0, 0.0]]), K, np.eye(4))
    assert not in_front[0]
    assert np.all(np.abs(pixels) <= 1e4)


def test_the_video_has_one_frame_per_step_and_one_for_the_final_state(pick_cube_cell, tmp_path):
    task, cell = pick_cube_cell
    task.reset(cell, seed=1)
    tcp = cell.observe(image_size=(32, 32)).proprio
    chunk = tcp + np.linspace(0.0, 0.05, 16)[:, None] * np.r_[1.0, 0, 0, 0, 0, 0, 1]
    path = tmp_path / "videos" / "episode.mp4"
    with EpisodeVideo(cell, path, "pick cube", view_size=(160, 120)) as video:
        for step in range(3):
            video.add_step(step, PolicyOutput(chunk=chunk, target=chunk[0]))
        assert video.finish("success after 3 steps") == path
    frames = read_frames(path)
    assert len(frames) == 4
    assert frames[0].shape == (120, 2 * 160, 3)
    assert sorted(p.name for p in path.parent.iterdir()) == ["episode.mp4"]


def test_a_video_left_unfinished_leaves_no_file(pick_cube_cell, tmp_path):
    _, cell = pick_cube_cell
    path = tmp_path / "episode.mp4"
    with pytest.raises(RuntimeError), EpisodeVideo(cell, path, "pick cube"):
        raise RuntimeError("the episode crashed before the video was finished")
    assert list(tmp_path.iterdir()) == []


def test_a_filmed_episode_replays_the_unfilmed_one_exactly(pick_cube_cell, tmp_path):
    task, cell = pick_cube_cell
    robot = CountingSimRobot(cell, task)
    rollout, oracle = Rollout(robot, SETTINGS), PickOracle(robot)
    plain = rollout.run(oracle, seed=11)
    with EpisodeVideo(cell, tmp_path / "episode.mp4", "pick cube", view_size=(64, 48)) as video:
        filmed = rollout.run(oracle, seed=11, on_step=video.add_step)
        video.finish(outcome_caption(filmed))
    assert filmed.success
    assert replace(filmed, wall_seconds=0.0) == replace(plain, wall_seconds=0.0)
    assert len(read_frames(tmp_path / "episode.mp4")) == filmed.steps + 1
