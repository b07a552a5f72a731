"""Replacing a file whole: readers see the old version or the new one, never a part of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def umask_mode(base: int) -> int:
    """``base`` (0o666 for files, 0o777 for directories) less the process umask.

    ``tempfile`` makes private staging entries (0600, 0700); giving them the mode a plain
    ``open`` or ``mkdir`` would have given keeps a renamed result readable by the same people.
    The umask is read from /proc where it can be, because setting it to read it races threads.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return base & ~int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return base & ~mask


def write_atomically(
    path: Path, write: Callable[[BinaryIO], object], staging: Path | None = None
) -> None:
    """Call ``write`` on ``staging`` (a hidden sibling by default), flush it, rename onto ``path``.

    The rename is atomic on POSIX file systems when both lie in one directory.
    """
    path = Path(path)
    if staging is None:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.fchmod(descriptor, umask_mode(0o666))
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
