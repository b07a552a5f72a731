"""HardwareRobot: observations from an arm state and real replay cameras; sampled waits."""

import threading
import time

import numpy as np
import pytest

from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.drivers.hardware_robot import (
    ArmState,
    HardwareRobot,
    MountedCamera,
    pose_vector,
    wait_serving_sampler,
)
from arm4r_policy.drivers.replay import ReplayCamera
from arm4r_policy.errors import ConfigError
from tests.unit.drivers.poses import pose
from tests.unit.drivers.recordings import HEIGHT, WIDTH


class RateSampler:
    """Wants a sample every ``period`` seconds of ``time.monotonic``; records when it got them."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.times: list[float] = []
        self._next = time.monotonic()

    def next_sample_time(self) -> float:
        return self._next

    def sample(self) -> None:
        self.times.append(time.monotonic())
        self._next += self.period


class ArmAtRest(HardwareRobot):
    """An arm that stands still at ``state``: the part of a backend that cannot exist here."""

    cell_name = "test"
    name = "arm_at_rest"

    def __init__(self, state: ArmState, cameras) -> None:
        super().__init__(cameras)
        self.state = state
        self.connected = False

    def connect_arm(self) -> None:
        self.connected = True

    def disconnect_arm(self) -> None:
        self.connected = False

    def arm_state(self) -> ArmState:
        return self.state

    def move_linear(self, target_pose, sampler=None) -> None:
        raise NotImplementedError

    def set_gripper(self, closure, sampler=None) -> None:
        raise NotImplementedError

    def home(self, seed) -> None:
        raise NotImplementedError


def test_wait_serves_the_sampler_at_its_rate_until_done():
    done = threading.Event()
    timer = threading.Timer(0.3, done.set)
    sampler = RateSampler(period=0.05)
    timer.start()
    finished = wait_serving_sampler(done.wait, sampler, timeout=2.0)
    assert finished
    assert 5 <= len(sampler.times) <= 8
    assert np.diff(sampler.times) == pytest.approx(0.05, abs=0.02)


def test_wait_reports_a_timeout():
    start = time.monotonic()
    assert not wait_serving_sampler(threading.Event().wait, None, timeout=0.1)
    assert time.monotonic() - start == pytest.approx(0.1, abs=0.05)


def test_observation_carries_the_state_the_frames_and_intrinsics_at_frame_size(video):
    flange = pose([0.4, 0.1, 0.3], [np.pi, 0.1, 0.2])
    tcp = flange @ pose([0.0, 0.0, 0.14], [0.0, 0.0, 0.0])
    state = ArmState(np.linspace(-1, 1, 7), flange, tcp, gripper_closure=0.25, gripper_width=0.06)
    k = np.array([[100.0, 0.0, 63.5], [0.0, 100.0, 47.5], [0.0, 0.0, 1.0]])
    calibrated_at_double_size = CameraCalibration.monocular("ego", 2 * WIDTH, 2 * HEIGHT, k)
    extrinsics = pose([1.0, 0.0, 0.5], [-2.0, 0.0, 1.5])
    mounted = MountedCamera(ReplayCamera("ego", video), calibrated_at_double_size, extrinsics)
    with ArmAtRest(state, {"ego": mounted}) as robot:
        assert robot.connected
        observation = robot.observe()
    assert not robot.connected
    assert observation.images["ego"].shape == (HEIGHT, WIDTH, 3)
    np.testing.assert_allclose(
        observation.intrinsics["ego"], calibrated_at_double_size.scaled(WIDTH, HEIGHT).camera_matrix
    )
    np.testing.assert_array_equal(observation.extrinsics["ego"], extrinsics)
    np.testing.assert_allclose(observation.ee_pose, pose_vector(tcp))
    np.testing.assert_allclose(observation.flange_pose[3:], [np.pi, 0.1, 0.2], atol=1e-12)
    assert observation.proprio.shape == (7,)
    assert observation.proprio[-1] == 0.25
    assert observation.depths == {}
    assert observation.time == pytest.approx(time.monotonic(), abs=1.0)


def test_camera_keys_must_be_the_camera_names(video):
    calibration = CameraCalibration.monocular("ego", WIDTH, HEIGHT, np.eye(3))
    mounted = MountedCamera(ReplayCamera("ego", video), calibration, np.eye(4))
    state = ArmState(np.zeros(7), np.eye(4), np.eye(4), 0.0, 0.08)
    with pytest.raises(ConfigError, match="'side' differs from the camera's name 'ego'"):
        ArmAtRest(state, {"side": mounted})


def test_extrinsics_must_be_a_pose(video):
    calibration = CameraCalibration.monocular("ego", WIDTH, HEIGHT, np.eye(3))
    with pytest.raises(ConfigError, match="camera 'ego': extrinsics have shape"):
        MountedCamera(ReplayCamera("ego", video), calibration, np.eye(3))
