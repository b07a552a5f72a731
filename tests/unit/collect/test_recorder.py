"""The recorder on a real simulated robot: 15 Hz of robot time, real renders, valid episodes."""

import cv2
import numpy as np
import pytest
import zarr

from arm4r_policy.collect import (
    EpisodeLabel,
    EpisodeRecorder,
    GroundTruthTracker,
    RecorderConfig,
    validate_episode,
)
from arm4r_policy.drivers.calibration import pixel_scaling
from arm4r_policy.errors import ConfigError
from tests.unit.collect.joint_robot import JointRobot

IMAGE_SIZE = (96, 96)
LABEL = EpisodeLabel("pick_cube", "yellow", "pick up the yellow cube", seed=0)


def pick_motion(robot, recorder):
    """Down 8 cm, close the gripper, back up: 2.9 s of robot time, 44 frames at 15 Hz."""
    above = robot.sim.tcp_pose
    below = above.copy()
    below[2, 3] -= 0.08
    robot.move_linear(below, recorder)
    robot.set_gripper(1.0, recorder)
    robot.move_linear(above, recorder)


@pytest.fixture
def robot(cell):
    return JointRobot(cell)


@pytest.fixture
def recorder(robot):
    return EpisodeRecorder(robot, RecorderConfig(image_size=IMAGE_SIZE))


def test_frames_are_taken_at_15_hz_of_robot_time_during_motions(robot, recorder):
    recorder.start(LABEL)
    pick_motion(robot, recorder)
    times = np.array([frame.time for frame in recorder.frames])
    slots = np.arange(len(times)) / 15.0
    timestep = robot.sim.model.opt.timestep
    assert len(times) == int(robot.time * 15.0) + 1
    assert np.all(times >= slots - 1e-9)
    assert np.all(times < slots + timestep + 1e-9)


def test_frames_hold_the_robot_state_at_their_instant(cell, robot, recorder):
    recorder.start(LABEL)
    first = recorder.frames[0]
    np.testing.assert_allclose(first.proprio, cell.observe(image_size=IMAGE_SIZE).proprio)
    pick_motion(robot, recorder)
    closures = np.array([frame.proprio[6] for frame in recorder.frames])
    heights = np.array([frame.proprio[2] for frame in recorder.frames])
    assert closures[0] == pytest.approx(0.0, abs=1e-3)
    assert closures[-1] > 0.5
    assert heights.min() < heights[0] - 0.07  # the TCP went down by 8 cm ...
    assert heights[-1] == pytest.approx(heights[0], abs=1e-3)  # ... and came back


def test_a_successful_episode_is_written_and_validates(cell, robot, recorder, embedding, tmp_path):
    recorder.start(LABEL)
    pick_motion(robot, recorder)
    frames = recorder.frames
    path = recorder.finish(True, tmp_path / "episode_000000", embedding)
    info = validate_episode(path)
    assert info.num_steps == len(frames) == 44
    assert info.meta.cell == "kinova"
    assert info.meta.robot == cell.robot.name
    for camera in info.meta.cameras:
        np.testing.assert_allclose(
            camera.intrinsics, cell.camera_intrinsics(camera.name, IMAGE_SIZE)
        )
        np.testing.assert_allclose(camera.extrinsics, cell.camera_extrinsics(camera.name))
    assert {c.name: c.directory for c in info.meta.cameras} == {
        "side": "exterior_image_1_left",
        "ego": "wrist_image_left",
    }
    proprio = zarr.load(str(path / "proprio.zarr"))
    np.testing.assert_allclose(proprio, [f.proprio for f in frames], atol=1e-6)
    jpeg = cv2.imread(str(path / "images" / "wrist_image_left" / "00043.jpg"))
    assert jpeg.shape == (96, 96, 3)


def test_a_failed_episode_is_discarded_without_writing(robot, recorder, embedding, tmp_path):
    recorder.start(LABEL)
    pick_motion(robot, recorder)
    assert recorder.finish(False, tmp_path / "episode_000000", embedding) is None
    assert list(tmp_path.iterdir()) == []


def test_an_episode_with_tracks_stores_them_beside_it(cell, robot, embedding, tmp_path):
    with GroundTruthTracker(cell, "side", grid_size=12, image_size=IMAGE_SIZE) as tracker:
        recorder = EpisodeRecorder(robot, RecorderConfig(image_size=IMAGE_SIZE), tracker=tracker)
        recorder.start(LABEL)
        pick_motion(robot, recorder)
        path = recorder.finish(True, tmp_path / "episode_000000", embedding)
    info = validate_episode(path)
    assert info.tracks["directory"] == "exterior_image_1_left"
    assert info.tracks["num_points"] == 144
    points = zarr.load(str(path / "points.zarr"))
    visibility = zarr.load(str(path / "visibility.zarr"))
    assert points.shape == (44, 144, 3)
    assert visibility.shape == (44, 144)
    on_robot = ~np.isin(tracker.bodies, [0, cell.model.body("cube").id])
    moved = np.linalg.norm(points[:, on_robot] - points[0, on_robot], axis=-1).max(axis=0)
    assert moved.max() > 0.05  # the arm's points follow the arm


def test_resizing_a_frame_maps_its_intrinsics_onto_those_rendered_at_that_size(cell):
    big, small = cell.observe(image_size=(192, 192)), IMAGE_SIZE
    scaled = pixel_scaling((192, 192), small) @ big.intrinsics["ego"]
    np.testing.assert_allclose(scaled, cell.camera_intrinsics("ego", small))


def test_a_tracker_at_another_size_than_the_stored_images_is_refused(cell, robot):
    with (
        GroundTruthTracker(cell, "side", grid_size=8, image_size=(64, 64)) as tracker,
        pytest.raises(ConfigError, match=r"tracker of camera 'side' at \(64, 64\)"),
    ):
        EpisodeRecorder(robot, RecorderConfig(image_size=IMAGE_SIZE), tracker=tracker)


def test_unknown_camera_directories_are_refused(robot):
    with pytest.raises(ConfigError, match=r"camera_dirs names cameras \['wrist'\]"):
        EpisodeRecorder(robot, RecorderConfig(camera_dirs={"wrist": "wrist_image_left"}))
