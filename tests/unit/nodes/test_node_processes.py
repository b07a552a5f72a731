"""Node processes: a fresh DDS domain per graph, parameters handed over in a file, and a stop that
ends even a process that ignores SIGINT."""

import os
import signal
import socket
import sys
import time

import pytest
import yaml

from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.node_processes import NodeProcess, free_domain_id

# High domains: their discovery ports lie apart from the ones the ROS tests use.
TAKEN, FREE = 210, 211
IGNORES_SIGINT = (
    "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)"
)


def discovery_port(domain_id: int) -> int:
    return 7400 + 250 * domain_id + 10


def test_a_domain_whose_discovery_port_is_held_is_skipped():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as participant:
        participant.bind(("127.0.0.1", discovery_port(TAKEN)))
        assert free_domain_id((TAKEN, FREE)) == FREE
        with pytest.raises(ConfigError, match="in use"):
            free_domain_id((TAKEN,))


def test_parameters_reach_the_node_in_a_params_file_for_every_node_name(tmp_path):
    process = NodeProcess.spawn(
        "probe", [sys.executable, "-c", "pass"], {"seed": 7}, os.environ, tmp_path / "logs"
    )
    assert process.wait_exit(10.0) == 0
    params = tmp_path / "logs" / "probe.params.yaml"
    assert process.popen.args[-3:] == ["--ros-args", "--params-file", str(params)]
    assert yaml.safe_load(params.read_text()) == {"/**": {"ros__parameters": {"seed": 7}}}
    assert process.log == tmp_path / "logs" / "probe.log"


def test_a_process_that_ignores_sigint_is_killed_after_the_grace_period(tmp_path):
    command = [sys.executable, "-c", IGNORES_SIGINT]
    process = NodeProcess.spawn("stubborn", command, {}, os.environ, tmp_path)
    deadline = time.monotonic() + 10.0
    while "ready" not in process.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    assert process.stop(grace=0.5) == -signal.SIGKILL
    assert time.monotonic() - started < 5.0
