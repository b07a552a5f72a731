"""Normalisation of states and actions, kept outside the network and stored with the checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from arm4r_policy.errors import CheckpointError

# Dimensions that barely vary (a gripper that never moved, a fixed coordinate) keep unit scale.
MIN_STD = 1e-4


@dataclass(frozen=True)
class Normalizer:
    """Per-dimension z-scores: x_n = (x - mean) / std, for network inputs and targets.

    state_mean, state_std: (state_dim,); action_mean, action_std: (action_dim,).
    """

    state_mean: torch.Tensor
    state_std: torch.Tensor
    action_mean: torch.Tensor
    action_std: torch.Tensor

    @classmethod
    def identity(cls, state_dim: int, action_dim: int) -> Normalizer:
        return cls(
            torch.zeros(state_dim), torch.ones(state_dim),
            torch.zeros(action_dim), torch.ones(action_dim),
        )  # fmt: skip

    @classmethod
    def fit(cls, states: torch.Tensor, actions: torch.Tensor) -> Normalizer:
        """Statistics of (N, state_dim) states and (N, action_dim) actions."""
        return cls(
            states.mean(0), states.std(0).clamp_min(MIN_STD),
            actions.mean(0), actions.std(0).clamp_min(MIN_STD),
        )  # fmt: skip

    def normalize_state(self, state: torch.Tensor) -> torch.Tensor:
        return (state - self.state_mean.to(state)) / self.state_std.to(state)

    def normalize_action(self, action: torch.Tensor) -> torch.Tensor:
        return (action - self.action_mean.to(action)) / self.action_std.to(action)

    def denormalize_action(self, action: torch.Tensor) -> torch.Tensor:
        return action * self.action_std.to(action) + self.action_mean.to(action)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).tolist() for name in _FIELDS}

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str) -> Normalizer:
        missing = [name for name in _FIELDS if name not in values]
        if missing:
            raise CheckpointError(f"{source}: missing normalisation field {missing[0]!r}")
        tensors = {name: torch.tensor(values[name], dtype=torch.float32) for name in _FIELDS}
        for name, tensor in tensors.items():
            if tensor.dim() != 1 or not torch.isfinite(tensor).all():
                raise CheckpointError(f"{source}: field {name!r} must be a finite 1-D list")
            if name.endswith("std") and (tensor <= 0).any():
                raise CheckpointError(f"{source}: field {name!r} must be positive")
        return cls(**tensors)

    def check_dims(self, state_dim: int, action_dim: int, source: str) -> None:
        for name, dim in (("state_mean", state_dim), ("action_mean", action_dim)):
            if getattr(self, name).numel() != dim:
                raise CheckpointError(
                    f"{source}: {name} has {getattr(self, name).numel()} entries, the model "
                    f"needs {dim}"
                )


_FIELDS = ("state_mean", "state_std", "action_mean", "action_std")
