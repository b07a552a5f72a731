"""One episode on disk, in the public ARM4R layout, written whole or not at all.

An episode directory (``layout`` says where it goes)::

    proprio.zarr          (T, 7) float32: x, y, z [m], Euler XYZ a, b, c [rad], gripper [0, 1]
    action.zarr           (T, 7) float32: action[t] = proprio[t + 1]; the last action repeats
                          the last state (the episode ends at rest)
    instruction.txt       the instruction, UTF-8
    instruction.zarr      (512,) float32: the instruction's CLIP text embedding
    images/<dir>/00000.jpg, 00001.jpg, ...: every step of every camera, RGB, JPEG quality 95
    joint_positions.zarr  (T, 7) float32: joint angles [rad]  (ours, like everything below;
                          the public reader ignores it)
    timestamps.zarr       (T,) float64: robot clock at each step [s]
    meta.json             cell, robot, cameras (intrinsics at the stored size, camera-to-base
                          extrinsics), rate, task, variation, instruction, seed, success, num_steps
    points.zarr           (T, n, 3) float32: optional ground-truth point tracks, camera frame [m]
    points_uvd.zarr       (T, n, 3) float32: the same as (u, v [px], depth [m])
    visibility.zarr       (T, n) bool

Arrays are zarr format 2, one chunk (``arrays``). The state is the TCP pose in the robot base frame
(Euler angles intrinsic X-Y-Z as in ``arm4r_policy.runtime.pose``) and the measured gripper closure.
Everything is written into a hidden sibling directory and renamed into place when complete
(``atomic``), so a killed writer never leaves something that looks like an episode.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.collect.arrays import write_array
from arm4r_policy.collect.atomic import StagedDirectory, write_json_atomically
from arm4r_policy.collect.layout import (
    ACTION_FILE,
    FORMAT_NAME,
    FORMAT_VERSION,
    IMAGES_DIR,
    INSTRUCTION_EMBEDDING_FILE,
    INSTRUCTION_TEXT_FILE,
    JOINT_POSITIONS_FILE,
    MAX_STEPS,
    META_FILE,
    MIN_STEPS,
    POINTS_FILE,
    POINTS_UVD_FILE,
    PROPRIO_FILE,
    TIMESTAMPS_FILE,
    VISIBILITY_FILE,
    check_camera_dirs,
    check_path_component,
    frame_file_name,
)
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.model.text import INSTRUCTION_DIM

JPEG_QUALITY = 95
STATE_FIELDS = ("x", "y", "z", "a", "b", "c", "gripper")
"""Columns of ``proprio`` and ``action``: position [m], Euler XYZ [rad], closure (0 open)."""
ACTION_CONVENTION = "action[t] = proprio[t + 1]; action[T - 1] = proprio[T - 1]"
TRACKS_FRAME = "camera, OpenCV axes (x right, y down, z forward) [m]"


def _check_matrix(value: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
    matrix = np.asarray(value, dtype=float)
    if matrix.shape != shape or not np.isfinite(matrix).all():
        raise ConfigError(f"{what} has shape {matrix.shape}; expected finite {shape}")
    return matrix


@dataclass(frozen=True)
class CameraInfo:
    """A camera as stored: its robot name, its image directory and its calibration.

    Attributes:
        name: the robot's camera name (``Observation.images`` key), e.g. ``"side"``.
        directory: the directory under ``images/``, e.g. ``"exterior_image_1_left"``.
        intrinsics: (3, 3) K [px] at the STORED image size.
        extrinsics: (4, 4) camera-to-base pose, OpenCV axes, at step 0.
    """

    name: str
    directory: str
    intrinsics: np.ndarray
    extrinsics: np.ndarray

    def __post_init__(self) -> None:
        check_path_component(self.directory, f"image directory of camera {self.name!r}")
        _check_matrix(self.intrinsics, (3, 3), f"camera {self.name!r} intrinsics")
        _check_matrix(self.extrinsics, (4, 4), f"camera {self.name!r} extrinsics")


@dataclass(frozen=True)
class EpisodeMeta:
    """What ``meta.json`` says about an episode besides its length.

    Attributes:
        task, variation: the task family and its variation (directory names).
        instruction: the natural-language instruction.
        seed: the seed the episode was generated with.
        cell: the robot cell, e.g. ``"kinova"``.
        robot: arm and gripper.
        rate_hz: sampling rate [Hz].
        image_size: stored (width, height) [px] of every camera.
        cameras: one entry per stored camera.
        success: whether the procedure reported success.
    """

    task: str
    variation: str
    instruction: str
    seed: int
    cell: str
    robot: str
    rate_hz: float
    image_size: tuple[int, int]
    cameras: tuple[CameraInfo, ...]
    success: bool = True

    def __post_init__(self) -> None:
        check_path_component(self.task, "task")
        check_path_component(self.variation, "variation")
        check_path_component(self.cell, "cell")
        if not self.instruction.strip():
            raise ConfigError(f"instruction = {self.instruction!r}; expected a non-empty text")
        if self.seed < 0 or not self.rate_hz > 0.0:
            raise ConfigError(
                f"seed = {self.seed}, rate_hz = {self.rate_hz}; expected seed >= 0, rate > 0"
            )
        if len(self.image_size) != 2 or min(self.image_size) <= 0:
            raise ConfigError(f"image_size = {self.image_size}; expected (width, height) > 0")
        names = [camera.name for camera in self.cameras]
        if len(set(names)) != len(names):
            raise ConfigError(f"cameras {names}; expected distinct camera names")
        check_camera_dirs({camera.name: camera.directory for camera in self.cameras})

    def camera(self, name: str) -> CameraInfo:
        """The stored camera called ``name`` by the robot."""
        for camera in self.cameras:
            if camera.name == name:
                return camera
        raise DatasetError(
            f"camera {name!r} is not stored; cameras: {[c.name for c in self.cameras]}"
        )

    def to_json(self, num_steps: int) -> dict:
        """The ``meta.json`` document of an episode of ``num_steps`` steps."""
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "task": self.task,
            "variation": self.variation,
            "instruction": self.instruction,
            "seed": self.seed,
            "success": self.success,
            "cell": self.cell,
            "robot": self.robot,
            "rate_hz": self.rate_hz,
            "num_steps": num_steps,
            "image_size": list(self.image_size),
            "state_fields": list(STATE_FIELDS),
            "action": ACTION_CONVENTION,
            "cameras": {
                camera.directory: {
                    "camera": camera.name,
                    "intrinsics": np.asarray(camera.intrinsics, dtype=float).tolist(),
                    "extrinsics": np.asarray(camera.extrinsics, dtype=float).tolist(),
                }
                for camera in self.cameras
            },
        }


@dataclass(frozen=True)
class Frame:
    """One recorded step.

    Attributes:
        time: robot clock [s].
        images: robot camera name -> (H, W, 3) uint8 RGB at the stored size.
        proprio: (7,) state, ``STATE_FIELDS``.
        joint_positions: (7,) [rad].
    """

    time: float
    images: dict[str, np.ndarray]
    proprio: np.ndarray
    joint_positions: np.ndarray


@dataclass(frozen=True)
class PointTracks:
    """Points tracked through an episode in one camera.

    Attributes:
        camera: robot camera name.
        points: (T, n, 3) float32 positions [m] in the camera frame, OpenCV axes.
        uvd: (T, n, 3) float32 ``(u, v [px], depth [m])``; ``points`` projected with ``intrinsics``.
        visibility: (T, n) bool, whether the camera sees each point at each step.
        intrinsics: (3, 3) K [px] at ``image_size``.
        image_size: (width, height) [px] the tracks were made at.
        grid_size: g of the g x g grid the n = g * g points started on.
        depth_tolerance: [m] a point counts as visible where the rendered depth is within this
            of its own depth.
    """

    camera: str
    points: np.ndarray
    uvd: np.ndarray
    visibility: np.ndarray
    intrinsics: np.ndarray
    image_size: tuple[int, int]
    grid_size: int
    depth_tolerance: float

    def __post_init__(self) -> None:
        steps, count = self.visibility.shape[:2] if self.visibility.ndim == 2 else (-1, -1)
        expected = (steps, count, 3)
        if (
            self.points.shape != expected
            or self.uvd.shape != expected
            or self.visibility.dtype != np.bool_
            or count != self.grid_size**2
        ):
            raise ConfigError(
                f"point tracks: points {self.points.shape}, uvd {self.uvd.shape}, visibility "
                f"{self.visibility.shape} {self.visibility.dtype}, grid {self.grid_size}; expected "
                "(T, g*g, 3), (T, g*g, 3) and (T, g*g) bool"
            )
        _check_matrix(self.intrinsics, (3, 3), "point tracks intrinsics")

    def to_json(self, directory: str) -> dict:
        """The ``tracks`` entry of ``meta.json``; ``directory`` is the camera's image directory."""
        return {
            "camera": self.camera,
            "directory": directory,
            "grid_size": self.grid_size,
            "num_points": self.grid_size**2,
            "image_size": list(self.image_size),
            "intrinsics": np.asarray(self.intrinsics, dtype=float).tolist(),
            "frame": TRACKS_FRAME,
            "depth_tolerance": self.depth_tolerance,
        }


def project(points: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """(..., 3) ``(u, v [px], depth [m])`` of camera-frame points (..., 3) [m], OpenCV axes."""
    depth = points[..., 2:3]
    pixels = (points / depth) @ np.asarray(intrinsics, dtype=float).T
    return np.concatenate([pixels[..., :2], depth], axis=-1)


def lift(uvd: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """Camera-frame points (..., 3) [m] of ``(u, v [px], depth [m])`` (..., 3); see ``project``."""
    uvd = np.asarray(uvd, dtype=float)
    homogeneous = np.concatenate([uvd[..., :2], np.ones_like(uvd[..., 2:3])], axis=-1)
    return homogeneous @ np.linalg.inv(intrinsics).T * uvd[..., 2:3]


def encode_jpeg(image: np.ndarray) -> bytes:
    """JPEG bytes (quality 95) of an (H, W, 3) uint8 RGB image."""
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
    )
    if not ok:
        raise DatasetError(f"JPEG encoding failed for an image of shape {image.shape}")
    return encoded.tobytes()


def actions_from_states(proprio: np.ndarray) -> np.ndarray:
    """(T, 7) actions of (T, 7) states: the next state, the last one repeated at the end."""
    return np.concatenate([proprio[1:], proprio[-1:]], axis=0)


class EpisodeWriter:
    """Writes one episode frame by frame into a hidden staging directory, then renames it.

    Use as a context manager: leaving the block by an exception, or without ``finish``, removes
    everything written so far. Images are encoded as frames arrive; arrays and ``meta.json`` are
    written by ``finish``.

    Args:
        directory: the episode directory to create; it must not exist.
        meta: what the episode is.
        instruction_embedding: (512,) the instruction's text embedding (see
            ``arm4r_policy.model.text.load_instruction_encoder``).
    """

    def __init__(
        self, directory: Path, meta: EpisodeMeta, instruction_embedding: np.ndarray
    ) -> None:
        embedding = np.asarray(instruction_embedding, dtype=np.float32)
        if embedding.shape != (INSTRUCTION_DIM,) or not np.isfinite(embedding).all():
            raise DatasetError(
                f"instruction_embedding has shape {embedding.shape}; expected finite "
                f"({INSTRUCTION_DIM},)"
            )
        self.meta = meta
        self._embedding = embedding
        self._stage = StagedDirectory(directory)
        self._image_dirs = {}
        for camera in meta.cameras:
            self._image_dirs[camera.name] = self._stage.path / IMAGES_DIR / camera.directory
            self._image_dirs[camera.name].mkdir(parents=True)
        self._times: list[float] = []
        self._proprio: list[np.ndarray] = []
        self._joints: list[np.ndarray] = []

    @property
    def directory(self) -> Path:
        """The final episode directory."""
        return self._stage.final

    @property
    def num_steps(self) -> int:
        return len(self._times)

    def add(self, frame: Frame) -> None:
        """Append one step: its images are encoded and written now.

        Raises:
            DatasetError: the frame is malformed, or this would be step ``MAX_STEPS + 1``.
        """
        step = self.num_steps
        if step >= MAX_STEPS:
            raise DatasetError(
                f"{self.directory}: more than {MAX_STEPS} steps; the public ARM4R reader drops "
                f"episodes outside [{MIN_STEPS}, {MAX_STEPS}] steps"
            )
        proprio, joints = self._check_frame(frame, step)
        width, height = self.meta.image_size
        for name, image_dir in self._image_dirs.items():
            image = frame.images[name]
            if image.shape != (height, width, 3) or image.dtype != np.uint8:
                raise DatasetError(
                    f"frame {step}: images[{name!r}] is {image.shape} {image.dtype}; "
                    f"expected ({height}, {width}, 3) uint8"
                )
            (image_dir / frame_file_name(step)).write_bytes(encode_jpeg(image))
        self._times.append(float(frame.time))
        self._proprio.append(proprio)
        self._joints.append(joints)

    def _check_frame(self, frame: Frame, step: int) -> tuple[np.ndarray, np.ndarray]:
        if set(frame.images) != set(self._image_dirs):
            raise DatasetError(
                f"frame {step}: images of cameras {sorted(frame.images)}; expected "
                f"{sorted(self._image_dirs)}"
            )
        proprio = np.asarray(frame.proprio, dtype=np.float32)
        joints = np.asarray(frame.joint_positions, dtype=np.float32)
        for name, values in (("proprio", proprio), ("joint_positions", joints)):
            if values.shape != (7,) or not np.isfinite(values).all():
                raise DatasetError(f"frame {step}: {name} = {values}; expected 7 finite values")
        if self._times and not frame.time > self._times[-1]:
            raise DatasetError(
                f"frame {step}: time {frame.time} s; expected after {self._times[-1]} s"
            )
        return proprio, joints

    def finish(self, tracks: PointTracks | None = None) -> Path:
        """Write the arrays and ``meta.json``, rename into place and return the directory.

        Args:
            tracks: ground-truth point tracks of the same steps, stored beside the episode.

        Raises:
            DatasetError: fewer than ``MIN_STEPS`` steps, or tracks of another length or camera.
                The staging directory is removed.
        """
        try:
            return self._finish(tracks)
        except BaseException:
            self._stage.discard()
            raise

    def _finish(self, tracks: PointTracks | None) -> Path:
        steps = self.num_steps
        if steps < MIN_STEPS:
            raise DatasetError(
                f"{self.directory}: {steps} steps; the public ARM4R reader keeps episodes of "
                f"{MIN_STEPS} to {MAX_STEPS} steps"
            )
        staging = self._stage.path
        proprio = np.stack(self._proprio)
        write_array(staging / PROPRIO_FILE, proprio)
        write_array(staging / ACTION_FILE, actions_from_states(proprio))
        write_array(staging / JOINT_POSITIONS_FILE, np.stack(self._joints))
        write_array(staging / TIMESTAMPS_FILE, np.asarray(self._times, dtype=np.float64))
        write_array(staging / INSTRUCTION_EMBEDDING_FILE, self._embedding)
        (staging / INSTRUCTION_TEXT_FILE).write_text(self.meta.instruction, encoding="utf-8")
        document = self.meta.to_json(steps)
        if tracks is not None:
            document["tracks"] = self._write_tracks(tracks, steps)
        write_json_atomically(staging / META_FILE, document)
        return self._stage.commit()

    def _write_tracks(self, tracks: PointTracks, steps: int) -> dict:
        if len(tracks.points) != steps:
            raise DatasetError(
                f"point tracks have {len(tracks.points)} steps; the episode has {steps}"
            )
        directory = self.meta.camera(tracks.camera).directory
        staging = self._stage.path
        write_array(staging / POINTS_FILE, tracks.points.astype(np.float32))
        write_array(staging / POINTS_UVD_FILE, tracks.uvd.astype(np.float32))
        write_array(staging / VISIBILITY_FILE, tracks.visibility)
        return tracks.to_json(directory)

    def abort(self) -> None:
        """Remove everything written; no episode is created."""
        self._stage.discard()

    def __enter__(self) -> EpisodeWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self._stage.discard()


def write_episode(
    directory: Path,
    frames: Iterable[Frame],
    meta: EpisodeMeta,
    instruction_embedding: np.ndarray,
    tracks: PointTracks | None = None,
) -> Path:
    """Write a whole episode from an iterable of ``Frame`` and return its directory.

    If ``frames`` raises, or anything is invalid, nothing is left behind (see ``EpisodeWriter``).
    """
    with EpisodeWriter(directory, meta, instruction_embedding) as writer:
        for frame in frames:
            writer.add(frame)
        return writer.finish(tracks)
