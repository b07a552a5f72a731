"""Whole-or-nothing writes: stage beside the destination, rename into place when complete.

Everything staged lives in a hidden sibling named ``.<final name>.partial-<token>``: the leading dot
keeps it out of ``glob`` (the public ARM4R reader finds episodes with ``**/*proprio.zarr``, which
skips hidden entries), and the marker lets a later run recognise what a killed run left behind
(``is_staging_name``). A rename within one directory is atomic on POSIX file systems, so a reader
sees either nothing or the finished directory / file. This is safe against a killed process; it
does not fsync directories, so after a power cut ``validate_episode`` is what tells a truncated
file.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from arm4r_policy.atomic_file import replace_file
from arm4r_policy.errors import DatasetError

STAGING_MARKER = ".partial-"


def staging_path(final: Path) -> Path:
    """A fresh hidden sibling of ``final`` to build it in."""
    return final.with_name(f".{final.name}{STAGING_MARKER}{uuid.uuid4().hex[:12]}")


def is_staging_name(name: str) -> bool:
    """Whether a directory entry is something ``staging_path`` made."""
    return name.startswith(".") and STAGING_MARKER in name


def _refuse_existing(final: Path) -> None:
    if final.exists() or final.is_symlink():
        raise DatasetError(f"{final} already exists; refusing to replace it")


class StagedDirectory:
    """An empty hidden directory, ``path``, that becomes ``final`` on ``commit``.

    Used as a context manager, it is discarded when the block raises or ends without ``commit``:
    ``final`` is never created half-written. The parent of ``final`` is created if needed.

    Raises:
        DatasetError: ``final`` already exists (nothing already written is ever replaced).
    """

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        _refuse_existing(self.final)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.path = staging_path(self.final)
        self.path.mkdir()
        self._open = True

    def commit(self) -> Path:
        """Rename the staging directory to ``final`` and return ``final``."""
        self._check_open()
        _refuse_existing(self.final)
        os.rename(self.path, self.final)
        self._open = False
        return self.final

    def discard(self) -> None:
        """Remove the staging directory and everything in it; a no-op once committed."""
        if self._open:
            shutil.rmtree(self.path, ignore_errors=True)
            self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise DatasetError(f"staging of {self.final} is already committed or discarded")

    def __enter__(self) -> StagedDirectory:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()


def write_json_atomically(path: Path, document: dict) -> None:
    """Write ``document`` as indented JSON to ``path``, replacing any previous version whole."""
    path = Path(path)
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    replace_file(path, text, staging=staging_path(path))
