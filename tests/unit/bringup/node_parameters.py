"""What the bringup tests need to know of the nodes: which module each console script runs, the
parameters that module declares, the ROS type of a value, and the cell YAML files."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import yaml

from arm4r_bringup.graph import CELLS, LaunchChoices, collect_nodes, eval_nodes
from arm4r_policy.nodes.parameters import ParameterSpec
from arm4r_policy.nodes.robot_state_parameters import layout_parameters

REPO = Path(__file__).resolve().parents[3]
BRINGUP = REPO / "arm4r_bringup"
POLICY_SETUP = REPO / "arm4r_policy" / "setup.py"


def console_scripts() -> dict[str, str]:
    """Executable -> module of every console script in arm4r_policy/setup.py."""
    tree = ast.parse(POLICY_SETUP.read_text(encoding="utf-8"))
    setup = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup"
    )
    entry_points = next(kw.value for kw in setup.keywords if kw.arg == "entry_points")
    scripts = ast.literal_eval(entry_points)["console_scripts"]
    return {
        name.strip(): target.split(":")[0].strip()
        for name, target in (line.split("=") for line in scripts)
    }


def declared_parameters(executable: str, section: dict[str, Any]) -> dict[str, ParameterSpec]:
    """The parameters the node module of ``executable`` declares, by name."""
    module = importlib.import_module(console_scripts()[executable])
    specs = list(getattr(module, "PARAMETERS", ()))
    if executable == "robot_state_node":
        # it declares its joint-state parameters once the parameter `robot` is known
        robot = section.get("robot", next(s.default for s in specs if s.name == "robot"))
        specs += layout_parameters(robot)
    return {spec.name: spec for spec in specs}


def ros_type(value: Any) -> str:
    """The ROS parameter type a YAML or Python value has."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        kinds = {ros_type(item) for item in value}
        return f"{kinds.pop()}_array" if len(kinds) == 1 else f"mixed array {sorted(kinds)}"
    return type(value).__name__


def cell_yaml(cell: str) -> dict[str, Any]:
    return yaml.safe_load((BRINGUP / "config" / CELLS[cell].config).read_text(encoding="utf-8"))


def launched_nodes(cell: str) -> dict[str, str]:
    """Node name -> executable of every node any launch file starts for ``cell``."""
    nodes = {}
    for sim in (True, False):
        choices = LaunchChoices(sim=sim, robot_ip="" if sim else "192.0.2.1")
        for node in [*eval_nodes(CELLS[cell], choices), *collect_nodes(CELLS[cell], choices)]:
            nodes[node.name] = node.executable
    return nodes
