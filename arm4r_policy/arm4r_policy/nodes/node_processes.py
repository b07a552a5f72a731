"""Node executables as child processes: the command of a node, its parameters file and log, the
environment of an isolated graph, and a stop that always ends it (no rclpy here).

Used by ``arm4r eval --ros`` (arm4r_training/evaluation/ros_graph.py) and the multi-process ROS
tests, which start the executables of their colcon install instead of ``node_command``.

``node_command`` runs a console script's entry point (``arm4r_policy.nodes.<script>:main``) on
this process's interpreter, so a node runs from the same installation as its caller, be it a venv
(where the scripts are on PATH) or a sourced colcon install (where they sit in
``lib/arm4r_policy``, off PATH), with no script to look up.

Isolation: each graph gets a ``ROS_DOMAIN_ID`` of its own (``free_domain_id``) and discovery
stays on this host; Fast DDS reads the shipped profile (large camera frames, DESIGN.md). A child
runs in its own session, so a Ctrl-C in the terminal reaches only its caller, which stops it:
SIGINT (rclpy shuts the node down), then SIGKILL after a grace period, since a wedged rclpy
process may ignore the signal.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from arm4r_policy.errors import ConfigError

STOP_GRACE = 3.0  # [s] between SIGINT and SIGKILL
DOMAIN_IDS = range(1, 102)
"""Domains whose DDS ports (7400 + 250 x id + ...) stay below Linux's ephemeral port range."""
_PORT_BASE, _DOMAIN_GAIN, _UNICAST_OFFSET = 7400, 250, 10  # RTPS well-known port parameters


def node_command(script: str) -> list[str]:
    """The command running the arm4r_policy console script ``script`` (e.g. ``sim_node``)."""
    module = f"arm4r_policy.nodes.{script}"
    return [sys.executable, "-c", f"import sys; from {module} import main; sys.exit(main())"]


def dds_settings(domain_id: int, fastdds_profile: Path) -> dict[str, str]:
    """The environment variables that put a process into graph ``domain_id`` on this host."""
    return {
        "ROS_DOMAIN_ID": str(domain_id),
        "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST",
        "FASTDDS_DEFAULT_PROFILES_FILE": str(fastdds_profile),
    }


def node_environment(domain_id: int, fastdds_profile: Path) -> dict[str, str]:
    """This process's environment with ``dds_settings`` and plain, unbuffered logging (node
    output goes to files)."""
    logging = {
        "RCUTILS_LOGGING_BUFFERED_STREAM": "0",
        "RCUTILS_COLORIZED_OUTPUT": "0",
        "PYTHONUNBUFFERED": "1",
    }
    return os.environ | dds_settings(domain_id, fastdds_profile) | logging


def _domain_in_use(domain_id: int) -> bool:
    """Whether a participant of ``domain_id`` runs on this host: the first one holds the
    domain's unicast discovery port."""
    port = _PORT_BASE + _DOMAIN_GAIN * domain_id + _UNICAST_OFFSET
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_domain_id(candidates: Sequence[int] = DOMAIN_IDS) -> int:
    """A domain of ``candidates`` that no participant on this host uses now, tried from an
    offset given by the process id so that concurrent callers spread out.

    Raises:
        ConfigError: every candidate is in use.
    """
    start = os.getpid() % len(candidates)
    for domain_id in [*candidates[start:], *candidates[:start]]:
        if not _domain_in_use(domain_id):
            return domain_id
    raise ConfigError(f"every ROS domain id in {candidates} is in use on this host")


class NodeProcess:
    """One node process with its output in a log file; ``stop()`` always ends it."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        self._interrupted = False
        with log.open("wb") as sink:
            self.popen = subprocess.Popen(
                list(command),
                env=dict(env),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @classmethod
    def spawn(
        cls,
        name: str,
        command: Sequence[str],
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
        logs: Path,
    ) -> NodeProcess:
        """Run ``command`` with ``parameters`` (for whatever the node is named) from
        ``<logs>/<name>.params.yaml``, its output going to ``<logs>/<name>.log``."""
        logs.mkdir(parents=True, exist_ok=True)
        params = logs / f"{name}.params.yaml"
        params.write_text(yaml.safe_dump({"/**": {"ros__parameters": dict(parameters)}}))
        command = [*command, "--ros-args", "--params-file", str(params)]
        return cls(command, env, logs / f"{name}.log")

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_exit(self, timeout: float) -> int | None:
        """The exit status, or None when still running after ``timeout`` [s]."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def interrupt(self) -> None:
        """SIGINT, once, if it still runs: rclpy shuts the node down."""
        if self.popen.poll() is None and not self._interrupted:
            self.popen.send_signal(signal.SIGINT)
            self._interrupted = True

    def stop(self, grace: float = STOP_GRACE) -> int:
        """``interrupt``, then SIGKILL after ``grace`` [s]; returns the exit status."""
        self.interrupt()
        if self.wait_exit(grace) is None:
            self.popen.kill()
        return self.popen.wait()
