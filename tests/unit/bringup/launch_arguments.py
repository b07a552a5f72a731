"""The launch arguments the bringup declares, read from the source without importing launch."""

from __future__ import annotations

import ast
from pathlib import Path

from .node_parameters import BRINGUP

LAUNCH_HELPER = BRINGUP / "arm4r_bringup" / "launch_actions.py"


def dict_keys(path: Path, name: str) -> set[str]:
    """Keys of the module-level dict ``name``: the literals it merges with ``|`` included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    literals = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def keys(value: ast.expr) -> set[str]:
        if isinstance(value, ast.Dict):
            return {ast.literal_eval(key) for key in value.keys}
        if isinstance(value, ast.BinOp):
            return keys(value.left) | keys(value.right)
        return keys(literals[value.id])

    return keys(literals[name])


def declared_arguments(launch_file: Path) -> set[str]:
    """The arguments a launch file declares: the keys of the dicts it passes to
    ``declare_arguments`` (defined in launch_actions.py)."""
    tree = ast.parse(launch_file.read_text(encoding="utf-8"))
    dictionaries = [
        node.args[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "declare_arguments"
    ]
    assert dictionaries, f"{launch_file.name} declares no arguments"
    return set().union(*(dict_keys(LAUNCH_HELPER, name) for name in dictionaries))
