"""Replacing a file whole: readers see the old version or the new one, never a part of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(path: Path, text: str, staging: Path | None = None) -> None:
    """Write ``text`` to ``staging`` (a hidden sibling by default), flush it, rename onto ``path``.

    The rename is atomic on POSIX file systems when both lie in one directory.
    """
    path = Path(path)
    if staging is None:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        staging = Path(name)
        stream = os.fdopen(descriptor, "w", encoding="utf-8")
    else:
        stream = open(staging, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        with stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
