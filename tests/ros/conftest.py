"""Fixtures for multi-process ROS 2 tests: one workspace build per session, one DDS domain per
test, node processes that are always stopped, a tiny random control checkpoint."""

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer, save_checkpoint

from .harness import FASTDDS_PROFILE, Graph, NodeProcess, build_workspace, node_environment

# Domain ids 1..100 keep the DDS ports below the Linux ephemeral range; an offset per pytest
# process keeps concurrent sessions on one machine apart.
_DOMAIN_IDS = itertools.count(os.getpid() % 50)


@pytest.fixture(scope="session", autouse=True)
def dds_settings() -> Iterator[None]:
    """The test process's own participants use the same discovery range and transports."""
    settings = {
        "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST",
        "FASTDDS_DEFAULT_PROFILES_FILE": str(FASTDDS_PROFILE),
        "HF_HUB_OFFLINE": "1",
    }
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def install() -> Path:
    return build_workspace()


@pytest.fixture
def domain_id() -> int:
    return 1 + next(_DOMAIN_IDS) % 100


@pytest.fixture
def graph(domain_id: int) -> Iterator[Graph]:
    graph = Graph(domain_id)
    yield graph
    graph.close()


@pytest.fixture
def start_node(
    install: Path, domain_id: int, tmp_path: Path
) -> Iterator[Callable[..., NodeProcess]]:
    """``start_node(name, **parameters)`` runs an installed executable of arm4r_policy."""
    started: list[NodeProcess] = []

    def start(name: str, **parameters: Any) -> NodeProcess:
        executable = install / "arm4r_policy" / "lib" / "arm4r_policy" / name
        process = NodeProcess.start(
            executable, parameters, node_environment(install, domain_id), tmp_path
        )
        started.append(process)
        return process

    yield start
    for process in started:
        code = process.stop()
        print(f"--- {process.log.name} (exit {code}) ---\n{process.output()}")


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny control model with identity normalisation."""
    torch.manual_seed(0)
    model = ARM4R(ARM4RConfig.tiny(instruction_encoder="hashing-v1-512"))
    return save_checkpoint(
        tmp_path_factory.mktemp("checkpoint"), model, Normalizer.identity(10, 10)
    )
