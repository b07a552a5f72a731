"""Replacing a file whole: readers see the old version or the new one, never a part of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(
    path: Path, write: Callable[[BinaryIO], object], staging: Path | None = None
) -> None:
    """Call ``write`` on ``staging`` (a hidden sibling by default), flush it, rename onto ``path``.

    The rename is atomic on POSIX file systems when both lie in one directory.
    """
    path = Path(path)
    if staging is None:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        staging, stream = Path(name), os.fdopen(descriptor, "wb")
    else:
        stream = open(staging, "wb")  # noqa: SIM115 - closed below
    try:
        with stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def replace_file(path: Path, text: str, staging: Path | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, staged at ``staging`` if given."""
    write_atomically(path, lambda stream: stream.write(text.encode("utf-8")), staging)
