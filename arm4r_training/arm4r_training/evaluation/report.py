"""What an evaluation prints and keeps: the success table and ``<out>/results.json``.

``results.json`` holds the request, the protocol (seed rule, step limit, cameras, image size,
safety box), the success rate [%] per variation and over all of them (per seed group, mean, std)
and one entry per episode: variation, seed group, episode, seed, success, steps, ``failure``
(null, ``timeout``, ``planning_refused``, ``safety_refused`` or, through the ROS graph,
``stalled``) with its ``detail`` in words, refusal counts, simulated and wall seconds,
``grasp_offset`` (where the gripper first closed relative to the object to pick, or null) and the
video path if it was filmed. ``protocol.runner`` says where the episodes ran: ``in_process`` or
``ros_graph``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from arm4r_policy.collect.atomic import write_json_atomically
from arm4r_training.evaluation.protocol import (
    SEED_GROUP_STRIDE,
    EpisodeRecord,
    EvaluationPlan,
    SuccessRate,
    success_rate,
    success_rates,
)

RESULTS_FILE = "results.json"
FORMAT_NAME = "arm4r-evaluation"
FORMAT_VERSION = 1
ALL_VARIATIONS = "all"
"""Name of the row pooling every variation: per seed group, the mean of the variations' rates."""


def _rate_document(rate: SuccessRate) -> dict:
    return {"per_seed_group": list(rate.per_group), "mean": rate.mean, "std": rate.std}


def results_document(evaluation: EvaluationPlan, records: Sequence[EpisodeRecord]) -> dict:
    """Everything ``results.json`` holds (see the module docstring)."""
    request = evaluation.request
    rates = {rate.name: _rate_document(rate) for rate in success_rates(records)}
    rates[ALL_VARIATIONS] = _rate_document(success_rate(ALL_VARIATIONS, records))
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "cell": request.cell,
        "task": request.task,
        "checkpoint": str(request.checkpoint),
        "protocol": {
            "runner": "ros_graph" if request.ros else "in_process",
            "episodes_per_seed_group": request.episodes,
            "seed_groups": request.seed_groups,
            "first_seed": request.first_seed,
            "seed_rule": f"first_seed + {SEED_GROUP_STRIDE} * seed_group + episode",
            "statistics": "success rate [%] per seed group; mean and population std (ddof 0)",
            "max_steps": evaluation.max_steps,
            "camera_names": list(evaluation.settings.camera_names),
            "image_size": evaluation.settings.image_size,
            "max_consecutive_refusals": evaluation.settings.max_consecutive_refusals,
            "safety_limits": asdict(evaluation.safety_limits),
        },
        "success_rate": rates,
        "episodes": [record.to_dict() for record in records],
    }


def write_results(out: Path, document: dict) -> Path:
    """Write ``document`` to ``<out>/results.json`` whole, replacing an older one."""
    path = Path(out) / RESULTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(path, document)
    return path


def grasp_miss_mm(records: Sequence[EpisodeRecord]) -> float | None:
    """Median horizontal distance [mm] from the grasp point at which the gripper first closed,
    over the episodes where it closed; None when it closed in none."""
    offsets = [r.result.grasp_offset for r in records if r.result.grasp_offset is not None]
    if not offsets:
        return None
    return 1000.0 * float(np.median([np.hypot(x, y) for x, y, _ in offsets]))


def format_table(records: Sequence[EpisodeRecord], title: str) -> str:
    """The printed summary: per variation, mean +- std [%], each seed group's rate, the median
    horizontal miss of the first grasp and the failures by kind; a last row over all variations
    when there are several."""
    rates = success_rates(records)
    if len(rates) > 1:
        rates.append(success_rate(ALL_VARIATIONS, records))
    width = max(len("variation"), *(len(rate.name) for rate in rates))
    lines = [
        title,
        f"{'variation':<{width}}  {'success %':>14}  {'per seed group':<22}"
        f"{'grasp miss':>10}  failures",
    ]
    for rate in rates:
        chosen = [r for r in records if rate.name in (ALL_VARIATIONS, r.variation)]
        failures = Counter(r.result.failure for r in chosen if not r.result.success)
        listed = ", ".join(f"{kind} {count}" for kind, count in sorted(failures.items())) or "-"
        per_group = " ".join(f"{value:5.1f}" for value in rate.per_group)
        mean_std = f"{rate.mean:5.1f} ± {rate.std:4.1f}"
        miss = grasp_miss_mm(chosen)
        miss_text = "-" if miss is None else f"{miss:.0f} mm"
        lines.append(
            f"{rate.name:<{width}}  {mean_std:>14}  {per_group:<22}{miss_text:>10}  {listed}"
        )
    seconds = np.mean([record.result.wall_seconds for record in records])
    steps = np.mean([record.result.steps for record in records])
    lines.append(f"{len(records)} episodes, mean {steps:.0f} steps, {seconds:.2f} s per episode")
    lines.append("grasp miss: median horizontal distance from the object where the gripper closed")
    return "\n".join(lines)
