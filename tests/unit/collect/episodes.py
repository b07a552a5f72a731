"""Synthetic episodes for format and resume tests: real JPEG and zarr, random content."""

from pathlib import Path

import numpy as np

from arm4r_policy.collect import CameraInfo, EpisodeMeta, Frame, write_episode
from arm4r_policy.sim import intrinsics_matrix

IMAGE_SIZE = (32, 24)  # (width, height) [px]: small, and not square, to catch swapped axes


def make_meta(seed: int = 0, task: str = "pick_cube", variation: str = "yellow") -> EpisodeMeta:
    cameras = tuple(
        CameraInfo(
            name=name,
            directory=directory,
            intrinsics=intrinsics_matrix(52.0, *IMAGE_SIZE),
            extrinsics=np.eye(4),
        )
        for name, directory in (("side", "exterior_image_1_left"), ("ego", "wrist_image_left"))
    )
    return EpisodeMeta(
        task=task,
        variation=variation,
        instruction="pick up the yellow cube",
        seed=seed,
        cell="kinova",
        robot="kinova_gen3+robotiq_2f85",
        rate_hz=15.0,
        image_size=IMAGE_SIZE,
        cameras=cameras,
    )


def make_frames(count: int, seed: int = 0):
    """``count`` frames of random images and states, generated lazily."""
    rng = np.random.default_rng(seed)
    width, height = IMAGE_SIZE
    for step in range(count):
        yield Frame(
            time=step / 15.0,
            images={
                name: rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
                for name in ("side", "ego")
            },
            proprio=rng.uniform(-1.0, 1.0, 7),
            joint_positions=rng.uniform(-1.0, 1.0, 7),
        )


def make_episode(directory: Path, seed: int = 0, steps: int = 30, **meta) -> Path:
    embedding = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
    return write_episode(directory, make_frames(steps, seed), make_meta(seed, **meta), embedding)


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (hidden ones too) with its content; directories map to None."""
    return {
        str(path.relative_to(root)): path.read_bytes() if path.is_file() else None
        for path in sorted(Path(root).rglob("*"))
    }
