"""The ``arm4r`` command line."""

from __future__ import annotations

import argparse
import sys

import torch

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
