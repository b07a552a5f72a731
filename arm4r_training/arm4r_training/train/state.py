"""Training checkpoints, and the random states a resumed run restores to continue exactly.

Layout under a run's output directory:

    checkpoints/
        step_00000500/
            model.safetensors, config.json, normalization.json   (``save_checkpoint``)
            training_state.pt    optimiser, step, recipe, data position, every process's RNG
        latest                   name of the newest complete step directory

``training_state.pt`` holds only tensors, numbers, strings, lists and dicts and is read with
``torch.load(weights_only=True)``, so no code is unpickled. A step directory counts once
``latest`` names it: ``latest`` is replaced atomically after both parts are on disk, so a crash
while saving leaves the previous checkpoint as the one to resume from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from arm4r_policy.atomic_file import write_atomically
from arm4r_policy.errors import CheckpointError
from arm4r_policy.model import ARM4R, Normalizer, save_checkpoint

CHECKPOINTS = "checkpoints"
LATEST = "latest"
TRAINING_STATE = "training_state.pt"


@dataclass(frozen=True)
class TrainingState:
    """Where a run stands after ``step`` optimiser steps."""

    step: int
    steps_per_epoch: int  # with ``step``, the position in the data order
    recipe: dict[str, Any]
    optimizer: dict[str, Any]  # ``Optimizer.state_dict()``
    rng: list[dict[str, Any]]  # ``capture_rng()`` of every process, in rank order

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _STATE_FIELDS}


_STATE_FIELDS = ("step", "steps_per_epoch", "recipe", "optimizer", "rng")


def seed_everything(*entropy: int) -> None:
    """Seed torch (every device), numpy and Python's ``random`` from one derived seed."""
    seed = int(np.random.SeedSequence(entropy).generate_state(1)[0])
    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global state that data code may draw from
    random.seed(seed)


def capture_rng(device: torch.device) -> dict[str, Any]:
    """The torch, CUDA (of ``device``), numpy and Python random states, as tensors and numbers."""
    # the legacy global numpy state is the one a data pipeline may draw from without a Generator
    _, keys, position, has_gauss, cached_gaussian = np.random.get_state()  # noqa: NPY002
    version, python_state, gauss_next = random.getstate()
    rng: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "position": int(position),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached_gaussian),
        },
        "python": {
            "version": version,
            "state": torch.tensor(python_state, dtype=torch.int64),
            "gauss_next": gauss_next,
        },
    }
    if device.type == "cuda":
        rng["cuda"] = torch.cuda.get_rng_state(device)
    return rng


def restore_rng(rng: dict[str, Any], device: torch.device) -> None:
    """Put back the random states ``capture_rng`` recorded."""
    torch.set_rng_state(rng["torch"])
    np_state = rng["numpy"]
    np.random.set_state(  # noqa: NPY002
        (
            "MT19937",
            np_state["keys"].numpy().astype(np.uint32),
            np_state["position"],
            np_state["has_gauss"],
            np_state["cached_gaussian"],
        )
    )
    py_state = rng["python"]
    random.setstate(
        (py_state["version"], tuple(py_state["state"].tolist()), py_state["gauss_next"])
    )
    if device.type == "cuda" and "cuda" in rng:
        torch.cuda.set_rng_state(rng["cuda"], device)


def write_checkpoint(out: Path, model: ARM4R, normalizer: Normalizer, state: TrainingState) -> Path:
    """Save ``step_<step>/`` under ``out/checkpoints`` and point ``latest`` at it."""
    root = Path(out) / CHECKPOINTS
    directory = save_checkpoint(root / f"step_{state.step:08d}", model, normalizer)
    write_atomically(directory / TRAINING_STATE, lambda f: torch.save(state.to_dict(), f))
    write_atomically(root / LATEST, lambda f: f.write(f"{directory.name}\n".encode()))
    return directory


def find_checkpoint(path: str | Path) -> Path:
    """The step directory to resume from: ``path`` itself, or the one its ``latest`` names
    (``path`` may be a run's output directory or its ``checkpoints`` directory)."""
    path = Path(path)
    if (path / TRAINING_STATE).is_file():
        return path
    for root in (path, path / CHECKPOINTS):
        if (root / LATEST).is_file():
            directory = root / (root / LATEST).read_text().strip()
            if not (directory / TRAINING_STATE).is_file():
                raise CheckpointError(f"{root / LATEST}: names {directory}, which has no state")
            return directory
    raise CheckpointError(
        f"{path}: not a training checkpoint (no {TRAINING_STATE}, {LATEST} or "
        f"{CHECKPOINTS}/{LATEST})"
    )


def read_training_state(directory: str | Path) -> TrainingState:
    path = Path(directory) / TRAINING_STATE
    if not path.is_file():
        raise CheckpointError(f"{path}: missing training state (a weights-only checkpoint?)")
    try:
        values = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(f"{path}: unreadable training state ({error})") from error
    missing = [name for name in _STATE_FIELDS if not isinstance(values, dict) or name not in values]
    if missing:
        raise CheckpointError(f"{path}: missing training-state field {missing[0]!r}")
    return TrainingState(**{name: values[name] for name in _STATE_FIELDS})
