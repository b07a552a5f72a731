"""``arm4r eval-tracks``: how far ahead a points checkpoint forecasts recorded tracks.

The ``arm4r`` command (``arm4r_policy.cli``) declares the arguments and calls ``run``, which turns
them into a ``TrackEvaluationRequest`` (``evaluation.track_metrics``), scores every episode with a
progress bar, names the episodes it skipped, prints the error table per horizon and writes
``<out>/track_metrics.json``.

Exit codes: 0 done, 1 the evaluation failed while running, 2 a refused request (nothing run),
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("arm4r_eval") / "tracks"
"""Results go here unless ``--out`` says otherwise."""


def run(args: argparse.Namespace) -> int:
    """Score as ``args`` ask (see ``arm4r eval-tracks --help``); returns the exit code."""
    from arm4r_policy.errors import ARM4RError
    from arm4r_training.evaluation import (
        DEFAULT_HORIZONS,
        DEFAULT_START_EVERY,
        TrackEvaluation,
        TrackEvaluationRequest,
        format_track_table,
        pooled_errors,
        track_metrics_document,
        write_track_metrics,
    )

    out = args.out or DEFAULT_OUT
    try:
        request = TrackEvaluationRequest(
            checkpoint=args.checkpoint, data=tuple(args.data), tasks=tuple(args.tasks or ()),
            episodes=args.episodes, horizons=tuple(args.horizons or DEFAULT_HORIZONS),
            start_every=DEFAULT_START_EVERY if args.start_every is None else args.start_every,
            text_weights=args.text_weights,
        )  # fmt: skip
        evaluation = TrackEvaluation(request)
    except ARM4RError as refusal:
        print(f"arm4r eval-tracks: {refusal}", file=sys.stderr)
        return 2
    try:
        clips = evaluation.run()
        results = write_track_metrics(out, track_metrics_document(evaluation, clips))
    except ARM4RError as failure:
        print(f"arm4r eval-tracks: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("arm4r eval-tracks: interrupted; no results written", file=sys.stderr)
        return 130
    for path, reason in evaluation.skipped.items():
        print(f"skipped {path}: {reason}")
    every = request.start_every
    title = (
        f"{request.checkpoint}: {len(clips)} episodes, open-loop forecasts from every "
        f"{'step' if every == 1 else f'{every}th step (t = 0, {every}, {2 * every}, ...)'}; "
        "errors over the points visible at the forecast step"
    )
    print(format_track_table(pooled_errors(clips, request.horizons), title))
    print(f"results: {results}")
    return 0
