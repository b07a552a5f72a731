"""The launch files compile, import nothing but launch, launch_ros and the bringup package, set
the Fast DDS profile and declare the documented arguments (launch itself runs in the ROS image:
tests/launch)."""

import ast
import py_compile
import sys

import pytest

from .launch_arguments import LAUNCH_HELPER as HELPER
from .launch_arguments import dict_keys
from .node_parameters import BRINGUP

LAUNCH_FILES = sorted((BRINGUP / "launch").glob("*.launch.py"))
GRAPH = BRINGUP / "arm4r_bringup" / "graph.py"
EVAL_ARGUMENTS = {
    "sim",
    "checkpoint",
    "instruction",
    "robot_ip",
    "dry_run",
    "rviz",
    "text_weights",
    "speed_scaling",
}


def imported_modules(path):
    """Top-level names of every module ``path`` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


def test_the_three_launch_files_exist():
    names = [path.name for path in LAUNCH_FILES]
    assert names == ["collect.launch.py", "franka_eval.launch.py", "kinova_eval.launch.py"]


@pytest.mark.parametrize("path", [*LAUNCH_FILES, HELPER, GRAPH], ids=lambda path: path.name)
def test_launch_code_compiles(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "compiled.pyc"), doraise=True)


@pytest.mark.parametrize("path", LAUNCH_FILES, ids=lambda path: path.name)
def test_launch_files_import_only_launch_launch_ros_and_the_bringup_package(path):
    assert imported_modules(path) <= {"launch", "launch_ros", "arm4r_bringup"}


def test_the_shared_launch_code_imports_launch_and_the_standard_library_only():
    allowed = {"launch", "launch_ros", "yaml", "arm4r_bringup", *sys.stdlib_module_names}
    assert imported_modules(HELPER) <= allowed
    assert imported_modules(GRAPH) <= set(sys.stdlib_module_names)


@pytest.mark.parametrize("path", LAUNCH_FILES, ids=lambda path: path.name)
def test_every_launch_file_sets_the_fast_dds_profile_before_its_nodes(path):
    calls = [
        node.func.id
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    assert calls.index("fastdds_profile") < calls.index("OpaqueFunction")


def test_evaluation_and_collection_declare_the_documented_arguments():
    assert dict_keys(HELPER, "EVAL_ARGUMENTS") == EVAL_ARGUMENTS
    collect = dict_keys(HELPER, "COLLECT_ARGUMENTS")
    assert {"cell", "sim", "robot_ip", "rviz", "text_weights", "output_dir", "episodes"} <= collect
    assert "goal_file" in collect
