"""Refusals that say exactly what a tracker lacks on this machine and where to put it.

Learned trackers and depth models run only from local copies: their Python package is imported
when the adapter is built (never at import time of this package) and their weights are read from
a directory given on the command line. Nothing is ever downloaded; a missing piece is a
``CheckpointError`` naming the file or package, the directory it was looked for in, and where the
official copy comes from.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from arm4r_policy.errors import CheckpointError

FileSpec = str | tuple[str, ...]
"""A file name relative to the directory, or alternatives of which one must exist."""


def require_files(
    directory: Path | str | None, files: Sequence[FileSpec], what: str, option: str, source: str
) -> Path:
    """``directory`` if it holds every file of ``files``, else a CheckpointError.

    Args:
        directory: the local directory given for the weights (None: not given).
        files: the files it must hold (see ``FileSpec``).
        what: what the files are, e.g. ``"CoTracker3 offline weights"``.
        option: the command-line option that gives the directory, e.g. ``"--tracker-weights"``.
        source: where the official files are published.
    """
    if directory is None or not str(directory).strip():
        raise CheckpointError(
            f"{what}: no directory given; pass {option} DIR with {_names(files)} from {source}"
        )
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(
            f"{what}: {option} {directory} is not a directory; it should hold {_names(files)} "
            f"from {source}"
        )
    missing = [
        spec for spec in files if not any((directory / name).is_file() for name in _alts(spec))
    ]
    if missing:
        raise CheckpointError(
            f"{what}: {directory} lacks {_names(missing)}; put "
            f"{'it' if len(missing) == 1 else 'them'} there from {source} (nothing is downloaded)"
        )
    return directory


def import_package(module: str, what: str, install: str) -> ModuleType:
    """``importlib.import_module(module)``, or a CheckpointError saying how to install it.

    A package that is present but fails on one of its own imports names that missing module.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        lacking = error.name or module
        own = module == lacking or module.startswith(f"{lacking}.")
        detail = "" if own else f" (it needs {lacking!r}, which is not installed)"
        raise CheckpointError(
            f"{what}: cannot import the Python package {module!r}{detail}; install it with: "
            f"{install}"
        ) from error


def _alts(spec: FileSpec) -> tuple[str, ...]:
    return (spec,) if isinstance(spec, str) else tuple(spec)


def _names(files: Sequence[FileSpec]) -> str:
    return ", ".join(" or ".join(_alts(spec)) for spec in files)
