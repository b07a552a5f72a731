"""The images, the compose file and the CI workflow, read without a Docker engine: the
Dockerfiles are well formed and copy files that exist, compose starts hardware only on request
and launches with arguments the launch files declare, and CI runs the README's test command."""

import itertools
import re
import shlex
import shutil
import stat
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from arm4r_bringup.graph import CELLS, camera_node_name
from tests.unit.bringup.launch_arguments import declared_arguments
from tests.unit.bringup.node_parameters import BRINGUP, REPO, cell_yaml

from . import dockerfile

DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
DOCKERFILES = sorted(DOCKER.glob("Dockerfile*"))
SERVICES = {"sim-eval", "kinova", "franka", "collect", "train", "launch-tests"}
REAL_ARM_SERVICES = sorted(CELLS)  # one per cell, named after it
SHELL_SEPARATORS = {"&&", "||", ";", "|"}


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


@cache
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: str) -> list[dict[str, Any]]:
    return workflow()["jobs"][job]["steps"]


def step_using(job: str, action: str) -> dict[str, Any]:
    """The first step of ``job`` that uses ``action`` (``owner/name``, any version)."""
    return next(step for step in steps(job) if step.get("uses", "").startswith(f"{action}@"))


def run_scripts(job: str) -> list[str]:
    return [step["run"].strip() for step in steps(job) if "run" in step]


def build_of(service: dict[str, Any]) -> tuple[Path, Path]:
    """The build context and Dockerfile of a compose service (relative to the compose file and
    to the context, as compose reads them)."""
    context = (COMPOSE.parent / service["build"]["context"]).resolve()
    return context, (context / service["build"].get("dockerfile", "Dockerfile")).resolve()


def build_context(path: Path) -> Path:
    """The one context compose builds the Dockerfile at ``path`` in."""
    contexts = {
        build_of(service)[0]
        for service in services().values()
        if "build" in service and build_of(service)[1] == path.resolve()
    }
    assert len(contexts) == 1, f"{path.name}: built in {contexts or 'no'} context by compose"
    return contexts.pop()


def makefile_rendering_packages() -> set[str]:
    """The Makefile's EGL_PACKAGES: what MuJoCo's offscreen rendering needs."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.search(r"^EGL_PACKAGES\s*:=(.*)$", makefile, re.MULTILINE).group(1).split())


def context_copies(
    instructions: list[dockerfile.Instruction],
) -> Iterator[tuple[dockerfile.Instruction, str, str]]:
    """(instruction, source, destination) of every COPY and ADD from the build context (not
    ``--from`` another stage or image)."""
    for instruction in instructions:
        if instruction.keyword in ("COPY", "ADD") and "from" not in instruction.flags():
            *sources, destination = instruction.operands()
            for source in sources:
                yield instruction, source, destination


def apt_installs(instructions: list[dockerfile.Instruction]) -> list[str]:
    return [
        command
        for run in instructions
        if run.keyword == "RUN"
        for command in run.shell_commands()
        if re.search(r"\bapt-get\b.*\binstall\b", command)
    ]


def launches(command: str | list[Any]) -> list[tuple[str, dict[str, str]]]:
    """(launch file, {argument: value}) of every ``ros2 launch arm4r_bringup`` in ``command``."""
    words = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    found = []
    for index in range(len(words) - 3):
        if words[index : index + 3] == ["ros2", "launch", "arm4r_bringup"]:
            rest = itertools.takewhile(
                lambda word: word not in SHELL_SEPARATORS, words[index + 4 :]
            )
            arguments = dict(word.split(":=", 1) for word in rest if ":=" in word)
            found.append((words[index + 3], arguments))
    return found


def moveit_backend_tests() -> set[str]:
    """The test files that skip where moveit_py is missing."""
    return {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "tests").rglob("test_*.py")
        if path != Path(__file__) and 'find_spec("moveit")' in path.read_text(encoding="utf-8")
    }


def readme_test_command() -> str:
    """The command of the README's "Two commands" whose comment says it runs the tests."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Two commands", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    lines = [line.partition("#") for line in block.splitlines()]
    commands = [command.strip() for command, _, comment in lines if "test" in comment]
    assert len(commands) == 1, f"not one test command in the README's block:{block}"
    return commands[0]


# --- Dockerfiles ---


def test_the_images_are_the_robot_and_the_training_image():
    assert [path.name for path in DOCKERFILES] == ["Dockerfile.robot", "Dockerfile.train"]


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_every_instruction_is_one_docker_knows(path):
    unknown = [
        f"line {instruction.line}: {instruction.keyword}"
        for instruction in dockerfile.read(path)
        if instruction.keyword not in dockerfile.INSTRUCTIONS
    ]
    assert not unknown


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_the_first_instruction_after_build_arguments_is_from(path):
    keywords = [instruction.keyword for instruction in dockerfile.read(path)]
    assert next(keyword for keyword in keywords if keyword != "ARG") == "FROM"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_base_images_are_pinned_to_a_tag_other_than_latest(path):
    earlier_stages = set()
    for stage in dockerfile.stages(dockerfile.read(path)):
        if stage.image not in earlier_stages:
            assert dockerfile.is_pinned(stage.image), f"line {stage.line}: {stage.image}"
        earlier_stages.add(stage.name)


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_copied_sources_exist_in_the_build_context_compose_uses(path):
    context = build_context(path)
    for instruction, source, _ in context_copies(dockerfile.read(path)):
        if re.match(r"[a-z]+://", source):
            continue  # ADD of a URL
        found = list(context.glob(source)) if re.search(r"[*?\[]", source) else []
        for file in found or [context / source]:
            where = f"line {instruction.line}: {source}"
            assert file.exists(), f"{where} is not in the build context {context}"
            assert file.resolve().is_relative_to(context), f"{where} is outside {context}"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_apt_installs_skip_recommends_and_clean_the_package_lists(path):
    runs = [instruction for instruction in dockerfile.read(path) if instruction.keyword == "RUN"]
    for run in runs:
        commands = run.shell_commands()
        for install in apt_installs([run]):
            assert "--no-install-recommends" in install.split(), f"line {run.line}: {install}"
        if any(re.search(r"\bapt-get\b.*\b(update|install)\b", command) for command in commands):
            cleans = [c for c in commands if c.startswith("rm ") and "/var/lib/apt/lists" in c]
            assert cleans, f"line {run.line}: the RUN leaves /var/lib/apt/lists behind"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_images_render_offscreen_as_the_makefile_does(path):
    instructions = dockerfile.read(path)
    installed = {word for install in apt_installs(instructions) for word in install.split()}
    assert makefile_rendering_packages() <= installed
    assert dockerfile.environment(instructions)["MUJOCO_GL"] == "egl"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_an_entrypoint_is_an_executable_script_of_the_context_that_runs_the_command(path):
    instructions, context = dockerfile.read(path), build_context(path)
    for entrypoint in (i for i in instructions if i.keyword == "ENTRYPOINT"):
        assert entrypoint.arguments.startswith("["), f"line {entrypoint.line}: not exec form"
        program = entrypoint.words()[0]
        sources = [
            context / source
            for _, source, destination in context_copies(instructions)
            if program in (destination, destination + Path(source).name)
        ]
        assert sources, f"line {entrypoint.line}: {program} is not copied from the context"
        script = sources[-1]
        # git records the owner's executable bit of the working tree, and a checkout restores it
        assert script.stat().st_mode & stat.S_IXUSR, f"{script} is not executable"
        lines = [line.strip() for line in script.read_text(encoding="utf-8").splitlines()]
        assert [line for line in lines if line][-1] == 'exec "$@"'


# --- compose.yaml ---


def test_compose_defines_the_stack_services():
    assert set(services()) >= SERVICES


def test_every_build_context_and_dockerfile_exists():
    for name, service in services().items():
        if "build" in service:
            context, path = build_of(service)
            assert context.is_dir(), f"{name}: no build context {context}"
            assert path.is_file(), f"{name}: no Dockerfile {path}"


def test_every_compose_variable_has_a_default():
    # compose interpolates the whole file for any service: one unset variable would stop all
    unset = re.compile(r"(?<!\$)\$(?:\{(\w+)(?!\w)(?!:?-)[^}]*\}|(\w+))")  # $$ escapes a $
    assert not unset.findall(COMPOSE.read_text(encoding="utf-8"))


def test_launch_commands_name_a_launch_file_and_only_arguments_it_declares():
    launching = set()
    for name, service in services().items():
        for launch_file, arguments in launches(service.get("command", [])):
            path = BRINGUP / "launch" / launch_file
            assert path.is_file(), f"{name}: arm4r_bringup has no launch/{launch_file}"
            undeclared = set(arguments) - declared_arguments(path)
            assert not undeclared, f"{name}: {launch_file} declares no {sorted(undeclared)}"
            launching.add(name)
    assert launching == {"sim-eval", "kinova", "franka", "collect"}


def test_plain_compose_up_starts_only_the_simulated_evaluation():
    default = {name for name, service in services().items() if not service.get("profiles")}
    assert default == {"sim-eval"}
    ((_, arguments),) = launches(services()["sim-eval"]["command"])
    assert "sim" not in arguments  # the launch file's default: the MuJoCo cell


def test_services_that_reach_hardware_start_only_with_their_profile():
    hardware = {
        name
        for name, service in services().items()
        if service.get("devices") or service.get("network_mode") == "host" or "deploy" in service
    }
    assert hardware >= {"kinova", "franka", "train"}
    for name in hardware:
        assert services()[name].get("profiles"), f"{name} starts without a profile"


@pytest.mark.parametrize("cell", REAL_ARM_SERVICES)
def test_real_arm_services_pass_the_camera_devices_their_cell_yaml_names(cell):
    config = cell_yaml(cell)
    named = {
        config[camera_node_name(camera)]["ros__parameters"]["device"]
        for camera in CELLS[cell].cameras
    }
    passed = {device.split(":")[1] for device in services()[cell]["devices"]}
    assert passed == named


@pytest.mark.parametrize("cell", REAL_ARM_SERVICES)
def test_real_arm_services_run_with_real_time_limits_on_the_host_network(cell):
    service = services()[cell]
    assert service["network_mode"] == "host"
    assert {"rtprio", "memlock"} <= set(service["ulimits"])


@pytest.mark.parametrize("cell", REAL_ARM_SERVICES)
def test_real_arm_services_take_the_address_from_the_environment_and_default_to_a_dry_run(cell):
    ((launch_file, arguments),) = launches(services()[cell]["command"])
    assert launch_file == f"{cell}_eval.launch.py"
    assert arguments["sim"] == "false"
    assert re.fullmatch(r"\$\{\w+(:-[^}]*)?\}", arguments["robot_ip"])
    assert dockerfile.substitute(arguments["dry_run"], {}) == "true"


def test_the_train_service_runs_the_training_cli_under_torchrun():
    command = services()["train"]["command"]
    assert command[0] == "torchrun"
    module = command[command.index("-m") + 1]
    assert (REPO / "arm4r_training" / f"{module.replace('.', '/')}.py").is_file()


def test_the_launch_test_service_runs_the_launch_suite_and_the_moveit_backend_tests():
    paths = {word for word in services()["launch-tests"]["command"] if word.startswith("tests/")}
    assert all((REPO / path).exists() for path in paths), paths
    assert len(moveit_backend_tests()) >= 2  # the planner and the bridge node
    assert paths >= {"tests/launch", *moveit_backend_tests()}


# --- .github/workflows/ci.yml ---


def test_the_workflow_has_the_test_and_the_robot_image_job():
    assert set(workflow()["jobs"]) >= {"test", "robot-image"}


def test_the_test_job_runs_exactly_the_readme_test_command_with_python_3_11():
    job = workflow()["jobs"]["test"]
    assert job["runs-on"] == "ubuntu-latest"
    assert str(step_using("test", "actions/setup-python")["with"]["python-version"]) == "3.11"
    assert readme_test_command() in run_scripts("test")


def test_the_test_job_installs_the_makefile_rendering_packages():
    installed = {
        word
        for script in run_scripts("test")
        if "apt-get install" in script
        for word in script.split()
    }
    assert makefile_rendering_packages() <= installed


def test_the_robot_image_job_builds_the_launch_test_image_and_runs_the_service_in_it():
    service = services()["launch-tests"]
    build = step_using("robot-image", "docker/build-push-action")["with"]
    built = (REPO / build["context"]).resolve(), (REPO / build["file"]).resolve()
    assert built == build_of(service)
    assert service["image"] in re.split(r"[\s,]+", build["tags"])
    assert {"cache-from", "cache-to"} <= set(build)
    compose_runs = [shlex.split(script) for script in run_scripts("robot-image")]
    assert any(
        words[:2] == ["docker", "compose"]
        and (REPO / words[words.index("-f") + 1]).resolve() == COMPOSE
        and words[words.index("--profile") + 1] in service["profiles"]
        and words[-1] == "launch-tests"
        for words in compose_runs
        if "-f" in words and "--profile" in words
    )


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not on PATH")
@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda path: path.name)
def test_hadolint_finds_no_warnings(path):
    # DL3008: apt versions are the distribution's (the ROS repository keeps only the newest);
    # DL3013: pip versions come from constraints.txt, and local packages have none.
    command = ["hadolint", "--failure-threshold", "warning", "--ignore", "DL3008"]
    command += ["--ignore", "DL3013", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
