"""Checkpoint directories: ``model.safetensors`` + ``config.json`` + ``normalization.json``.

A checkpoint rebuilds its own model. It is written into a temporary sibling directory and renamed
into place when whole, so a crash never leaves a directory that looks like a checkpoint but is not.
Loading never unpickles code.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from arm4r_policy.atomic_file import umask_mode
from arm4r_policy.errors import CheckpointError, ConfigError
from arm4r_policy.model.arm4r import ARM4R, STATE_SPECIFIC_PARTS
from arm4r_policy.model.config import ARM4RConfig
from arm4r_policy.model.normalization import Normalizer
from arm4r_policy.model.state_dict import check_keys_and_shapes

WEIGHTS = "model.safetensors"
CONFIG = "config.json"
NORMALIZATION = "normalization.json"


def save_checkpoint(
    directory: str | Path,
    model: ARM4R,
    normalizer: Normalizer,
    weights_dtype: torch.dtype | None = None,
) -> Path:
    """Write the model, its config and its normalisation statistics; replace an older one.

    ``weights_dtype`` stores the floating-point weights in another precision (``torch.float16``
    halves a shipped checkpoint); loading casts them back to the model's own.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    staging.chmod(umask_mode(0o777))
    try:
        state = {
            key: _stored(value.detach().cpu(), weights_dtype).contiguous()
            for key, value in model.state_dict().items()
        }
        save_file(state, str(staging / WEIGHTS))
        (staging / CONFIG).write_text(json.dumps(model.config.to_dict(), indent=2) + "\n")
        (staging / NORMALIZATION).write_text(json.dumps(normalizer.to_dict(), indent=2) + "\n")
        (staging / WEIGHTS).chmod(umask_mode(0o666))  # safetensors writes it private
        _replace_directory(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _stored(tensor: torch.Tensor, dtype: torch.dtype | None) -> torch.Tensor:
    return tensor.to(dtype) if dtype is not None and tensor.is_floating_point() else tensor


def _replace_directory(staging: Path, directory: Path) -> None:
    if not directory.exists():
        os.replace(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    os.replace(directory, retired / "checkpoint")
    os.replace(staging, directory)
    shutil.rmtree(retired)


def load_config(directory: str | Path) -> ARM4RConfig:
    path = _require(Path(directory), CONFIG)
    try:
        values = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path}: not valid JSON ({error})") from error
    try:
        return ARM4RConfig.from_dict(values, source=str(path))
    except (ConfigError, TypeError) as error:
        raise CheckpointError(f"{path}: {error}") from error


def load_normalizer(directory: str | Path) -> Normalizer:
    path = _require(Path(directory), NORMALIZATION)
    try:
        return Normalizer.from_dict(json.loads(path.read_text()), source=str(path))
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path}: not valid JSON ({error})") from error


def load_weights(directory: str | Path) -> dict[str, torch.Tensor]:
    path = _require(Path(directory), WEIGHTS)
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"{path}: unreadable safetensors file ({error})") from error


def load_checkpoint(
    directory: str | Path, device: str | torch.device = "cpu"
) -> tuple[ARM4R, Normalizer]:
    """Rebuild the model a checkpoint describes and fill it with its weights."""
    directory = Path(directory)
    config = load_config(directory)
    normalizer = load_normalizer(directory)
    normalizer.check_dims(config.state_dim, config.action_dim, str(directory / NORMALIZATION))
    model = ARM4R(config)
    load_weights_into(model, directory)
    return model.to(device), normalizer


def load_weights_into(model: ARM4R, directory: str | Path) -> None:
    """Fill ``model`` with a checkpoint's weights; every key must match by name and shape."""
    directory = Path(directory)
    state = load_weights(directory)
    _check_state(directory / WEIGHTS, model.state_dict(), state)
    model.load_state_dict(state)
    model.vision_source = f"checkpoint {directory}"


@dataclass(frozen=True)
class TransferReport:
    """What a stage transfer took from the source checkpoint and what it left at initialisation."""

    source: Path
    loaded: tuple[str, ...]
    skipped: tuple[str, ...]

    def summary(self) -> str:
        parts = sorted({key.split(".")[0] for key in self.skipped})
        return (
            f"stage transfer from {self.source}: loaded {len(self.loaded)} tensors, "
            f"skipped {len(self.skipped)} in {', '.join(parts) or 'nothing'}"
        )


def transfer_pretrained(model: ARM4R, directory: str | Path) -> TransferReport:
    """Stage 3 initialisation: take everything from a Stage 1/2 checkpoint except the parts
    tied to the state space (state encoder, action encoder, head)."""
    directory = Path(directory)
    source = load_weights(directory)
    own = model.state_dict()
    shared = {k: v for k, v in own.items() if not _state_specific(k)}
    keep = {k: v for k, v in source.items() if not _state_specific(k)}
    _check_state(directory / WEIGHTS, shared, keep)
    model.load_state_dict(keep, strict=False)
    skipped = tuple(sorted(k for k in own if _state_specific(k)))
    return TransferReport(directory, tuple(sorted(keep)), skipped)


def _state_specific(key: str) -> bool:
    return key.split(".")[0] in STATE_SPECIFIC_PARTS


def _check_state(
    path: Path, expected: dict[str, torch.Tensor], found: dict[str, torch.Tensor]
) -> None:
    """Every expected key present with its shape, and nothing else."""
    check_keys_and_shapes(path, expected, found, part="model")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise CheckpointError(f"{path}: unexpected key {extra[0]!r} ({len(extra)} in all)")


def _require(directory: Path, name: str) -> Path:
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: checkpoint directory not found")
    path = directory / name
    if not path.is_file():
        raise CheckpointError(f"{path}: missing checkpoint file")
    return path
