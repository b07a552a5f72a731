"""``arm4r eval``: the paper's evaluation protocol on a checkpoint, in simulation.

The ``arm4r`` command (``arm4r_policy.cli``) declares the arguments and calls ``run``, which turns
them into an ``EvaluationRequest``, runs it with a progress bar, prints the success table, writes
``<out>/results.json`` and prints where it and the videos are. With ``--ros`` the episodes run
through the ROS graph instead (``evaluation.ros_evaluation``): the node processes and their logs
are printed as they start, and no videos are made.

Exit codes: 0 done, 1 the evaluation failed while running, 2 a refused request (nothing run),
130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROS_NEEDS = (
    "arm4r eval --ros: cannot import {module!r}, so nothing was run. The ROS graph needs rclpy "
    "and the ROS 2 message packages (the ros-* wheels of requirements.txt, or a sourced ROS 2 "
    "installation) and arm4r_bringup (pip install -e arm4r_bringup, or its colcon install). "
    "Leave out --ros to evaluate in this process on the same simulation."
)
NO_ROS_VIDEOS = "videos: none with --ros (sim_node renders the scenes)"
DEFAULT_OUT = Path("arm4r_eval")
"""Results go to ``<DEFAULT_OUT>/<cell>_<task>`` unless ``--out`` says otherwise."""


def run(args: argparse.Namespace) -> int:
    """Evaluate as ``args`` ask (see ``arm4r eval --help``); returns the exit code."""
    os.environ.setdefault("MUJOCO_GL", "egl")  # read by mujoco at its first import, just below
    from arm4r_policy.errors import ARM4RError
    from arm4r_training.evaluation import (
        DEFAULT_FIRST_SEED,
        Evaluation,
        EvaluationRequest,
        format_table,
        results_document,
        write_results,
    )

    if args.ros:
        try:
            from arm4r_training.evaluation.ros_evaluation import RosEvaluation
        except ModuleNotFoundError as missing:
            if (missing.name or "").partition(".")[0] in ("arm4r_policy", "arm4r_training"):
                raise  # one of our own modules is broken, not the ROS installation
            print(ROS_NEEDS.format(module=missing.name), file=sys.stderr)
            return 2
    out = args.out or DEFAULT_OUT / f"{args.cell}_{args.task}"
    try:
        request = EvaluationRequest(
            cell=args.cell, task=args.task, checkpoint=args.checkpoint, out=out,
            variations=tuple(filter(None, [args.variation])), episodes=args.episodes,
            seed_groups=args.seeds,
            first_seed=DEFAULT_FIRST_SEED if args.seed is None else args.seed,
            video_episodes=0 if args.ros else args.video_episodes,
            text_weights=args.text_weights, image_size=args.image_size, max_steps=args.max_steps,
            ros=args.ros,
        )  # fmt: skip
        evaluation = RosEvaluation(request) if args.ros else Evaluation(request)
    except ARM4RError as refusal:
        print(f"arm4r eval: {refusal}", file=sys.stderr)
        return 2
    try:
        records = evaluation.run()
        results = write_results(out, results_document(evaluation, records))
    except ARM4RError as failure:
        print(f"arm4r eval: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("arm4r eval: interrupted; no results written", file=sys.stderr)
        return 130
    title = (
        f"{args.cell}/{args.task}: {request.episodes} episodes x {request.seed_groups} seed "
        f"groups from seed {request.first_seed}, checkpoint {request.checkpoint}"
        f"{', through the ROS graph' if request.ros else ''}"
    )
    print(format_table(records, title))
    print(f"results: {results}")
    if request.ros:
        print(NO_ROS_VIDEOS)
    for record in records:
        if record.video is not None:
            print(f"video: {record.video}")
    return 0
