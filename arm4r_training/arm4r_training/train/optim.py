"""The optimiser and the learning-rate schedule of every stage.

AdamW over the trainable parameters only (the paper preset's frozen image encoder takes no
optimiser state), with weight decay on weight matrices and none on biases and 1-D parameters
(norm scales). The learning rate rises linearly during warm-up, then follows half a cosine down to
zero at the last step; it is set before every optimiser step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from arm4r_policy.errors import ConfigError
from arm4r_training.train.recipe import Recipe


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Trainable parameters split into a decayed group (matrices, convolution kernels, learned
    tokens) and an undecayed one (biases and every parameter with fewer than two dimensions)."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        if parameter.ndim <= 1 or name.endswith(".bias"):
            no_decay.append(parameter)
        else:
            decay.append(parameter)
    return [
        {"name": "decay", "params": decay, "weight_decay": weight_decay},
        {"name": "no_decay", "params": no_decay, "weight_decay": 0.0},
    ]


def build_optimizer(model: nn.Module, recipe: Recipe) -> torch.optim.AdamW:
    groups = parameter_groups(model, recipe.weight_decay)
    if not any(group["params"] for group in groups):
        raise ConfigError("model: no trainable parameters")
    # the fused kernel is the fast path on CUDA; on CPU torch picks its own implementation
    on_cuda = all(p.is_cuda for group in groups for p in group["params"])
    return torch.optim.AdamW(
        groups, lr=recipe.lr, betas=recipe.betas, eps=recipe.eps, fused=on_cuda or None
    )


@dataclass(frozen=True)
class WarmupCosine:
    """Learning rate per optimiser step: linear warm-up to ``peak_lr``, then a half cosine to 0.

    Step s (0-based) uses peak * (s + 1) / warmup during warm-up, so the first step already
    learns, and peak * (1 + cos(pi * (s - warmup) / (total - warmup))) / 2 afterwards, which
    reaches 0 at s = total, one past the last step.
    """

    peak_lr: float
    warmup_steps: int
    total_steps: int

    def __post_init__(self) -> None:
        if self.total_steps <= 0:
            raise ConfigError(f"schedule: total_steps must be > 0, got {self.total_steps}")
        if not 0 <= self.warmup_steps <= self.total_steps:
            raise ConfigError(
                f"schedule: warmup_steps must lie in [0, total_steps={self.total_steps}], "
                f"got {self.warmup_steps}"
            )

    @classmethod
    def from_recipe(cls, recipe: Recipe, steps_per_epoch: int) -> WarmupCosine:
        """Lengths in steps: the recipe's step counts where set, else its epochs."""
        total = recipe.steps or max(1, math.ceil(recipe.epochs * steps_per_epoch))
        if recipe.warmup_steps is not None:
            return cls(recipe.lr, recipe.warmup_steps, total)
        # an epoch-based warm-up longer than a short run is cut to the run's length
        return cls(recipe.lr, min(round(recipe.warmup_epochs * steps_per_epoch), total), total)

    def lr(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.peak_lr * (step + 1) / self.warmup_steps
        progress = (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps)
        return self.peak_lr * 0.5 * (1.0 + math.cos(math.pi * progress))

    def apply(self, optimizer: torch.optim.Optimizer, step: int) -> float:
        """Set every parameter group's learning rate for ``step``; returns it."""
        lr = self.lr(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        return lr
