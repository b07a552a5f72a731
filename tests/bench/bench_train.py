"""Training speed: windows per second through the trainer's optimiser step, data loading excluded.

Each step runs the real ``Trainer.optimizer_step`` (forward, masked L1, backward, clipping,
AdamW) on a batch already in memory, so the figure compares directly with the loader's windows
per second: training is loader-bound when the loader delivers fewer. Tiny preset on 2 (and 1) CPU
threads, batch 8 windows of C = 16 steps; with CUDA also the paper preset in bf16, batch 64.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.data import Dataset

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer
from arm4r_training.train import DistributedContext, Recipe, RunOptions, Trainer, TrainingData

WARMUP_STEPS = 2
MEASURED_STEPS = 5


class RepeatedWindow(Dataset):
    """``size`` copies of one random window of the batch contract."""

    def __init__(self, config: ARM4RConfig, size: int) -> None:
        g = torch.Generator().manual_seed(0)
        T, K, a, S = config.context, config.horizon, config.action_dim, config.image_size
        self.size = size
        self.window = {
            "images": torch.randn(T, config.num_cameras, 3, S, S, generator=g),
            "states": torch.randn(T, config.state_dim, generator=g),
            "actions": torch.randn(T, a, generator=g),
            "targets": torch.randn(T, K, a, generator=g),
            "mask": torch.ones(T, K),
            "instruction": torch.randn(config.text_dim, generator=g),
        }

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return self.window


def training_samples_per_s(config: ARM4RConfig, batch: int, device: str, precision: str) -> float:
    """Windows per second over ``MEASURED_STEPS`` optimiser steps after a warm-up."""
    context = DistributedContext.from_env(device)
    torch.manual_seed(0)
    dataset = RepeatedWindow(config, batch)
    data = TrainingData(dataset, Normalizer.identity(config.state_dim, config.action_dim))
    recipe = Recipe.preset(3 if config.mode == "control" else 1, batch_size=batch, steps=100,
                           precision=precision)  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        options = RunOptions(Path(out), show_progress=False)
        trainer = Trainer(ARM4R(config), data, recipe, options, context)
        micro_batches = next(trainer.step_batches(epoch=0))
        micro_batches = [{k: v.to(context.device) for k, v in b.items()} for b in micro_batches]
        for _ in range(WARMUP_STEPS):
            trainer.optimizer_step(micro_batches)
        _synchronize(context.device)
        start = time.perf_counter()
        for _ in range(MEASURED_STEPS):
            trainer.optimizer_step(micro_batches)
        _synchronize(context.device)
    return MEASURED_STEPS * batch / (time.perf_counter() - start)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    logging.getLogger("arm4r_policy").setLevel(logging.ERROR)
    print(f"torch {torch.__version__}")
    tiny = ARM4RConfig.tiny(context=16)
    # 2 threads is the figure to compare; 1 thread shows how much a busy machine costs the second
    for threads in (2, 1):
        torch.set_num_threads(threads)
        rate = training_samples_per_s(tiny, batch=8, device="cpu", precision="fp32")
        print(f" tiny C=16 batch 8, CPU fp32, {threads} thread(s): {rate:8.1f} training windows/s")
    if torch.cuda.is_available():
        paper = ARM4RConfig.paper(context=16)
        rate = training_samples_per_s(paper, batch=64, device="cuda", precision="bf16")
        name = torch.cuda.get_device_name()
        print(f"paper C=16 batch 64, {name} bf16: {rate:8.1f} training windows/s")


if __name__ == "__main__":
    main()
