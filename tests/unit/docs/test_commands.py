"""Every shell command in the README and docs/ is one the project really has.

A command in a ```bash block must be exercised here: our console scripts are parsed by their own
argument parsers, ``make`` targets must exist, ``ros2 launch arm4r_bringup`` must name a launch
file and only arguments it declares, ``docker compose`` must name services of the compose file.
A ```bash hardware block holds commands that need an arm, a camera or the robot image's ROS
installation; they are checked the same way where they use our tools, and otherwise only listed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

from tests.unit.bringup.launch_arguments import declared_arguments

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LAUNCH_DIR = ROOT / "arm4r_bringup" / "launch"
COMPOSE = ROOT / "docker" / "compose.yaml"
FENCE = re.compile(r"^```(\S*)\s*(.*)$")
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")

# Shell built-ins and file plumbing: nothing of ours to check.
PLUMBING = {"cd", "mkdir", "export", "source", "echo", "ls", "cat", "cp"}
# Run by `make test` in CI on every commit.
RUN_BY_CI = {"colcon"}


@dataclass(frozen=True)
class Command:
    document: Path
    line: int
    argv: list[str]
    hardware: bool

    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}: {shlex.join(self.argv)}"


def shell_blocks(document: Path) -> list[tuple[int, list[str], bool]]:
    """(first line number, lines, hardware?) of each bash block."""
    blocks, current = [], None
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line.strip())
        if fence and current is None:
            language, rest = fence.groups()
            current = (number + 1, [], rest.strip() == "hardware") if language == "bash" else ()
        elif fence:
            if current:
                blocks.append(current)
            current = None
        elif current:
            current[1].append(line)
    return blocks


def commands_of(document: Path) -> list[Command]:
    commands = []
    for first, lines, hardware in shell_blocks(document):
        joined, start = "", first
        for offset, line in enumerate(lines):
            if not joined:
                start = first + offset
            joined += line.rstrip().removesuffix("\\") + " "
            if line.rstrip().endswith("\\"):
                continue
            for argv in simple_commands(joined):
                commands.append(Command(document, start, argv, hardware))
            joined = ""
    return commands


def simple_commands(line: str) -> list[list[str]]:
    """The commands of a shell line split at ``&&``, ``;`` and pipes, without leading
    ``NAME=value`` assignments."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, argv = [], []
    for token in [*lexer, ";"]:
        if token.strip(";&|"):
            argv.append(token)
            continue
        while argv and ASSIGNMENT.match(argv[0]):
            argv = argv[1:]
        if argv:
            commands.append(argv)
        argv = []
    return commands


COMMANDS = [command for document in DOCUMENTS for command in commands_of(document)]


def program(argv: list[str]) -> str:
    return Path(argv[0]).name if argv[0].startswith(".venv/") else argv[0]


def our_console_scripts() -> dict[str, str]:
    """Console script name -> module, for the scripts of our packages."""
    return {
        entry.name: entry.module
        for entry in entry_points(group="console_scripts")
        if entry.module.partition(".")[0] in ("arm4r_policy", "arm4r_training")
    }


def check_console_script(module: str, arguments: list[str], command: Command) -> None:
    parser = import_module(module).build_parser()
    try:
        parser.parse_args(arguments)
    except SystemExit as refused:
        pytest.fail(f"{command.where()}: refused by {module} (exit {refused.code})")


def check_ros2_launch(command: Command) -> None:
    package, launch_file, *arguments = command.argv[2:]
    if package != "arm4r_bringup":
        assert command.hardware, f"{command.where()}: a vendor launch belongs in a hardware block"
        return
    path = LAUNCH_DIR / launch_file
    assert path.is_file(), f"{command.where()}: no launch file {path.relative_to(ROOT)}"
    declared = declared_arguments(path)
    for argument in arguments:
        name = argument.partition(":=")[0]
        assert name in declared, f"{command.where()}: {launch_file} declares no {name}:="


def check_docker(command: Command) -> None:
    argv = command.argv[1:]
    if argv[0] == "build":
        dockerfile = argv[argv.index("-f") + 1]
        assert (ROOT / dockerfile).is_file(), f"{command.where()}: no {dockerfile}"
        return
    assert argv[0] == "compose", f"{command.where()}: only docker build / compose are documented"
    compose_file = argv[argv.index("-f") + 1]
    assert ROOT / compose_file == COMPOSE, f"{command.where()}: expected -f docker/compose.yaml"
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    action = next(word for word in argv[3:] if word in ("up", "run", "build"))
    named = [w for w in argv[argv.index(action) + 1 :] if not w.startswith("-")]
    assert named, f"{command.where()}: name the service"
    for service in named:
        assert service in services, f"{command.where()}: compose has no service {service}"
    if "--profile" in argv:
        profile = argv[argv.index("--profile") + 1]
        for service in named:
            profiles = services[service].get("profiles", [])
            assert profile in profiles, f"{command.where()}: {service} is not in profile {profile}"


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, flags=re.MULTILINE))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"{c.document.name}:{c.line}")
def test_every_documented_command_exists_as_written(command: Command):
    name, scripts = program(command.argv), our_console_scripts()
    if name in scripts:
        check_console_script(scripts[name], command.argv[1:], command)
    elif name == "torchrun":
        module = command.argv[command.argv.index("-m") + 1]
        check_console_script(module, command.argv[command.argv.index("-m") + 2 :], command)
    elif name == "make":
        missing = set(command.argv[1:]) - makefile_targets()
        assert not missing, f"{command.where()}: the Makefile has no target {sorted(missing)}"
    elif command.argv[:2] == ["ros2", "launch"]:
        check_ros2_launch(command)
    elif name == "docker":
        check_docker(command)
    elif name not in PLUMBING | RUN_BY_CI:
        assert command.hardware, (
            f"{command.where()}: `{name}` is neither one of our tools nor in a "
            "```bash hardware block"
        )


def test_the_documents_hold_commands_of_each_kind():
    names = {program(command.argv) for command in COMMANDS}
    assert {"make", "arm4r", "arm4r-train", "ros2", "docker"} <= names
    assert any(command.hardware for command in COMMANDS)


def test_the_guides_link_only_to_files_that_exist():
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (document.parent / target).exists(), f"{document.name}: broken link {target}"
