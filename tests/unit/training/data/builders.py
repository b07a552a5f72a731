"""Real episodes on disk for the data tests: our layout via ``write_episode``, and the authors'.

Images are small and not square (to catch swapped axes); every pixel encodes its camera, its
position and its step, so a test can tell frames apart after a JPEG round trip. Trajectories are
smooth: a slow arc with a turning wrist and the gripper closing half way.
"""

import hashlib
import json
from pathlib import Path

import numpy as np

from arm4r_policy.collect import CameraInfo, EpisodeMeta, Frame, PointTracks, write_episode
from arm4r_policy.collect.arrays import write_array
from arm4r_policy.collect.episode import actions_from_states, encode_jpeg, project
from arm4r_policy.collect.layout import (
    ACTION_FILE,
    EXTERIOR_CAMERA,
    IMAGES_DIR,
    INSTRUCTION_EMBEDDING_FILE,
    INSTRUCTION_TEXT_FILE,
    META_FILE,
    POINTS_FILE,
    POINTS_UVD_FILE,
    PROPRIO_FILE,
    WRIST_CAMERA,
    frame_file_name,
)
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.sim import intrinsics_matrix

IMAGE_SIZE = (40, 32)  # (width, height) [px]
CAMERAS = {"side": EXTERIOR_CAMERA, "ego": WRIST_CAMERA}
INTRINSICS = intrinsics_matrix(60.0, *IMAGE_SIZE)
GRID = 2  # points per clip: GRID * GRID
INSTRUCTION = "pick up the yellow cube"


def control_config(**overrides) -> ARM4RConfig:
    """A tiny control model reading 32 px images of both cameras over 8 steps, 4 ahead."""
    values = dict(context=8, horizon=4, image_size=32, camera_names=("side", "ego"))
    return ARM4RConfig.tiny(**{**values, **overrides})


def points_config(**overrides) -> ARM4RConfig:
    values = dict(mode="points", grid=GRID, context=8, image_size=32, camera_names=("side", "ego"))
    return ARM4RConfig.tiny(**{**values, **overrides})


def trajectory(steps: int, seed: int = 0) -> np.ndarray:
    """(steps, 7) float32 states: xyz [m], Euler XYZ [rad], gripper."""
    phase = 0.3 * seed
    t = np.linspace(0.0, 1.0, steps)
    return np.stack(
        [
            0.45 + 0.1 * np.sin(2.0 * t + phase),
            0.1 * np.cos(2.0 * t + phase),
            0.3 - 0.15 * t,
            np.pi - 0.2 * np.sin(3.0 * t),
            0.15 * np.cos(2.5 * t + phase),
            0.8 * t - 0.4,
            (t > 0.5).astype(float),
        ],
        axis=1,
    ).astype(np.float32)


def image(camera: str, step: int, size: tuple[int, int] = IMAGE_SIZE) -> np.ndarray:
    """(H, W, 3) uint8: a gradient shifted by the step, one colour balance per camera."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    base = (3 * x + 2 * y + 4 * step) % 200 + 20
    offset = 30 if camera in ("ego", WRIST_CAMERA) else 0
    return np.stack([base, (base + offset) % 256, 255 - base], axis=-1).astype(np.uint8)


def embedding(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(512).astype(np.float32)


def meta(seed: int = 0, task: str = "pick_cube") -> EpisodeMeta:
    return EpisodeMeta(
        task=task,
        variation="yellow",
        instruction=INSTRUCTION,
        seed=seed,
        cell="kinova",
        robot="kinova_gen3+robotiq_2f85",
        rate_hz=15.0,
        image_size=IMAGE_SIZE,
        cameras=tuple(
            CameraInfo(name, directory, INTRINSICS, np.eye(4))
            for name, directory in CAMERAS.items()
        ),
    )


def tracks(steps: int, seed: int = 0) -> PointTracks:
    """GRID x GRID points 1-2 m in front of the side camera, drifting smoothly."""
    rng = np.random.default_rng(seed)
    start = np.column_stack(
        [
            rng.uniform(-0.3, 0.3, GRID**2),
            rng.uniform(-0.2, 0.2, GRID**2),
            rng.uniform(1, 2, GRID**2),
        ]
    )
    drift = np.linspace(0.0, 1.0, steps)[:, None, None] * np.array([0.1, -0.05, 0.2])
    points = start[None] + drift
    return PointTracks(
        camera="side",
        points=points.astype(np.float32),
        uvd=project(points, INTRINSICS).astype(np.float32),
        visibility=np.ones((steps, GRID**2), dtype=bool),
        intrinsics=INTRINSICS,
        image_size=IMAGE_SIZE,
        grid_size=GRID,
        depth_tolerance=0.01,
    )


def our_episode_dir(root: Path, task: str, seed: int) -> Path:
    return Path(root) / task / "yellow" / "kinova" / f"episode_{seed:06d}"


def write_ours(
    root: Path, seed: int = 0, steps: int = 30, task: str = "pick_cube", with_tracks: bool = False
) -> Path:
    """An episode written by the collector's ``write_episode`` (``meta.json`` and all)."""
    states = trajectory(steps, seed)
    frames = (
        Frame(
            time=step / 15.0,
            images={name: image(name, step) for name in CAMERAS},
            proprio=states[step],
            joint_positions=np.zeros(7),
        )
        for step in range(steps)
    )
    return write_episode(
        our_episode_dir(root, task, seed),
        frames,
        meta(seed, task),
        embedding(seed),
        tracks(steps, seed) if with_tracks else None,
    )


def write_authors(
    root: Path,
    name: str = "episode_0",
    states: np.ndarray | None = None,
    task: str = "pick_cube",
    seed: int = 0,
) -> Path:
    """An episode in the authors' released layout: no ``meta.json``, cameras by directory name."""
    states = trajectory(30, seed) if states is None else states
    path = Path(root) / task / "kinova_tasks" / "common_task" / name
    path.mkdir(parents=True)
    write_array(path / PROPRIO_FILE, states)
    write_array(path / ACTION_FILE, actions_from_states(states))
    write_array(path / INSTRUCTION_EMBEDDING_FILE, embedding(seed))
    (path / INSTRUCTION_TEXT_FILE).write_text(INSTRUCTION, encoding="utf-8")
    for directory in CAMERAS.values():
        (path / IMAGES_DIR / directory).mkdir(parents=True)
        for step in range(len(states)):
            frame = path / IMAGES_DIR / directory / frame_file_name(step)
            frame.write_bytes(encode_jpeg(image(directory, step)))
    return path


def tree_digest(root: Path) -> dict[str, str]:
    """Every path under ``root`` (hidden ones too) -> a hash of its content ("dir" for folders)."""
    return {
        str(path.relative_to(root)): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        )
        for path in sorted(Path(root).rglob("*"))
    }


def write_point_clip(
    root: Path,
    name: str,
    points: np.ndarray,
    form: str = "xyz",
    intrinsics: np.ndarray | None = None,
    camera: str = "ego_video",
) -> Path:
    """A single-view point clip from another source: one image directory, tracks in one form,
    and a ``meta.json`` holding only the tracks' intrinsics when given."""
    path = Path(root) / "epic" / "clips" / "p01" / name
    (path / IMAGES_DIR / camera).mkdir(parents=True)
    stored = points if form == "xyz" else project(points, INTRINSICS)
    write_array(
        path / (POINTS_FILE if form == "xyz" else POINTS_UVD_FILE), stored.astype(np.float32)
    )
    write_array(path / INSTRUCTION_EMBEDDING_FILE, embedding(7))
    (path / INSTRUCTION_TEXT_FILE).write_text("open drawer", encoding="utf-8")
    if intrinsics is not None:
        tracks_entry = {"tracks": {"intrinsics": np.asarray(intrinsics).tolist()}}
        (path / META_FILE).write_text(json.dumps(tracks_entry), encoding="utf-8")
    for step in range(len(points)):
        frame = path / IMAGES_DIR / camera / frame_file_name(step)
        frame.write_bytes(encode_jpeg(image(camera, step)))
    return path
