"""The training loop: optimiser steps over the data order, with checkpoints and reports.

One optimiser step reads ``accumulation`` micro-batches on every process, runs forward (bf16
autocast where the recipe asks for it) and backward on each, clips the global gradient norm, sets
the scheduled learning rate and steps AdamW. Each micro-batch's loss is its masked L1 mean; the
step's gradient is the average over micro-batches and processes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch

from arm4r_policy.errors import ARM4RError, CheckpointError, ConfigError
from arm4r_policy.model import ARM4R, l1_loss
from arm4r_training.train.batches import (
    ResumableSampler,
    TrainingData,
    check_batch,
    training_loader,
)
from arm4r_training.train.distributed import DistributedContext
from arm4r_training.train.optim import WarmupCosine, build_optimizer
from arm4r_training.train.progress import RunReporter, RunSummary, StepMetrics
from arm4r_training.train.recipe import BatchLayout, Recipe
from arm4r_training.train.state import (
    CHECKPOINTS,
    TrainingState,
    capture_rng,
    restore_rng,
    write_checkpoint,
)

log = logging.getLogger(__name__)

Batch = Mapping[str, torch.Tensor]


class DivergenceError(ARM4RError):
    """The loss stopped being finite; the last checkpoint is the state to go back to."""


@dataclass(frozen=True)
class RunOptions:
    """How a run executes, as opposed to what it computes (the ``Recipe``)."""

    out: Path  # checkpoints/, tensorboard/ and run_summary.json go here
    num_workers: int = 0  # data-loading worker processes per training process
    checkpoint_every: int | None = 1000  # optimiser steps between checkpoints; None: at the end
    max_steps: int | None = None  # stop after this many steps; the schedule keeps its length
    show_progress: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        if self.num_workers < 0:
            raise ConfigError(f"num_workers: expected >= 0, got {self.num_workers}")
        for name in ("checkpoint_every", "max_steps"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"{name}: expected None or > 0, got {value}")


class Trainer:
    """Trains one model on one dataset with one recipe, on this process's share of the batch."""

    def __init__(
        self,
        model: ARM4R,
        data: TrainingData,
        recipe: Recipe,
        options: RunOptions,
        context: DistributedContext,
        on_step: Callable[[StepMetrics], None] | None = None,
    ) -> None:
        self.model = model.to(context.device).train()
        self.data, self.recipe, self.options, self.context = data, recipe, options, context
        self.on_step = on_step
        self.layout = BatchLayout.resolve(recipe, context.world_size)
        self.sampler = ResumableSampler(
            data.dataset, context.rank, context.world_size, recipe.seed, data.epoch_keys
        )
        windows_per_step = self.layout.micro_batch * self.layout.accumulation
        self.steps_per_epoch = self.sampler.items_per_epoch // windows_per_step
        if self.steps_per_epoch == 0:
            raise ConfigError(
                f"Recipe.batch_size: the dataset holds {len(data.dataset)} windows, fewer than "
                f"one global batch of {self.layout.global_batch}"
            )
        self.loader = training_loader(
            data, self.sampler, self.layout.micro_batch, seed=(recipe.seed, context.rank),
            num_workers=options.num_workers, pin_memory=context.device.type == "cuda",
        )  # fmt: skip
        self.schedule = WarmupCosine.from_recipe(recipe, self.steps_per_epoch)
        self.network = context.wrap(self.model)
        self.optimizer = build_optimizer(self.model, recipe)
        self.trainable = [p for p in self.model.parameters() if p.requires_grad]
        use_bf16 = recipe.precision == "bf16" or (
            recipe.precision == "auto" and context.device.type == "cuda"
        )
        self.precision = "bf16" if use_bf16 else "fp32"
        self.step = 0  # optimiser steps done
        self._batch_checked = False

    # --- resume ---------------------------------------------------------------------------------

    def restore(self, state: TrainingState) -> None:
        """Continue from a checkpoint: optimiser, step, data position and random states."""
        if state.steps_per_epoch != self.steps_per_epoch:
            raise CheckpointError(
                f"resume: the checkpoint ran {state.steps_per_epoch} steps per epoch, this run "
                f"{self.steps_per_epoch}: the dataset or the batch layout changed"
            )
        self.optimizer.load_state_dict(state.optimizer)
        self.step = state.step
        rank, saved_world = self.context.rank, len(state.rng)
        if saved_world != self.context.world_size:
            log.warning(
                "resume: the checkpoint ran on %d processes, this run on %d; the data order "
                "continues, the random streams of extra processes start afresh",
                saved_world, self.context.world_size,
            )  # fmt: skip
        if rank < saved_world:
            restore_rng(state.rng[rank], self.context.device)

    def save(self) -> Path | None:
        """Write a checkpoint of the current step (rank 0); every process must call it."""
        rng = self.context.gather(capture_rng(self.context.device))
        if not self.context.is_main:
            return None
        state = TrainingState(
            self.step, self.steps_per_epoch, self.recipe.to_dict(), self.optimizer.state_dict(), rng
        )
        directory = write_checkpoint(self.options.out, self.model, self.data.normalizer, state)
        log.info("checkpoint at step %d: %s", self.step, directory)
        return directory

    # --- one step -------------------------------------------------------------------------------

    def step_batches(self, epoch: int, first_step: int = 0) -> Iterator[list[Batch]]:
        """The micro-batches of each optimiser step of ``epoch``, from its step ``first_step``."""
        per_step = self.layout.micro_batch * self.layout.accumulation
        self.sampler.set_position(epoch, skip=first_step * per_step)
        micro_batches = iter(self.loader)
        for _ in range(first_step, self.steps_per_epoch):
            yield [next(micro_batches) for _ in range(self.layout.accumulation)]

    def accumulate_gradients(self, micro_batches: list[Batch]) -> torch.Tensor:
        """Forward and backward over one step's micro-batches, adding into ``.grad``.

        Returns this process's loss for the step, the mean of the micro-batch losses (a scalar
        tensor on the device). Processes synchronise their gradients on the last micro-batch.
        """
        device = self.context.device
        total, weight = torch.zeros((), device=device), 1.0 / len(micro_batches)
        for index, batch in enumerate(micro_batches):
            if not self._batch_checked:
                check_batch(batch, self.model.config)
                self._batch_checked = True
            batch = {key: value.to(device, non_blocking=True) for key, value in batch.items()}
            # gradients are exchanged once per step, on its last micro-batch
            last = index == len(micro_batches) - 1
            defer_sync = self.context.is_distributed and not last
            with self.network.no_sync() if defer_sync else nullcontext():
                with torch.autocast(
                    device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"
                ):
                    prediction = self.network(
                        batch.get("images"),
                        batch["states"],
                        batch["actions"],
                        batch["instruction"],
                        action_keep=self._action_keep(batch["actions"]),
                        image_positions=batch.get("image_positions"),
                    )
                share = l1_loss(prediction.float(), batch["targets"], batch["mask"]) * weight
                share.backward()
            total += share.detach()
        return total

    def _action_keep(self, actions: torch.Tensor) -> torch.Tensor | None:
        """(B, T) 1 where action tokens are shown, 0 in the windows action dropout hides them."""
        if self.recipe.action_dropout == 0:
            return None  # draws nothing, so runs without dropout keep their random streams
        B, T = actions.shape[:2]
        shown = torch.rand(B, 1, device=actions.device) >= self.recipe.action_dropout
        return shown.to(actions.dtype).expand(B, T)

    def optimizer_step(self, micro_batches: list[Batch]) -> tuple[float, float, float]:
        """One optimiser step; returns (loss over all processes, learning rate, gradient norm)."""
        lr = self.schedule.apply(self.optimizer, self.step)
        loss = self.context.mean(self.accumulate_gradients(micro_batches)).item()
        if not math.isfinite(loss):
            raise DivergenceError(
                f"step {self.step + 1}: the loss is {loss}; resume from the last checkpoint "
                f"under {self.options.out} with a lower lr or another seed"
            )
        max_norm = self.recipe.grad_clip if self.recipe.grad_clip is not None else math.inf
        grad_norm = torch.nn.utils.clip_grad_norm_(self.trainable, max_norm)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        return loss, lr, grad_norm.item()

    # --- the run --------------------------------------------------------------------------------

    @property
    def last_step(self) -> int:
        """The step this invocation stops after: the schedule's end or ``max_steps``."""
        return min(self.schedule.total_steps, self.options.max_steps or self.schedule.total_steps)

    def run(self) -> RunSummary:
        """Train from the current step to ``last_step``; checkpoint on the way and at the end."""
        first_step, started = self.step, time.perf_counter()
        reporter = RunReporter(
            self.options.out, first_step, self.schedule.total_steps,
            enabled=self.context.is_main, show_progress=self.options.show_progress,
        )  # fmt: skip
        self._announce()
        loss, checkpoint, saved_step = None, None, None
        clock = started
        try:
            while self.step < self.last_step:
                epoch, offset = divmod(self.step, self.steps_per_epoch)
                for micro_batches in self.step_batches(epoch, offset):
                    loss, lr, grad_norm = self.optimizer_step(micro_batches)
                    now = time.perf_counter()
                    rate = self.layout.global_batch / (now - clock)
                    clock = now
                    metrics = StepMetrics(self.step, epoch, loss, lr, grad_norm, rate)
                    reporter.report_step(metrics)
                    if self.on_step is not None:
                        self.on_step(metrics)
                    every = self.options.checkpoint_every
                    if every and self.step % every == 0:
                        checkpoint, saved_step = self.save(), self.step
                    if self.step >= self.last_step:
                        break
            if self.step > first_step and saved_step != self.step:
                checkpoint = self.save()
        finally:
            reporter.close()
        summary = self._summary(first_step, time.perf_counter() - started, loss, checkpoint)
        reporter.write_summary(summary)
        return summary

    def _announce(self) -> None:
        if not self.context.is_main:
            return
        layout = self.layout
        log.info(
            "Stage %d: steps %d -> %d of %d (%d per epoch), global batch %d = %d x %d "
            "accumulation x %d processes, %s on %s; checkpoints: %s",
            self.recipe.stage, self.step, self.last_step, self.schedule.total_steps,
            self.steps_per_epoch, layout.global_batch, layout.micro_batch, layout.accumulation,
            layout.world_size, self.precision, self.context.device,
            self.options.out / CHECKPOINTS,
        )  # fmt: skip

    def _summary(
        self, first_step: int, elapsed: float, loss: float | None, checkpoint: Path | None
    ) -> RunSummary:
        windows = (self.step - first_step) * self.layout.global_batch
        return RunSummary(
            stage=self.recipe.stage,
            first_step=first_step,
            last_step=self.step,
            total_steps=self.schedule.total_steps,
            time_s=elapsed,
            final_loss=loss,
            samples_per_s=windows / elapsed if elapsed > 0 else 0.0,
            checkpoint=str(checkpoint) if checkpoint is not None else None,
            layout={
                "device": str(self.context.device),
                "precision": self.precision,
                "processes": self.layout.world_size,
                "micro_batch": self.layout.micro_batch,
                "grad_accumulation": self.layout.accumulation,
                "global_batch": self.layout.global_batch,
                "steps_per_epoch": self.steps_per_epoch,
            },
            recipe=self.recipe.to_dict(),
            model=self.model.config.to_dict(),
            data=self.data.description,
        )
