"""What a track evaluation prints and keeps: the error table and ``<out>/track_metrics.json``.

``track_metrics.json`` holds the request, the protocol (horizons, start steps, how forecasts roll
on, which points count), per horizon the model's and the static baseline's mean and median error
[mm] with the forecasts and points behind them (null where no point was scored), over every scored
point and over the moving ones (``moving``), the same per episode, and the episodes skipped with
their reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from arm4r_policy.collect.atomic import write_json_atomically
from arm4r_training.evaluation.track_metrics import (
    MOVING_MM,
    ClipErrors,
    HorizonErrors,
    TrackEvaluation,
    pooled_errors,
)

TRACK_METRICS_FILE = "track_metrics.json"
FORMAT_NAME = "arm4r-track-metrics"
FORMAT_VERSION = 1


def track_metrics_document(evaluation: TrackEvaluation, clips: Sequence[ClipErrors]) -> dict:
    """Everything ``track_metrics.json`` holds (see the module docstring)."""
    request = evaluation.request
    every = request.start_every
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "checkpoint": str(request.checkpoint),
        "data": [str(root) for root in request.data],
        "tasks": sorted({clip.task for clip in clips}),
        "protocol": {
            "horizons": list(request.horizons),
            "start_every": every,
            "start_steps": f"t = 0, {every}, {2 * every}, ... with t + h < T, per horizon h",
            "rollout": "points observed up to t; steps t+1 .. t+h-1 see their frames and the "
            "model's own predictions, never their ground-truth points",
            "context": evaluation.config.context,
            "points_scored": "visible at t + h (visibility.zarr; every point where there is none)",
            "baseline": "static: every point stays where it was at t",
            "moving": f"points whose ground truth moved >= {MOVING_MM} mm from t to t + h",
            "unit": "mm",
        },
        "horizons": [errors.summary() for errors in pooled_errors(clips, request.horizons)],
        "episodes": [
            {
                "path": str(clip.path),
                "task": clip.task,
                "steps": clip.num_steps,
                "horizons": [errors.summary() for errors in clip.horizons],
            }
            for clip in clips
        ],
        "skipped": {str(path): reason for path, reason in evaluation.skipped.items()},
    }


def write_track_metrics(out: Path, document: dict) -> Path:
    """Write ``document`` to ``<out>/track_metrics.json`` whole, replacing an older one."""
    path = Path(out) / TRACK_METRICS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, document)
    return path


def _mean_median(errors: np.ndarray) -> str:
    if not len(errors):
        return "-"
    return f"{np.mean(errors):.2f} / {np.median(errors):.2f}"


def format_track_table(errors: Sequence[HorizonErrors], title: str) -> str:
    """The printed summary: one row per horizon, model and static baseline side by side, over
    every scored point and then over the moving ones."""
    lines = [
        title,
        f"{'horizon':>8}  {'model mean / median mm':>24}  {'static mean / median mm':>24}  "
        f"{'points':>10}",
    ]
    for heading, subset in (
        ("visible points", errors),
        (f"visible points that moved >= {MOVING_MM:g} mm", [h.moving() for h in errors]),
    ):
        lines.append(heading)
        for horizon in subset:
            steps = f"{horizon.horizon} step{'s' if horizon.horizon > 1 else ''}"
            lines.append(
                f"{steps:>8}  {_mean_median(horizon.model):>24}  "
                f"{_mean_median(horizon.static):>24}  {horizon.points:>10,}"
            )
    return "\n".join(lines)
