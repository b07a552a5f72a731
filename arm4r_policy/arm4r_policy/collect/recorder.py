"""The episode recorder: frames at a fixed rate of the robot's clock while a procedure runs.

Usage (a scripted procedure; ``robot`` is any ``Robot``)::

    recorder = EpisodeRecorder(robot, RecorderConfig(rate_hz=15.0, image_size=(224, 224)))
    robot.home(seed)
    recorder.start(EpisodeLabel("pick_cube", "yellow", "pick up the yellow cube", seed))
    robot.move_linear(pre_grasp, recorder)        # frames at 15 Hz during every motion
    robot.set_gripper(1.0, recorder)
    ...
    recorder.finish(success, collection.episode_path(seed), instruction_embedding)

Frame 0 is taken by ``start``; then one frame at every slot ``t0 + k / rate_hz`` of the robot's
clock reached while a motion runs (the robot calls ``sample``). Slots that pass while no motion
runs (a pause on hardware) are skipped, not filled in; ``timestamps.zarr`` keeps the truth.
Frames are kept in memory (450 steps x 2 cameras x 224 x 224 x 3 bytes = 136 MB at most) and
written only on success, so a failed attempt costs no disk writes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from arm4r_policy.collect.episode import (
    CameraInfo,
    EpisodeMeta,
    Frame,
    PointTracks,
    write_episode,
)
from arm4r_policy.collect.layout import MAX_STEPS, check_camera_dirs, default_camera_dirs
from arm4r_policy.drivers.calibration import pixel_scaling
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.runtime.robot import Observation, Robot


@dataclass(frozen=True)
class RecorderConfig:
    """How episodes are sampled and stored.

    Attributes:
        rate_hz: sampling rate [Hz] of the robot's clock (the authors' Kinova data: 15 Hz).
        image_size: stored (width, height) [px]; the public Kinova data is 224 x 224.
        camera_dirs: robot camera name -> directory under ``images/``; None takes
            ``layout.DEFAULT_CAMERA_DIRS`` for the robot's cameras. Cameras left out are not stored.
    """

    rate_hz: float = 15.0
    image_size: tuple[int, int] = (224, 224)
    camera_dirs: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.rate_hz <= 1000.0:
            raise ConfigError(f"RecorderConfig.rate_hz = {self.rate_hz}; expected in (0, 1000] Hz")
        if len(self.image_size) != 2 or min(self.image_size) <= 0:
            raise ConfigError(
                f"RecorderConfig.image_size = {self.image_size}; expected (width, height) > 0"
            )
        if self.camera_dirs is not None:
            check_camera_dirs(self.camera_dirs)


@dataclass(frozen=True)
class EpisodeLabel:
    """What an episode is: task family, variation, instruction, and the seed that generated it."""

    task: str
    variation: str
    instruction: str
    seed: int


class StepTracker(Protocol):
    """Something that follows points through the recorded steps (``tracks.GroundTruthTracker``)."""

    camera: str
    image_size: tuple[int, int]

    def reset(self) -> None:
        """Forget everything; the next ``sample`` is step 0."""
        ...

    def sample(self) -> None:
        """Record the points at the robot's current state."""
        ...

    def result(self) -> PointTracks:
        """The tracks of every step sampled since ``reset``."""
        ...


def _scaled_intrinsics(
    intrinsics: np.ndarray, from_size: tuple[int, int], to_size: tuple[int, int]
) -> np.ndarray:
    """(3, 3) K of an image resized from ``from_size`` to ``to_size`` (width, height) [px]."""
    return pixel_scaling(from_size, to_size) @ np.asarray(intrinsics, dtype=float)


class EpisodeRecorder:
    """Samples a ``Robot`` at a fixed rate during a procedure; writes the episode on success.

    It is the ``Sampler`` handed to ``Robot.move_linear`` / ``Robot.set_gripper``.

    Args:
        robot: the robot to record.
        config: rate, stored image size and camera directories.
        tracker: optional point tracker sampled at the same instants (its image size must be
            the stored one, its camera a stored camera).
    """

    def __init__(
        self,
        robot: Robot,
        config: RecorderConfig | None = None,
        tracker: StepTracker | None = None,
    ) -> None:
        self.robot = robot
        self.config = config or RecorderConfig()
        dirs = self.config.camera_dirs
        self.camera_dirs = (
            check_camera_dirs(dirs) if dirs is not None else default_camera_dirs(robot.camera_names)
        )
        unknown = sorted(set(self.camera_dirs) - set(robot.camera_names))
        if unknown:
            raise ConfigError(
                f"camera_dirs names cameras {unknown}; the robot has {robot.camera_names}"
            )
        if tracker is not None and (
            tracker.camera not in self.camera_dirs
            or tuple(tracker.image_size) != tuple(self.config.image_size)
        ):
            raise ConfigError(
                f"tracker of camera {tracker.camera!r} at {tracker.image_size}; expected a stored "
                f"camera {sorted(self.camera_dirs)} at {self.config.image_size}"
            )
        self.tracker = tracker
        self._period = 1.0 / self.config.rate_hz
        self._label: EpisodeLabel | None = None
        self._frames: list[Frame] = []
        self._cameras: tuple[CameraInfo, ...] = ()
        self._start_time = 0.0
        self._slot = 0
        self._num_samples = 0

    @property
    def frames(self) -> tuple[Frame, ...]:
        """The frames recorded since ``start``."""
        return tuple(self._frames)

    @property
    def num_steps(self) -> int:
        """Samples taken since ``start`` (frames beyond ``MAX_STEPS`` are counted, not kept)."""
        return self._num_samples

    def start(self, label: EpisodeLabel) -> None:
        """Begin an episode: forget any previous one and take frame 0 now."""
        self._label = label
        self._frames.clear()
        self._num_samples = 0
        self._start_time = self.robot.time
        self._slot = 0
        if self.tracker is not None:
            self.tracker.reset()
        self.sample()

    def next_sample_time(self) -> float:
        """Robot-clock time [s] of the next frame; ``inf`` before ``start``."""
        if self._label is None:
            return math.inf
        return self._start_time + self._slot * self._period

    def sample(self) -> None:
        """Take a frame now and schedule the next slot after the robot's current time."""
        if self._label is None:
            raise DatasetError("EpisodeRecorder.sample called before start()")
        observation = self.robot.observe(self.config.image_size)
        if self._num_samples == 0:
            self._cameras = self._camera_infos(observation)
        if self._num_samples < MAX_STEPS:
            self._frames.append(self._frame(observation))
            if self.tracker is not None:
                self.tracker.sample()
        self._num_samples += 1
        now = self.robot.time
        self._slot += 1
        while self.next_sample_time() <= now:
            self._slot += 1

    def _resized(self, image: np.ndarray) -> np.ndarray:
        width, height = self.config.image_size
        if image.shape[:2] == (height, width):
            return image
        return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)

    def _frame(self, observation: Observation) -> Frame:
        return Frame(
            time=observation.time,
            images={name: self._resized(observation.images[name]) for name in self.camera_dirs},
            proprio=observation.proprio,
            joint_positions=observation.joint_positions,
        )

    def _camera_infos(self, observation: Observation) -> tuple[CameraInfo, ...]:
        cameras = []
        for name, directory in self.camera_dirs.items():
            height, width = observation.images[name].shape[:2]
            cameras.append(
                CameraInfo(
                    name=name,
                    directory=directory,
                    intrinsics=_scaled_intrinsics(
                        observation.intrinsics[name], (width, height), self.config.image_size
                    ),
                    extrinsics=observation.extrinsics[name],
                )
            )
        return tuple(cameras)

    def finish(
        self, success: bool, directory: Path, instruction_embedding: np.ndarray
    ) -> Path | None:
        """End the episode: write it to ``directory`` on success, discard it otherwise.

        Args:
            success: whether the procedure succeeded.
            directory: the episode directory to create (e.g. ``Collection.episode_path(seed)``).
            instruction_embedding: (512,) text embedding of the label's instruction.

        Returns:
            The episode directory, or None when discarded.

        Raises:
            DatasetError: a successful episode outside 30..450 steps (nothing is written).
        """
        label, self._label = self._label, None
        if label is None:
            raise DatasetError("EpisodeRecorder.finish called before start()")
        frames, self._frames = self._frames, []
        if not success:
            return None
        if self._num_samples > MAX_STEPS:
            seconds = MAX_STEPS * self._period
            raise DatasetError(
                f"{directory}: {self._num_samples} steps recorded; the public ARM4R reader keeps "
                f"at most {MAX_STEPS} ({seconds:.0f} s at {self.config.rate_hz} Hz)"
            )
        meta = EpisodeMeta(
            task=label.task,
            variation=label.variation,
            instruction=label.instruction,
            seed=label.seed,
            cell=self.robot.cell_name,
            robot=self.robot.name,
            rate_hz=self.config.rate_hz,
            image_size=tuple(self.config.image_size),
            cameras=self._cameras,
            success=True,
        )
        tracks = self.tracker.result() if self.tracker is not None else None
        return write_episode(directory, frames, meta, instruction_embedding, tracks)
