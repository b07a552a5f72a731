"""What the real arms share behind the ``Robot`` interface: cameras, the clock, sampled waits.

A backend (Kinova through kortex_api, Franka through franky) supplies the arm's state and its
motions; ``HardwareRobot`` turns the state and the newest frame of every mounted camera into an
``Observation``, and ``wait_serving_sampler`` blocks on a motion while calling the sampler at its
times on the wall clock (``time.monotonic``), as ``runtime.robot`` asks of hardware.

Frames: poses are in the robot base frame; the TCP pose is the flange pose times the constant
flange-to-TCP transform of the gripper (``ArmState.tcp_pose``), as in the simulation.
"""

from __future__ import annotations

import math
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from arm4r_policy.drivers.calibration import CameraCalibration
from arm4r_policy.drivers.camera import Camera
from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.pose import matrix_to_euler_xyz
from arm4r_policy.runtime.robot import Observation, Robot, Sampler

__all__ = ["ArmState", "HardwareRobot", "MountedCamera", "pose_vector", "wait_serving_sampler"]


def pose_vector(pose: np.ndarray) -> np.ndarray:
    """(4, 4) pose -> (6,) ``(x, y, z [m], a, b, c [rad])``, Euler intrinsic X-Y-Z."""
    return np.concatenate([pose[:3, 3], matrix_to_euler_xyz(pose[:3, :3])])


@dataclass(frozen=True)
class ArmState:
    """The arm and gripper at one instant, in the robot base frame.

    Attributes:
        joint_positions: (7,) [rad].
        flange_pose: (4, 4) tool flange (Gen3 ``end_effector_link``, Panda ``panda_link8``).
        tcp_pose: (4, 4) TCP, between the finger pads.
        gripper_closure: measured closure in [0, 1] (0 open).
        gripper_width: measured pad-to-pad width [m].
    """

    joint_positions: np.ndarray
    flange_pose: np.ndarray
    tcp_pose: np.ndarray
    gripper_closure: float
    gripper_width: float


@dataclass(frozen=True)
class MountedCamera:
    """A camera fixed in the cell: its frames, its intrinsics and where it looks from.

    Attributes:
        camera: the frame source.
        calibration: intrinsics at the calibrated size; rescaled to the size of each frame.
        extrinsics: (4, 4) camera-to-base pose, OpenCV axes (x right, y down, z forward).
    """

    camera: Camera
    calibration: CameraCalibration
    extrinsics: np.ndarray

    def __post_init__(self) -> None:
        extrinsics = np.asarray(self.extrinsics, dtype=float)
        if extrinsics.shape != (4, 4) or not np.all(np.isfinite(extrinsics)):
            raise ConfigError(
                f"camera {self.camera.name!r}: extrinsics have shape {extrinsics.shape}; "
                "expected a finite (4, 4) camera-to-base pose"
            )
        object.__setattr__(self, "extrinsics", extrinsics)

    def intrinsics(self, width: int, height: int) -> np.ndarray:
        """(3, 3) K [px] for frames of ``width`` x ``height``."""
        if (width, height) == self.calibration.size:
            return self.calibration.camera_matrix
        return self.calibration.scaled(width, height).camera_matrix


def wait_serving_sampler(
    wait: Callable[[float], bool],
    sampler: Sampler | None,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Block until ``wait`` reports done or ``timeout`` [s] has passed, serving ``sampler``.

    Args:
        wait: ``wait(seconds)`` blocks at most ``seconds`` and returns True once the awaited
            motion is done (``threading.Event.wait`` has this shape).
        sampler: called whenever ``clock()`` reaches its ``next_sample_time()``.
        timeout: the longest wait [s].
        clock: the robot's clock [s].

    Returns:
        True when ``wait`` reported done, False on timeout.
    """
    deadline = clock() + timeout
    while True:
        now = clock()
        if sampler is not None and now >= sampler.next_sample_time():
            sampler.sample()
            now = clock()
        remaining = deadline - now
        if remaining <= 0.0:
            return wait(0.0)
        next_sample = math.inf if sampler is None else sampler.next_sample_time()
        if wait(min(remaining, max(next_sample - now, 0.0))):
            return True


class HardwareRobot(Robot):
    """A real arm with mounted cameras; subclasses connect the arm and read its state.

    Use as a context manager (or ``connect`` / ``disconnect``): the arm first, then the cameras.

    Args:
        cameras: camera name -> mounted camera; the order is ``camera_names``.
        frame_timeout: the longest wait for a camera's next frame in ``observe`` [s].
    """

    def __init__(self, cameras: Mapping[str, MountedCamera], frame_timeout: float = 0.5) -> None:
        for name, mounted in cameras.items():
            if mounted.camera.name != name:
                raise ConfigError(
                    f"camera mapping key {name!r} differs from the camera's name "
                    f"{mounted.camera.name!r}"
                )
        self.cameras = dict(cameras)
        self.camera_names = tuple(self.cameras)
        self.frame_timeout = frame_timeout

    @property
    def time(self) -> float:
        """``time.monotonic()`` [s]."""
        return time.monotonic()

    @abstractmethod
    def arm_state(self) -> ArmState:
        """The arm and gripper now."""

    @abstractmethod
    def connect_arm(self) -> None:
        """Open the connection to the controller; ready to move afterwards."""

    @abstractmethod
    def disconnect_arm(self) -> None:
        """Close the connection to the controller; safe to call twice."""

    def connect(self) -> None:
        self.connect_arm()
        try:
            for mounted in self.cameras.values():
                mounted.camera.connect()
        except BaseException:
            self.disconnect()
            raise

    def disconnect(self) -> None:
        for mounted in self.cameras.values():
            mounted.camera.disconnect()
        self.disconnect_arm()

    def __enter__(self) -> HardwareRobot:
        self.connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.disconnect()

    def observe(self, image_size: tuple[int, int] | None = None) -> Observation:
        """The arm state and the newest frame of each camera (native size; ``image_size`` is
        not applied: the caller resizes, and ``intrinsics`` are for the frames returned)."""
        state = self.arm_state()
        now = self.time
        images, intrinsics, extrinsics = {}, {}, {}
        for name, mounted in self.cameras.items():
            image = mounted.camera.read(self.frame_timeout).image
            images[name] = image
            intrinsics[name] = mounted.intrinsics(image.shape[1], image.shape[0])
            extrinsics[name] = mounted.extrinsics
        return Observation(
            time=now,
            images=images,
            depths={},
            joint_positions=state.joint_positions,
            ee_pose=pose_vector(state.tcp_pose),
            flange_pose=pose_vector(state.flange_pose),
            gripper_closure=state.gripper_closure,
            gripper_width=state.gripper_width,
            intrinsics=intrinsics,
            extrinsics=extrinsics,
        )
