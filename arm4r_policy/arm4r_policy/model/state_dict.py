"""Checking a state dict read from a file against the tensors a module expects."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from arm4r_policy.errors import CheckpointError


def check_keys_and_shapes(
    source: Path,
    expected: Mapping[str, torch.Tensor],
    found: Mapping[str, torch.Tensor],
    part: str,
) -> None:
    """Raise naming ``source`` and the first expected key that is missing or has another shape."""
    for key, tensor in expected.items():
        if key not in found:
            raise CheckpointError(f"{source}: missing {part} key {key!r}")
        if found[key].shape != tensor.shape:
            raise CheckpointError(
                f"{source}: key {key!r} has shape {tuple(found[key].shape)}, "
                f"the {part} expects {tuple(tensor.shape)}"
            )
