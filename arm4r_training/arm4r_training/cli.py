"""``arm4r-train``: Stage 1/2 point-track pre-training and Stage 3 control fine-tuning.

    arm4r-train --stage {1,2,3} --config {paper,tiny,<run.yaml>} --data DIR [DIR ...] --out DIR
                [--init CHECKPOINT | --resume DIR] [recipe, model and execution overrides]

Argument parsing only: ``arm4r_training.train.prepare_run`` builds the run and ``Trainer.run``
trains it. ``arm4r-train --help`` lists every override, the use under torchrun and the exit codes.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from arm4r_policy.errors import ARM4RError, ConfigError
from arm4r_training.train import (
    DataFactory,
    DataRequest,
    DistributedContext,
    RunOptions,
    RunSpec,
    prepare_run,
    resolve_run_config,
)
from arm4r_training.train.distributed import DEVICES
from arm4r_training.train.recipe import PRECISIONS, STAGES
from arm4r_training.train.run_config import PRESETS
from arm4r_training.train.sources import dataset_from_disk

PROG = "arm4r-train"
DESCRIPTION = "Stage 1/2 point-track pre-training and Stage 3 control fine-tuning of ARM4R."
EPILOG = """\
Several processes (one or many nodes) train together under torchrun, e.g.
  torchrun --nproc-per-node 4 -m arm4r_training.cli --stage 3 ...

exit codes: 0 done, 1 training failed while running, 2 a refused request (nothing trained),
130 interrupted"""
# statistics fitted on the training data are cached here, in the run directory
STATS_FILE = "data_statistics.json"


def _optional_float(text: str) -> float | None:
    return None if text.lower() == "none" else float(text)


def _task_selection(text: str) -> tuple[str, int | None]:
    name, _, count = text.partition(":")
    if not name or (count and not count.isdigit()):
        raise argparse.ArgumentTypeError(f"expected TASK or TASK:COUNT, got {text!r}")
    return name, int(count) if count else None


# option -> (Recipe field, argparse settings); an option left out keeps the preset's value
RECIPE_OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "--lr": ("lr", {"type": float, "help": "peak learning rate"}),
    "--weight-decay": ("weight_decay", {"type": float}),
    "--batch-size": ("batch_size", {"type": int, "help": "global batch [windows]"}),
    "--micro-batch": ("micro_batch", {"type": int, "help": "windows per forward pass and "
                      "process; gradient accumulation makes up the batch size"}),
    "--grad-accum": ("grad_accumulation", {"type": int, "help": "forward passes per step"}),
    "--epochs": ("epochs", {"type": float, "help": "schedule length [epochs]"}),
    "--steps": ("steps", {"type": int, "help": "schedule length [steps], instead of epochs"}),
    "--warmup-epochs": ("warmup_epochs", {"type": float}),
    "--warmup-steps": ("warmup_steps", {"type": int, "help": "instead of warm-up epochs"}),
    "--betas": ("betas", {"type": float, "nargs": 2, "metavar": ("BETA1", "BETA2")}),
    "--eps": ("eps", {"type": float, "help": "AdamW epsilon"}),
    "--grad-clip": ("grad_clip", {"type": _optional_float, "help": "largest gradient norm, "
                    "or 'none'"}),
    "--seed": ("seed", {"type": int}),
    "--precision": ("precision", {"choices": PRECISIONS, "help": "auto: bf16 autocast on "
                    "CUDA, fp32 on CPU"}),
    "--crop-scale": ("crop_scale", {"type": float, "nargs": 2, "metavar": ("LOW", "HIGH"),
                     "help": "area kept by the random crop of third-person views; 1 1: none"}),
    "--action-dropout": ("action_dropout", {"type": float, "help": "probability that a "
                         "window's action tokens are all hidden (0: the paper)"}),
    "--state-noise": ("state_noise", {"type": float, "help": "std of the noise on the input "
                      "state of control windows (0.005: the public code)"}),
}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    _add_run_arguments(parser)
    recipe = parser.add_argument_group("recipe (default: the stage's paper values)")
    for option, (field, settings) in RECIPE_OPTIONS.items():
        recipe.add_argument(option, dest=field, default=argparse.SUPPRESS, **settings)
    execution = parser.add_argument_group("execution")
    execution.add_argument("--device", choices=DEVICES, default="auto")
    execution.add_argument("--num-workers", type=int, default=4, help="loader workers per process")
    execution.add_argument(
        "--checkpoint-every",
        type=int,
        default=1000,
        help="steps between checkpoints; 0: only at the end",
    )
    execution.add_argument(
        "--max-steps", type=int, help="stop after this many steps (the schedule keeps its length)"
    )
    execution.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """What to train, on which data, from where, into which directory."""
    add = parser.add_argument
    add(
        "--stage",
        type=int,
        choices=STAGES,
        required=True,
        help="1: human-video points, 2: robot-setup points, 3: control",
    )
    add("--config", help=f"model preset ({', '.join(PRESETS)}) or a run YAML file")
    add("--data", type=Path, nargs="+", required=True, help="dataset roots")
    add(
        "--tasks",
        nargs="+",
        type=_task_selection,
        metavar="TASK[:COUNT]",
        help="tasks to train on, each with its first COUNT episodes (default: all)",
    )
    add("--split", default="train", help="dataset split (default: train)")
    add("--out", type=Path, required=True, help="run output directory")
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--init",
        type=Path,
        help="checkpoint to start from; Stage 3 from a Stage 1/2 checkpoint takes all but the "
        "state/action encoders and the head",
    )
    start.add_argument("--resume", type=Path, help="run or checkpoint directory to continue")
    add("--vision-weights", type=Path, help="MAE/CrossMAE ViT weights for the image encoder")
    add("--context", type=int, help="model context C [steps], 16 or 32 in the paper")


def spec_from_args(args: argparse.Namespace) -> RunSpec:
    """The run ``args`` ask for; raises ``ConfigError`` naming the option at fault."""
    recipe_values = {
        field: getattr(args, field) for field, _ in RECIPE_OPTIONS.values() if hasattr(args, field)
    }
    options = RunOptions(
        out=args.out,
        num_workers=args.num_workers,
        checkpoint_every=args.checkpoint_every or None,
        max_steps=args.max_steps,
        show_progress=not args.no_progress,
    )
    data = DataRequest(roots=tuple(args.data), tasks=dict(args.tasks) if args.tasks else None,
                       split=args.split, stats_file=args.out / STATS_FILE)  # fmt: skip
    if args.resume is not None:
        for option in ("config", "context", "vision_weights"):
            if getattr(args, option) is not None:
                raise ConfigError(
                    f"--{option.replace('_', '-')}: a resumed run takes its model from the "
                    f"checkpoint; leave it out with --resume"
                )
        return RunSpec(args.stage, data, options, recipe_values=recipe_values, resume=args.resume)
    if args.config is None:
        raise ConfigError("--config: required (paper, tiny or a run YAML file) unless --resume")
    overrides = {} if args.context is None else {"context": args.context}
    run_config = resolve_run_config(args.config, args.stage, overrides)
    if args.init is not None and not args.init.is_dir():
        raise ConfigError(f"--init: no checkpoint directory at {args.init}")
    if args.init is not None and args.vision_weights is not None:
        raise ConfigError("--vision-weights: the --init checkpoint brings its own image encoder")
    model = run_config.model
    if model.freeze_vision and args.init is None and args.vision_weights is None:
        sources = "--init or --vision-weights" if model.vision_encoder == "vit" else "--init"
        raise ConfigError(
            f"{sources}: required, the model freezes its {model.vision_encoder!r} image encoder, "
            "which would otherwise keep random weights; or train it (freeze_vision: false under "
            "model: in a run YAML)"
        )
    return RunSpec(
        args.stage, data, options, model=model,
        recipe_values={**run_config.recipe_values, **recipe_values},
        init=args.init, vision_weights=args.vision_weights,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None, data_factory: DataFactory | None = None) -> int:
    """Run ``arm4r-train``; ``data_factory`` replaces reading the datasets from disk."""
    args = build_parser().parse_args(argv)
    try:
        spec = spec_from_args(args)
        context = DistributedContext.from_env(args.device)
    except ARM4RError as refusal:
        return _refuse(refusal)
    logging.basicConfig(
        level=logging.INFO if context.is_main else logging.WARNING,
        format=f"[rank {context.rank}] %(levelname)s %(name)s: %(message)s",
    )
    with context:
        try:
            trainer = prepare_run(spec, context, data_factory or dataset_from_disk)
        except ARM4RError as refusal:
            return _refuse(refusal)
        try:
            summary = trainer.run()
        except ARM4RError as failure:
            print(f"{PROG}: {failure}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted; --resume {args.out} continues from the last checkpoint",
                  file=sys.stderr)  # fmt: skip
            return 130
    if context.is_main:
        print(f"{PROG}: {summary.last_step} steps, final loss {summary.final_loss}, "
              f"checkpoint {summary.checkpoint}")  # fmt: skip
    return 0


def _refuse(refusal: ARM4RError) -> int:
    print(f"{PROG}: {refusal}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
