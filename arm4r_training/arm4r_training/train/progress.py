"""What a run reports: a progress bar, TensorBoard scalars and a closing JSON summary.

Only rank 0 reports. TensorBoard scalars go to ``<out>/tensorboard`` under ``train/loss``,
``train/lr``, ``train/grad_norm`` and ``train/samples_per_s``, one point per optimiser step; the
summary goes to ``<out>/run_summary.json``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from arm4r_policy.atomic_file import replace_file

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter

log = logging.getLogger(__name__)

TENSORBOARD = "tensorboard"
SUMMARY = "run_summary.json"


@dataclass(frozen=True)
class StepMetrics:
    """One optimiser step, seen from the whole run."""

    step: int  # optimiser steps done, this one included
    epoch: int  # the epoch this step read from (0-based)
    loss: float  # masked L1, averaged over the step's micro-batches and processes
    lr: float  # learning rate this step used
    grad_norm: float  # global L2 norm of the gradient before clipping
    samples_per_s: float  # windows per second over all processes, for this step


@dataclass(frozen=True)
class RunSummary:
    """The closing record of one invocation (a resumed run starts at ``first_step``)."""

    stage: int
    first_step: int
    last_step: int
    total_steps: int  # the schedule's length
    time_s: float
    final_loss: float | None  # None when no step ran
    samples_per_s: float  # windows per second over this invocation's steps
    checkpoint: str | None  # the newest checkpoint directory
    layout: dict[str, Any]  # device, precision, processes, micro batch, accumulation
    recipe: dict[str, Any]
    model: dict[str, Any]
    data: str


class RunReporter:
    """Rank 0's progress bar and TensorBoard writer; the other ranks hold a silent one."""

    def __init__(
        self, out: Path, first_step: int, total_steps: int, enabled: bool, show_progress: bool
    ) -> None:
        self.out = Path(out)
        self.enabled = enabled
        self._writer: SummaryWriter | None = None
        self._bar: tqdm | None = None
        if not enabled:
            return
        # imported here: TensorBoard takes a second to import and only rank 0 writes to it
        from torch.utils.tensorboard import SummaryWriter

        self.out.mkdir(parents=True, exist_ok=True)
        self._writer = SummaryWriter(log_dir=str(self.out / TENSORBOARD))
        log.info("TensorBoard logs: %s", self.out / TENSORBOARD)
        self._bar = tqdm(
            total=total_steps,
            initial=first_step,
            desc="train",
            unit="step",
            dynamic_ncols=True,
            disable=not show_progress,
        )

    def report_step(self, metrics: StepMetrics) -> None:
        if not self.enabled:
            return
        for name in ("loss", "lr", "grad_norm", "samples_per_s"):
            self._writer.add_scalar(f"train/{name}", getattr(metrics, name), metrics.step)
        self._bar.set_postfix(
            loss=f"{metrics.loss:.4f}",
            lr=f"{metrics.lr:.2e}",
            samples_s=f"{metrics.samples_per_s:.1f}",
            refresh=False,
        )
        self._bar.update(1)

    def close(self) -> None:
        """Close the bar and flush the TensorBoard events to disk."""
        if self.enabled:
            self._bar.close()
            self._writer.close()

    def write_summary(self, summary: RunSummary) -> Path | None:
        """Write ``run_summary.json`` (rank 0) and return its path."""
        if not self.enabled:
            return None
        path = self.out / SUMMARY
        text = json.dumps(asdict(summary), indent=2) + "\n"
        replace_file(path, text)
        log.info("run summary: %s", path)
        return path
