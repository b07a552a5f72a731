"""Check an episode directory against the format ``episode`` writes, file by file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from arm4r_policy.collect.arrays import read_array
from arm4r_policy.collect.episode import CameraInfo, EpisodeMeta, actions_from_states, lift
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
    frame_file_name,
)
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.model.text import INSTRUCTION_DIM

_JPEG_END = b"\xff\xd9"
_REPROJECTION_TOLERANCE = 1e-4  # relative: uvd and points are float32 roundings of one value


@dataclass(frozen=True)
class EpisodeInfo:
    """A valid episode: where it is, what it is, how long it is.

    Attributes:
        path: the episode directory.
        meta: its ``meta.json`` apart from the length.
        num_steps: T.
        tracks: the ``tracks`` entry of ``meta.json`` when point tracks are stored, else None.
    """

    path: Path
    meta: EpisodeMeta
    num_steps: int
    tracks: dict | None


def _field(document: dict, key: str, kind: type | tuple[type, ...], source: Path):
    if key not in document:
        raise DatasetError(f"{source}: field {key!r} is missing")
    value = document[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise DatasetError(f"{source}: field {key!r} = {value!r}; expected {kind}")
    return value


def _read_cameras(entries: dict, source: Path) -> tuple[CameraInfo, ...]:
    cameras = []
    for directory, entry in entries.items():
        if not isinstance(entry, dict):
            raise DatasetError(f"{source}: cameras[{directory!r}] = {entry!r}; expected an object")
        cameras.append(
            CameraInfo(
                name=_field(entry, "camera", str, source),
                directory=directory,
                intrinsics=np.asarray(_field(entry, "intrinsics", list, source), dtype=float),
                extrinsics=np.asarray(_field(entry, "extrinsics", list, source), dtype=float),
            )
        )
    return tuple(cameras)


def read_json_object(source: Path) -> dict:
    """A JSON file holding an object, or a DatasetError naming the file."""
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DatasetError(f"{source}: unreadable JSON ({error})") from error
    if not isinstance(document, dict):
        raise DatasetError(f"{source}: expected a JSON object")
    return document


def read_meta(path: Path) -> tuple[EpisodeMeta, int, dict | None]:
    """Parse an episode's ``meta.json``: its ``EpisodeMeta``, ``num_steps`` and ``tracks`` entry."""
    source = Path(path) / META_FILE
    document = read_json_object(source)
    if document.get("format") != FORMAT_NAME or document.get("format_version") != FORMAT_VERSION:
        raise DatasetError(
            f"{source}: format {document.get('format')!r} version "
            f"{document.get('format_version')!r}; expected {FORMAT_NAME!r} {FORMAT_VERSION}"
        )
    try:
        meta = EpisodeMeta(
            task=_field(document, "task", str, source),
            variation=_field(document, "variation", str, source),
            instruction=_field(document, "instruction", str, source),
            seed=_field(document, "seed", int, source),
            cell=_field(document, "cell", str, source),
            robot=_field(document, "robot", str, source),
            rate_hz=float(_field(document, "rate_hz", (int, float), source)),
            image_size=tuple(_field(document, "image_size", list, source)),
            cameras=_read_cameras(_field(document, "cameras", dict, source), source),
            success=_field(document, "success", bool, source),
        )
    except (ConfigError, TypeError, ValueError) as error:
        raise DatasetError(f"{source}: {error}") from error
    tracks = document.get("tracks")
    if tracks is not None and not isinstance(tracks, dict):
        raise DatasetError(f"{source}: field 'tracks' = {tracks!r}; expected an object")
    return meta, _field(document, "num_steps", int, source), tracks


def _check_states(path: Path, steps: int) -> None:
    proprio = read_array(path / PROPRIO_FILE, np.float32, (steps, 7))
    action = read_array(path / ACTION_FILE, np.float32, (steps, 7))
    joints = read_array(path / JOINT_POSITIONS_FILE, np.float32, (steps, 7))
    times = read_array(path / TIMESTAMPS_FILE, np.float64, (steps,))
    for name, values in (("proprio", proprio), ("action", action), ("joint_positions", joints)):
        if not np.isfinite(values).all():
            raise DatasetError(f"{path / (name + '.zarr')}: holds non-finite values")
    if not np.array_equal(action, actions_from_states(proprio)):
        step = int(np.argmax(np.any(action != actions_from_states(proprio), axis=1)))
        raise DatasetError(
            f"{path / ACTION_FILE}: action[{step}] = {action[step]}; expected the next state "
            f"{actions_from_states(proprio)[step]}"
        )
    if not (np.isfinite(times).all() and np.all(np.diff(times) > 0.0)):
        raise DatasetError(f"{path / TIMESTAMPS_FILE}: expected finite, increasing times")


def _check_instruction(path: Path, meta: EpisodeMeta) -> None:
    embedding = read_array(path / INSTRUCTION_EMBEDDING_FILE, np.float32, (INSTRUCTION_DIM,))
    if not np.isfinite(embedding).all():
        raise DatasetError(f"{path / INSTRUCTION_EMBEDDING_FILE}: holds non-finite values")
    text_file = path / INSTRUCTION_TEXT_FILE
    text = text_file.read_text(encoding="utf-8") if text_file.is_file() else None
    if text != meta.instruction:
        raise DatasetError(
            f"{text_file}: holds {text!r}; expected the meta.json instruction {meta.instruction!r}"
        )


def _check_images(path: Path, meta: EpisodeMeta, steps: int, decode: bool) -> None:
    images = path / IMAGES_DIR
    found = {entry.name for entry in images.iterdir()} if images.is_dir() else set()
    expected = {camera.directory for camera in meta.cameras}
    if found != expected:
        raise DatasetError(f"{images}: holds {sorted(found)}; expected {sorted(expected)}")
    names = {frame_file_name(step) for step in range(steps)}
    width, height = meta.image_size
    for camera in meta.cameras:
        directory = images / camera.directory
        files = {entry.name for entry in directory.iterdir()}
        if files != names:
            missing, extra = sorted(names - files)[:3], sorted(files - names)[:3]
            raise DatasetError(
                f"{directory}: frames missing {missing}, unexpected {extra}; expected "
                f"{frame_file_name(0)} .. {frame_file_name(steps - 1)}"
            )
        if decode:
            for name in sorted(names):
                _check_jpeg(directory / name, (height, width, 3))


def _check_jpeg(file: Path, shape: tuple[int, int, int]) -> None:
    encoded = file.read_bytes()
    image = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or not encoded.endswith(_JPEG_END):
        raise DatasetError(f"{file}: not a complete JPEG image")
    if image.shape != shape:
        raise DatasetError(f"{file}: image of shape {image.shape}; expected {shape}")


def _check_tracks(path: Path, tracks: dict, steps: int) -> None:
    source = path / META_FILE
    count = _field(tracks, "num_points", int, source)
    try:
        intrinsics = np.asarray(_field(tracks, "intrinsics", list, source), dtype=float)
    except ValueError as error:
        raise DatasetError(f"{source}: tracks intrinsics ({error}); expected 3x3") from error
    points = read_array(path / POINTS_FILE, np.float32, (steps, count, 3))
    uvd = read_array(path / POINTS_UVD_FILE, np.float32, (steps, count, 3))
    read_array(path / VISIBILITY_FILE, np.bool_, (steps, count))
    if not (np.isfinite(points).all() and np.isfinite(uvd).all()):
        raise DatasetError(f"{path / POINTS_FILE}: holds non-finite values")
    if intrinsics.shape != (3, 3):
        raise DatasetError(f"{source}: tracks intrinsics of shape {intrinsics.shape}; expected 3x3")
    error = np.linalg.norm(lift(uvd, intrinsics) - points, axis=-1)
    scale = np.maximum(1.0, np.abs(points[..., 2]))
    if np.any(error > _REPROJECTION_TOLERANCE * scale):
        raise DatasetError(
            f"{path / POINTS_UVD_FILE}: (u, v, depth) lifted with the tracks intrinsics misses "
            f"points.zarr by {error.max():.2e} m"
        )


def validate_episode(path: Path, decode_images: bool = True) -> EpisodeInfo:
    """Check one episode directory completely and describe it.

    Checks: ``meta.json`` complete and of this format; 30 <= T <= 450 and every array of length T,
    zarr v2, one chunk, float32, finite; ``action[t] = proprio[t + 1]``; the instruction text and
    embedding; every frame of every camera present (and, with ``decode_images``, a complete JPEG
    of the stored size); stored point tracks consistent with their intrinsics.

    Raises:
        DatasetError: the first problem found, naming the file and the field.
    """
    path = Path(path)
    if not path.is_dir():
        raise DatasetError(f"{path}: not an episode directory")
    meta, steps, tracks = read_meta(path)
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise DatasetError(
            f"{path / META_FILE}: num_steps = {steps}; expected {MIN_STEPS} to {MAX_STEPS}"
        )
    _check_states(path, steps)
    _check_instruction(path, meta)
    _check_images(path, meta, steps, decode_images)
    if tracks is not None:
        _check_tracks(path, tracks, steps)
    return EpisodeInfo(path=path, meta=meta, num_steps=steps, tracks=tracks)
