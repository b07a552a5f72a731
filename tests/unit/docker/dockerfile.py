"""A small Dockerfile reader for static checks: the instructions with their arguments, the
images the stages start from, and the shell commands of a RUN.

It reads what our Dockerfiles use: comments, parser directives, ``\\`` line continuations
(comment and blank lines inside an instruction are dropped, as Docker does), exec (JSON) and
shell forms, and ``ARG`` values in ``FROM``. Not supported: another escape character, heredocs.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")
_SHELL_SEPARATOR = re.compile(r"&&|\|\||;|\|")


@dataclass(frozen=True)
class Instruction:
    """One instruction: its keyword in upper case, the rest of it with continuations joined, and
    the line it starts on."""

    keyword: str
    arguments: str
    line: int

    def words(self) -> list[str]:
        """The arguments as words: the JSON array of the exec form, else split as a shell would."""
        if self.arguments.startswith("["):
            return json.loads(self.arguments)
        return shlex.split(self.arguments)

    def flags(self) -> dict[str, str]:
        """The leading ``--name=value`` (or bare ``--name``) options, by name."""
        flags = {}
        for word in self.words():
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            flags[name] = value
        return flags

    def operands(self) -> list[str]:
        """The words after the leading options."""
        words = self.words()
        return words[len(self.flags()) :]

    def shell_commands(self) -> list[str]:
        """A shell-form RUN split at ``&&``, ``||``, ``;`` and ``|``."""
        return [part.strip() for part in _SHELL_SEPARATOR.split(self.arguments) if part.strip()]


def parse(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile's ``text``."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not pending:
            start = number
        continued = line.endswith("\\")
        pending.append(line[:-1].strip() if continued else line)
        if not continued:
            keyword, _, arguments = " ".join(pending).partition(" ")
            instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
            pending = []
    if pending:
        raise ValueError(f"line {start}: the file ends inside a continued instruction")
    return instructions


def read(path: Path) -> list[Instruction]:
    return parse(path.read_text(encoding="utf-8"))


def build_arguments(instructions: list[Instruction]) -> dict[str, str]:
    """The ``ARG`` defaults declared before the first ``FROM``: the only ones ``FROM`` sees."""
    values = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            for word in instruction.words():
                name, _, value = word.partition("=")
                values[name] = value
    return values


def environment(instructions: list[Instruction]) -> dict[str, str]:
    """What the ``ENV`` instructions set, in either form (``KEY=value ...``, ``KEY value``)."""
    values = {}
    for instruction in instructions:
        if instruction.keyword == "ENV":
            words = instruction.words()
            if "=" in words[0]:
                values.update(word.partition("=")[::2] for word in words)
            else:
                values[words[0]] = " ".join(words[1:])
    return values


def substitute(text: str, values: dict[str, str]) -> str:
    """``$NAME``, ``${NAME}`` and ``${NAME:-default}`` replaced by ``values``."""

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        return values.get(name) or match.group(2) or ""

    return _VARIABLE.sub(value, text)


@dataclass(frozen=True)
class Stage:
    """A ``FROM``: the image (arguments substituted) and the stage's name, if it has one."""

    image: str
    name: str | None
    line: int


def stages(instructions: list[Instruction]) -> list[Stage]:
    values = build_arguments(instructions)
    found = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = instruction.operands()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(substitute(words[0], values), name, instruction.line))
    return found


def is_pinned(image: str) -> bool:
    """A digest, or a tag other than ``latest`` (the tag follows the last path component's
    ``:``; a ``:`` before that separates a registry's port)."""
    if "@sha256:" in image:
        return True
    _, _, tag = image.rpartition("/")[2].partition(":")
    return bool(tag) and tag != "latest"
