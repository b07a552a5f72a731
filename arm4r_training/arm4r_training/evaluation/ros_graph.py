"""The ROS graph of an evaluation: sim_node, policy_node and moveit_bridge_node as child processes.

The nodes are those of ``<cell>_eval.launch.py`` in simulation (arm4r_bringup/graph.py) but
track_viz_node, which only draws. Each reads its section of the cell YAML, then the launch's
overrides (the checkpoint, ``dry_run`` false, backend ``sim``), then the evaluation's:

- sim_node: the cell, task and variation; ``seed`` one below the first seed wanted (each reset
  takes the next seed); square frames at the policy's image size, as rendered in process.
- policy_node: the cameras in the checkpoint's order and the evaluation's safety limits
  (``safety_limits`` of the plan: the box and step limits of the in-process rollout).
- moveit_bridge_node: the cell's arm.

The cell YAML and the Fast DDS profile come from arm4r_bringup's ``config/``: the installed share
of a sourced ROS installation that holds arm4r_bringup (``AMENT_PREFIX_PATH``, where
``ros2 launch`` finds it), else the source tree of an arm4r_bringup installed in development mode
(``pip install -e``). A ``FASTDDS_DEFAULT_PROFILES_FILE`` already set is kept, as the launch files
keep it.

Each node runs as ``node_command`` (arm4r_policy/nodes/node_processes.py) in a DDS domain no
other participant on this host uses, its parameters file and log in the graph's log directory.
``RosGraph`` is a context manager: leaving it stops every node (SIGINT, a grace period, SIGKILL)
whatever happened.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from arm4r_bringup import graph as bringup
from arm4r_policy.errors import ARM4RError
from arm4r_policy.nodes.node_processes import (
    NodeProcess,
    free_domain_id,
    node_command,
    node_environment,
)
from arm4r_policy.sim.tasks import Task
from arm4r_training.evaluation.protocol import EvaluationPlan

BRINGUP = "arm4r_bringup"
FASTDDS_PROFILE = "fastdds.xml"
FASTDDS_PROFILE_VARIABLE = "FASTDDS_DEFAULT_PROFILES_FILE"
SIM_NODE, POLICY_NODE, BRIDGE_NODE = "sim_node", "policy_node", "moveit_bridge_node"
LOG_TAIL_LINES = 20


class GraphError(ARM4RError):
    """The evaluation's ROS graph did not come up, a node of it exited, or it answered out of
    turn; the message names the node and quotes its log."""


@dataclass(frozen=True)
class GraphNode:
    """One node process: an arm4r_policy console script, its node name and all its parameters."""

    executable: str
    name: str
    parameters: Mapping[str, Any]


def bringup_config() -> Path:
    """arm4r_bringup's ``config/`` directory: the installed share, else the source tree.

    Raises:
        GraphError: neither holds one.
    """
    for prefix in filter(None, os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep)):
        installed = Path(prefix) / "share" / BRINGUP / "config"
        if installed.is_dir():
            return installed
    source = Path(bringup.__file__).resolve().parents[1] / "config"
    if source.is_dir():
        return source
    raise GraphError(
        f"no {BRINGUP} config/ directory: none in the share of AMENT_PREFIX_PATH (source a ROS "
        f"installation holding {BRINGUP}) and none at {source} (pip install -e {BRINGUP})"
    )


def fastdds_profile(config: Path) -> Path:
    """The profile the nodes get: the user's own when set, else ``config``'s."""
    return Path(os.environ.get(FASTDDS_PROFILE_VARIABLE) or config / FASTDDS_PROFILE)


def graph_nodes(plan: EvaluationPlan, task: Task, first_seed: int, config: Path) -> list[GraphNode]:
    """The nodes evaluating ``task`` (a variation of ``plan``) from the episode of
    ``first_seed`` (>= 1) on, with the cell YAML of ``config``."""
    request, settings, limits = plan.request, plan.settings, plan.safety_limits
    cell = bringup.CELLS[request.cell]
    sections = yaml.safe_load((config / cell.config).read_text(encoding="utf-8"))
    text_weights = "" if request.text_weights is None else str(request.text_weights.resolve())
    choices = bringup.LaunchChoices(
        sim=True,
        checkpoint=str(request.checkpoint.resolve()),
        text_weights=text_weights,
        dry_run=False,
    )
    evaluation = {
        SIM_NODE: {
            "cell": request.cell,
            "task": task.name,
            "variation": task.variation,
            "seed": first_seed - 1,
            "image_width": settings.image_size,
            "image_height": settings.image_size,
        },
        POLICY_NODE: {
            "camera_names": list(settings.camera_names),
            "workspace_min": list(limits.workspace_min),
            "workspace_max": list(limits.workspace_max),
            "max_translation": limits.max_translation,
            "max_rotation": limits.max_rotation,
            "staleness_timeout": limits.stale_after,
        },
        BRIDGE_NODE: {"cell": request.cell},
    }
    return [
        GraphNode(
            node.executable,
            node.name,
            sections[node.name]["ros__parameters"] | dict(node.overrides) | evaluation[node.name],
        )
        for node in bringup.eval_nodes(cell, choices)
        if node.name in evaluation
    ]


class RosGraph:
    """``nodes`` running as processes in a DDS domain of their own, ``domain_id``.

    Args:
        nodes: what to start, in order (``graph_nodes``).
        logs: the directory of every node's parameters file and log.
        fastdds_profile: the Fast DDS profile of every node.
    """

    def __init__(self, nodes: Sequence[GraphNode], logs: Path, fastdds_profile: Path) -> None:
        self.nodes, self.logs, self.fastdds_profile = list(nodes), logs, fastdds_profile
        self.domain_id = free_domain_id()
        self.processes: dict[str, NodeProcess] = {}

    def parameters(self, name: str) -> Mapping[str, Any]:
        """The parameters node ``name`` runs with."""
        (node,) = [node for node in self.nodes if node.name == name]
        return node.parameters

    def __enter__(self) -> RosGraph:
        env = node_environment(self.domain_id, self.fastdds_profile)
        try:
            for node in self.nodes:
                command = node_command(node.executable)
                process = NodeProcess.spawn(node.name, command, node.parameters, env, self.logs)
                self.processes[node.name] = process
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def check_running(self) -> None:
        """Raise ``GraphError`` when a node has exited, quoting the end of its log."""
        for name, process in self.processes.items():
            code = process.popen.poll()
            if code is not None:
                tail = "\n".join(process.output().splitlines()[-LOG_TAIL_LINES:])
                raise GraphError(
                    f"{name} exited with status {code}; the end of its log {process.log}:\n{tail}"
                )

    def stop(self) -> None:
        """Stop every node: all are interrupted at once, then each is awaited (or killed)."""
        for process in self.processes.values():
            process.interrupt()
        for process in self.processes.values():
            process.stop()
