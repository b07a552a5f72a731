"""Training loader speed vs training speed, tiny preset, on a synthetic collection written here.

The collection is written with the collector's own ``write_episode`` (2 cameras, 100 steps per
episode) at 96 px (the tiny model's input size) and at 224 px (the Kinova cell's stored size).
For each, the loader's training samples/s is measured with 0 and 2 workers, without and with the
decoded-frame cache (the cached figure is an epoch after a warm-up epoch), and compared with the
samples/s of a tiny-model training step (batch 8, C = 16, forward + backward + AdamW) measured in
the same run: the loader keeps up when the ratio is above 1.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import torch

from arm4r_policy.collect import CameraInfo, EpisodeMeta, Frame, collection_directory, write_episode
from arm4r_policy.model import ARM4R, ARM4RConfig
from arm4r_policy.model.arm4r import l1_loss
from arm4r_policy.model.text import HASHING_ENCODER_NAME
from arm4r_training.data import DataOptions, WindowDataset, build_dataset, make_loader

EPISODES = 8
STEPS = 100
BATCH = 8
BATCHES = 24
CACHE_BYTES = 2 << 30
CAMERAS = (("side", "exterior_image_1_left"), ("ego", "wrist_image_left"))


def _frames(size: int, rng: np.random.Generator) -> Iterator[Frame]:
    """A textured scene sliding by, with sensor noise; a slow arc of the end effector."""
    y, x = np.mgrid[0:size, 0:size]
    t = np.linspace(0.0, 1.0, STEPS)
    states = np.stack([0.4 + 0.1 * t, 0.1 * t, 0.3 - 0.1 * t, np.pi + 0 * t, 0 * t, t, t > 0.5])
    for step in range(STEPS):
        scene = (x + 2 * y + 3 * step) % 256
        noise = rng.integers(0, 24, (size, size, 3))
        image = (scene[..., None] * np.array([0.5, 0.8, 1.0]) + noise).astype(np.uint8)
        images = {"side": image, "ego": image[::-1]}
        yield Frame(step / 15.0, images, states[:, step], np.zeros(7))


def write_collection(root: Path, size: int) -> Path:
    """``EPISODES`` episodes of frames ``size`` px square under ``root``; returns the root."""
    rng = np.random.default_rng(0)
    intrinsics = np.array([[size, 0.0, size / 2], [0.0, size, size / 2], [0.0, 0.0, 1.0]])
    cameras = tuple(CameraInfo(name, folder, intrinsics, np.eye(4)) for name, folder in CAMERAS)
    directory = collection_directory(root, "pick_cube", "yellow", "kinova")
    for seed in range(EPISODES):
        meta = EpisodeMeta(
            task="pick_cube",
            variation="yellow",
            instruction="pick up the yellow cube",
            seed=seed,
            cell="kinova",
            robot="bench",
            rate_hz=15.0,
            image_size=(size, size),
            cameras=cameras,
        )
        embedding = rng.standard_normal(512).astype(np.float32)
        write_episode(directory / f"episode_{seed:06d}", _frames(size, rng), meta, embedding)
    return root


def loader_samples_per_s(dataset: WindowDataset, num_workers: int) -> tuple[float, float]:
    """Training samples/s of a fresh loader: its first epoch, and the next (caches warm)."""
    loader = make_loader(dataset, BATCH, num_workers=num_workers, seed=0)
    rates = []
    for epoch in range(2):
        loader.sampler.set_epoch(epoch)
        batches = iter(loader)
        next(batches)  # worker start-up is not loading
        start = time.perf_counter()
        count = sum(len(batch["states"]) for batch in islice(batches, BATCHES))
        rates.append(count / (time.perf_counter() - start))
        for _ in batches:  # finish the epoch: every frame has then been decoded once
            pass
    return rates[0], rates[1]


def training_samples_per_s(config: ARM4RConfig, dataset: WindowDataset) -> float:
    """Samples/s of tiny-model training steps on ready batches (loading excluded)."""
    torch.manual_seed(0)
    model = ARM4R(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    times = []
    for batch in islice(make_loader(dataset, BATCH, seed=0), 4):
        start = time.perf_counter()
        prediction = model(batch["images"], batch["states"], batch["actions"], batch["instruction"])
        loss = l1_loss(prediction, batch["targets"], batch["mask"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return BATCH / float(np.median(times[1:]))


def main() -> None:
    logging.getLogger("arm4r_policy").setLevel(logging.ERROR)
    logging.getLogger("arm4r_training").setLevel(logging.ERROR)
    config = ARM4RConfig.tiny(context=16, instruction_encoder=HASHING_ENCODER_NAME)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; tiny preset, C = 16, "
        f"{config.image_size} px input, {EPISODES} episodes x {STEPS} steps x 2 cameras",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as directory:
        training = None
        for size in (96, 224):
            root = write_collection(Path(directory) / f"{size}px", size)
            for cache in (0, CACHE_BYTES):
                options = DataOptions(val_fraction=0.0, cache_bytes=cache)
                dataset, _ = build_dataset(config, root, options=options)
                if training is None:
                    training = training_samples_per_s(config, dataset)
                    print(
                        f"tiny training step, batch {BATCH}: {training:.1f} samples/s", flush=True
                    )
                for workers in (0, 2):
                    first, warm = loader_samples_per_s(dataset, workers)
                    rate = warm if cache else first
                    note = f" (first epoch {first:.1f})" if cache else ""
                    print(
                        f"stored {size:3d} px, cache {'on ' if cache else 'off'}, {workers} "
                        f"workers: {rate:6.1f} samples/s = {rate / training:5.1f} x training{note}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
