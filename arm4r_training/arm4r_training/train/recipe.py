"""Training recipes: how each ARM4R stage is optimised, with the paper's values as presets.

Stage 1 pre-trains on point tracks from human video, Stage 2 on point tracks from the robot setup,
Stage 3 fine-tunes for end-effector control (paper Table 5; schedule and optimiser details from the
authors' public code). A recipe holds only what changes the numbers a run produces; where the run
writes and how often it saves live in ``RunOptions``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arm4r_policy.errors import ConfigError
from arm4r_training.data.augment import CROP_SCALE
from arm4r_training.data.targets import STATE_NOISE

STAGES: tuple[int, ...] = (1, 2, 3)
# Stages 1 and 2 predict point tracks; Stage 3 predicts end-effector actions.
STAGE_MODES: dict[int, str] = {1: "points", 2: "points", 3: "control"}
PRECISIONS: tuple[str, ...] = ("auto", "bf16", "fp32")

# Paper Table 5. Stage 3 ran 10-50 epochs "until the loss converged"; the preset takes 50.
_PAPER_STAGES: dict[int, dict[str, Any]] = {
    1: {"lr": 5e-4, "epochs": 5.0},
    2: {"lr": 5e-4, "epochs": 20.0},
    3: {"lr": 5e-3, "epochs": 50.0},
}


@dataclass(frozen=True)
class Recipe:
    """The optimisation of one stage. ``Recipe.preset(stage)`` gives the paper's values."""

    stage: int
    lr: float  # peak learning rate, reached at the end of warm-up
    epochs: float  # schedule length in passes over the data, unless `steps` is set
    weight_decay: float = 1e-2  # AdamW decoupled decay, on weight matrices only
    batch_size: int = 256  # global batch: windows per optimiser step, summed over processes
    steps: int | None = None  # schedule length in optimiser steps; replaces `epochs`
    warmup_epochs: float = 1.25  # linear warm-up, unless `warmup_steps` is set
    warmup_steps: int | None = None
    betas: tuple[float, float] = (0.9, 0.95)
    eps: float = 1e-8
    grad_clip: float | None = 1.0  # largest global gradient L2 norm; None: no clipping
    micro_batch: int | None = None  # windows per forward pass and process; None: derived
    grad_accumulation: int | None = None  # forward passes per optimiser step; None: derived
    seed: int = 0
    precision: str = "auto"  # "bf16" autocast, "fp32", or "auto": bf16 on CUDA, fp32 on CPU
    # area fraction kept by the random crop of third-person views; (1, 1): none, as for a
    # simulated cell whose cameras never move
    crop_scale: tuple[float, float] = CROP_SCALE
    # probability that a window's action tokens are all hidden; the paper: 0. Where the actions so
    # far predict the next ones, windows without them make the model read where things are
    action_dropout: float = 0.0
    # std of the Gaussian noise on the 7-D input state of control windows
    state_noise: float = STATE_NOISE

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ConfigError(f"Recipe.stage: expected one of {STAGES}, got {self.stage!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(
                f"Recipe.precision: expected one of {PRECISIONS}, got {self.precision!r}"
            )
        betas = self.betas
        if (
            not isinstance(betas, (list, tuple))
            or len(betas) != 2
            or not all(_is_number(b) and 0.0 <= b < 1.0 for b in betas)
        ):
            raise ConfigError(f"Recipe.betas: expected two numbers in [0, 1), got {betas!r}")
        object.__setattr__(self, "betas", tuple(betas))
        crop = self.crop_scale
        if (
            not isinstance(crop, (list, tuple))
            or len(crop) != 2
            or not all(_is_number(c) for c in crop)
            or not 0.0 < crop[0] <= crop[1] <= 1.0
        ):
            raise ConfigError(
                f"Recipe.crop_scale: expected two numbers 0 < low <= high <= 1, got {crop!r}"
            )
        object.__setattr__(self, "crop_scale", tuple(crop))
        for name in ("lr", "epochs", "eps"):
            self._check(name, lambda v: _is_number(v) and v > 0, "a number > 0")
        for name in ("weight_decay", "warmup_epochs", "state_noise"):
            self._check(name, lambda v: _is_number(v) and v >= 0, "a number >= 0")
        self._check("action_dropout", lambda v: _is_number(v) and 0 <= v < 1, "a number in [0, 1)")
        self._check("grad_clip", lambda v: v is None or (_is_number(v) and v > 0), "None or > 0")
        self._check("seed", lambda v: _is_int(v) and v >= 0, "an int >= 0")
        self._check("batch_size", lambda v: _is_int(v) and v > 0, "a positive int")
        for name in ("steps", "micro_batch", "grad_accumulation"):
            self._check(name, lambda v: v is None or (_is_int(v) and v > 0), "None or an int > 0")
        self._check("warmup_steps", lambda v: v is None or (_is_int(v) and v >= 0), "None or >= 0")

    def _check(self, name: str, valid: Callable[[Any], bool], expected: str) -> None:
        value = getattr(self, name)
        if not valid(value):
            raise ConfigError(f"Recipe.{name}: expected {expected}, got {value!r}")

    @classmethod
    def preset(cls, stage: int, **overrides: Any) -> Recipe:
        """The paper's recipe for ``stage`` (1, 2 or 3), with any field replaced."""
        if stage not in _PAPER_STAGES:
            raise ConfigError(f"Recipe.stage: expected one of {STAGES}, got {stage!r}")
        return cls.from_dict({**_PAPER_STAGES[stage], **overrides, "stage": stage})

    @property
    def mode(self) -> str:
        """The model mode this stage trains: "points" or "control"."""
        return STAGE_MODES[self.stage]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "recipe") -> Recipe:
        unknown = sorted(set(values) - set(RECIPE_FIELDS))
        if unknown:
            raise ConfigError(f"{source}: unknown recipe field(s) {unknown}")
        return cls(**values)


RECIPE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Recipe))


@dataclass(frozen=True)
class BatchLayout:
    """How the global batch is split: ``micro_batch`` windows per forward pass, ``accumulation``
    forward passes per optimiser step, on each of ``world_size`` processes."""

    micro_batch: int
    accumulation: int
    world_size: int

    @property
    def global_batch(self) -> int:
        return self.micro_batch * self.accumulation * self.world_size

    @classmethod
    def resolve(cls, recipe: Recipe, world_size: int) -> BatchLayout:
        """Derive whichever of micro batch and accumulation the recipe leaves open, so that
        micro_batch x accumulation x world_size equals the recipe's batch size exactly."""
        micro, accumulation = recipe.micro_batch, recipe.grad_accumulation
        per_process = recipe.batch_size // world_size
        if micro is None:
            accumulation = accumulation or 1
            micro = per_process // accumulation
        elif accumulation is None:
            accumulation = per_process // micro
        if micro * accumulation * world_size != recipe.batch_size or micro == 0:
            raise ConfigError(
                f"Recipe.batch_size: {recipe.batch_size} windows must equal micro_batch x "
                f"grad_accumulation x world size; got micro_batch {recipe.micro_batch}, "
                f"grad_accumulation {recipe.grad_accumulation}, world size {world_size}"
            )
        return cls(micro, accumulation, world_size)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
