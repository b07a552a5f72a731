"""The ``arm4r`` command line."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

import torch

from arm4r_policy.errors import ARM4RError
from arm4r_policy.model import ARM4R, ARM4RConfig, parameter_counts
from arm4r_policy.model.checkpoint import load_config

PRESETS = {"paper": ARM4RConfig.paper, "tiny": ARM4RConfig.tiny}


def _info(args: argparse.Namespace) -> int:
    """Print a model's configuration and its parameters per part, without allocating weights."""
    if args.checkpoint:
        config = load_config(args.checkpoint)
    else:
        config = PRESETS[args.config](mode=args.mode, context=args.context)
    with torch.device("meta"):
        model = ARM4R(config)
    print(f"ARM4R {config.mode} model: C={config.context}, K={config.horizon}, "
          f"{config.image_size}px images from {config.num_cameras} cameras")  # fmt: skip
    for part, count in parameter_counts(model).items():
        print(f"  {part:<16}{count:>14,}")
    return 0


def _collect(args: argparse.Namespace) -> int:
    """Record scripted demonstrations (paper appendix E.2); a rerun resumes to the count.

    Exit codes: 0 done, 1 the collection failed while running, 2 a refused request (nothing
    written), 130 interrupted.
    """
    os.environ.setdefault("MUJOCO_GL", "egl")  # read by mujoco at its first import, just below
    from arm4r_policy.collect.session import CollectionSession, CollectRequest, describe_tasks

    if args.list:
        print(describe_tasks())
        return 0
    if None in (args.cell, args.task, args.out):
        print("arm4r collect: --cell, --task and --out are required (or --list)", file=sys.stderr)
        return 2
    request = dict(
        cell=args.cell, task=args.task, variations=(args.variation,) if args.variation else (),
        episodes=args.episodes, out=args.out, first_seed=args.seed,
        image_size=(args.size, args.size), rate_hz=args.rate, tracks=args.tracks,
        track_camera=args.track_camera, grid_size=args.grid, text_weights=args.text_weights,
        home_noise=args.home_noise,
    )  # fmt: skip
    try:
        session = CollectionSession(CollectRequest(**request))
    except ARM4RError as refusal:
        print(f"arm4r collect: {refusal}", file=sys.stderr)
        return 2
    try:
        session.run()
    except ARM4RError as failure:
        print(f"arm4r collect: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("arm4r collect: interrupted; the same command resumes", file=sys.stderr)
        return 130
    return 0


def _export(args: argparse.Namespace) -> int:
    """Write a checkpoint's model alone (no training state), optionally in half precision."""
    from arm4r_policy.model.checkpoint import WEIGHTS, load_checkpoint, save_checkpoint

    try:
        model, normalizer = load_checkpoint(args.checkpoint)
    except ARM4RError as refusal:
        print(f"arm4r export: {refusal}", file=sys.stderr)
        return 2
    dtype = {"float32": None, "float16": torch.float16}[args.dtype]
    out = save_checkpoint(args.out, model, normalizer, weights_dtype=dtype)
    print(f"{out}: {(out / WEIGHTS).stat().st_size / 1e6:.1f} MB of {args.dtype} weights")
    return 0


def _run_training_command(module: str, args: argparse.Namespace) -> int:
    """Call ``run(args)`` of the arm4r_training ``module``, imported only now."""
    try:
        run = importlib.import_module(module).run
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "arm4r_training":
            raise  # arm4r_training is there but one of its own imports failed
        print(
            f"arm4r {args.command}: needs the arm4r_training package, which is not installed; "
            "install it with `pip install -e arm4r_training`",
            file=sys.stderr,
        )
        return 2
    return run(args)


def _eval(args: argparse.Namespace) -> int:
    """Evaluate a checkpoint by the paper's protocol in simulation (``arm4r_training.eval_cli``)."""
    return _run_training_command("arm4r_training.eval_cli", args)


def _eval_tracks(args: argparse.Namespace) -> int:
    """Score a points checkpoint's track forecasts (``arm4r_training.eval_tracks_cli``)."""
    return _run_training_command("arm4r_training.eval_tracks_cli", args)


def _calibrate(args: argparse.Namespace) -> int:
    """Calibrate a camera from board images (``arm4r_policy.calibration.command``)."""
    from arm4r_policy.calibration.command import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arm4r", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    info = commands.add_parser("info", help="describe a model preset or a checkpoint")
    source = info.add_mutually_exclusive_group()
    source.add_argument("--config", choices=sorted(PRESETS), default="paper")
    source.add_argument("--checkpoint", help="a checkpoint directory")
    info.add_argument("--mode", choices=["control", "points"], default="control")
    info.add_argument("--context", type=int, default=16, help="steps in the window, C")
    info.set_defaults(run=_info)

    collect = commands.add_parser("collect", help="record scripted demonstrations in simulation")
    collect.add_argument("--list", action="store_true", help="list cells, tasks and variations")
    collect.add_argument("--cell", help="kinova or franka")
    collect.add_argument("--task", help="a task of the cell, e.g. pick_cube")
    collect.add_argument("--variation", help="one variation; all of the task's when omitted")
    collect.add_argument("--episodes", type=int, default=190, help="episodes per variation")
    collect.add_argument("--seed", type=int, default=0, help="first seed of a new collection")
    collect.add_argument("--out", type=Path, help="collection output directory")
    collect.add_argument("--tracks", action="store_true", help="store ground-truth point tracks")
    collect.add_argument("--track-camera", help="camera to track; default: the exterior one")
    collect.add_argument("--grid", type=int, default=36, help="g of the g x g tracked grid")
    collect.add_argument("--size", type=int, default=224, help="stored image side [px]")
    collect.add_argument("--rate", type=float, default=15.0, help="recording rate [Hz]")
    collect.add_argument("--text-weights", type=Path, help="local CLIP text tower directory")
    collect.add_argument(
        "--home-noise", type=float, default=0.05, metavar="RAD",
        help="each joint starts within +-RAD of home (the evaluation's 0.05)",
    )  # fmt: skip
    collect.set_defaults(run=_collect)

    export = commands.add_parser("export", help="copy a checkpoint's model for shipping")
    export.add_argument("checkpoint", type=Path, help="a checkpoint directory")
    export.add_argument("out", type=Path, help="the new checkpoint directory")
    export.add_argument(
        "--dtype", choices=["float32", "float16"], default="float32", help="stored weights"
    )
    export.set_defaults(run=_export)

    evaluate = commands.add_parser("eval", help="evaluate a checkpoint in simulation")
    evaluate.add_argument("--cell", required=True, help="kinova or franka")
    evaluate.add_argument("--task", required=True, help="a task of the cell, e.g. pick_cube")
    evaluate.add_argument("--variation", help="one variation; all of the task's when omitted")
    evaluate.add_argument("--checkpoint", type=Path, required=True, help="a control checkpoint")
    evaluate.add_argument("--episodes", type=int, default=25, help="per seed group (paper: 25)")
    evaluate.add_argument("--seeds", type=int, default=3, help="seed groups (paper: 3)")
    evaluate.add_argument(
        "--seed",
        type=int,
        help="first evaluation seed (default 1000000); collections use seeds from 0 upward, so "
        "any first seed from 100000 on gives held-out scenes",
    )
    evaluate.add_argument("--out", type=Path, help="output directory (arm4r_eval/<cell>_<task>)")
    evaluate.add_argument(
        "--video-episodes",
        type=int,
        default=1,
        help="film the first N episodes of the first seed group of each variation",
    )
    evaluate.add_argument("--text-weights", type=Path, help="local CLIP text tower directory")
    evaluate.add_argument("--image-size", type=int, help="policy frame side [px] (checkpoint's)")
    evaluate.add_argument("--max-steps", type=int, help="policy steps per episode (the task's)")
    evaluate.add_argument("--ros", action="store_true", help="run through the ROS graph, no videos")
    evaluate.set_defaults(run=_eval)

    tracks = commands.add_parser("eval-tracks", help="score a points checkpoint's track forecasts")
    tracks.add_argument("--checkpoint", type=Path, required=True, help="a points checkpoint")
    tracks.add_argument("--data", type=Path, nargs="+", required=True, help="dataset root(s)")
    tracks.add_argument("--tasks", nargs="+", help="tasks to read; all found when omitted")
    tracks.add_argument("--episodes", type=int, help="first N episodes per task; all if omitted")
    tracks.add_argument("--horizons", type=int, nargs="+", help="steps ahead (1 2 4 8)")
    tracks.add_argument("--start-every", type=int, help="steps between forecast starts (4)")
    tracks.add_argument("--out", type=Path, help="output directory (arm4r_eval/tracks)")
    tracks.add_argument("--text-weights", type=Path, help="local CLIP text tower directory")
    tracks.set_defaults(run=_eval_tracks)

    calibrate = commands.add_parser("calibrate", help="calibrate a camera from board images")
    steps = calibrate.add_subparsers(dest="step", required=True)
    intrinsics = steps.add_parser("intrinsics", help="K and distortion: camera_calibration YAML")
    extrinsics = steps.add_parser("extrinsics", help="the camera's pose on the robot")
    for step in (intrinsics, extrinsics):
        step.add_argument("--images", type=Path, required=True, help="folder of board images")
        step.add_argument("--board", choices=["chessboard", "charuco"], required=True)
        step.add_argument("--cols", type=int, required=True, help="inner corners along a row")
        step.add_argument("--rows", type=int, required=True, help="inner corners along a column")
        step.add_argument("--square", type=float, required=True, help="square side [m]")
        step.add_argument("--marker", type=float, help="ChArUco marker side [m]")
        step.add_argument("--dictionary", default="DICT_5X5_100", help="ChArUco ArUco dictionary")
        step.add_argument("--out", type=Path, required=True, help="YAML file to write")
        step.set_defaults(run=_calibrate)
    intrinsics.add_argument("--camera-name", required=True, help="camera name in the YAML")
    intrinsics.add_argument(
        "--max-error", type=float, default=argparse.SUPPRESS, help="per-image limit [px]"
    )
    extrinsics.add_argument("--poses", type=Path, help="end-effector poses (<images>/poses.yaml)")
    extrinsics.add_argument("--intrinsics", type=Path, required=True, help="camera YAML")
    extrinsics.add_argument("--camera", required=True, help="camera's entry in --out")
    extrinsics.add_argument("--mount", choices=["fixed", "wrist"], default="fixed")
    for limit, unit in (("--max-position-error", "mm"), ("--max-rotation-error", "deg")):
        extrinsics.add_argument(
            limit, type=float, default=argparse.SUPPRESS, help=f"per-image limit [{unit}]"
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
