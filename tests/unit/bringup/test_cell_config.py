"""The cell YAML files: every key is a parameter its node declares, of the declared type and
within its checks, and the sections agree on the cell, its cameras and its base frame."""

import pytest

from arm4r_bringup.graph import CELLS, LaunchChoices, camera_node_name, collect_nodes, eval_nodes
from arm4r_policy.sim.tasks.layout import CELL_CONFIGS

from .node_parameters import cell_yaml, declared_parameters, launched_nodes, ros_type

GIVEN_AT_LAUNCH = {("policy_node", "checkpoint")}  # empty in the YAML, checkpoint:= sets it


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_every_section_is_in_the_ros_params_format_of_a_launched_node(cell):
    document, nodes = cell_yaml(cell), launched_nodes(cell)
    unknown = set(document) - set(nodes)
    assert not unknown, f"sections of no launched node: {unknown}"
    for name, section in document.items():
        assert set(section) == {"ros__parameters"}, name


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_every_launched_node_that_declares_parameters_has_a_section(cell):
    document = cell_yaml(cell)
    for name, executable in launched_nodes(cell).items():
        if declared_parameters(executable, {}):
            assert name in document, f"{executable} {name} has no section in {cell}.yaml"


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_every_key_is_a_declared_parameter_with_a_value_of_its_type_that_passes_its_check(cell):
    nodes = launched_nodes(cell)
    for name, section in cell_yaml(cell).items():
        values = section["ros__parameters"]
        specs = declared_parameters(nodes[name], values)
        assert set(values) <= set(specs), f"{name}: undeclared {set(values) - set(specs)}"
        for key, value in values.items():
            spec = specs[key]
            assert ros_type(value) == ros_type(spec.default), f"{name}.{key} = {value!r}"
            if spec.check is not None and (name, key) not in GIVEN_AT_LAUNCH:
                assert spec.check(value) is None, f"{name}.{key} = {value!r}: {spec.check(value)}"


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("sim", [True, False])
def test_launch_overrides_are_declared_parameters_of_their_type_that_pass_their_checks(cell, sim):
    choices = LaunchChoices(
        sim=sim,
        robot_ip="192.0.2.1",
        checkpoint="/checkpoints/kinova",
        text_weights="",
        dry_run=True,
        output_dir="data",
        episodes="3",
        goal_file="goal.yaml",
    )
    for node in [*eval_nodes(CELLS[cell], choices), *collect_nodes(CELLS[cell], choices)]:
        specs = declared_parameters(node.executable, dict(node.overrides))
        for key, value in node.overrides.items():
            assert key in specs, f"{node.name}: {key} is not declared"
            assert ros_type(value) == ros_type(specs[key].default), f"{node.name}.{key}"
            if specs[key].check is not None and key != "checkpoint":
                assert specs[key].check(value) is None, f"{node.name}.{key} = {value!r}"


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_sections_agree_on_the_cell_its_cameras_and_its_base_frame(cell):
    document = {name: section["ros__parameters"] for name, section in cell_yaml(cell).items()}
    cameras = [camera.name for camera in CELL_CONFIGS[cell]().cameras]
    assert list(CELLS[cell].cameras) == cameras
    assert document["policy_node"]["camera_names"] == cameras
    for camera in cameras:
        assert document[camera_node_name(camera)]["camera_name"] == camera
    for name in ("sim_node", "moveit_bridge_node", "collect_node"):
        assert document[name]["cell"] == cell
    assert document["robot_state_node"]["robot"] == cell
    frames = {name: values["frame_id"] for name, values in document.items() if "frame_id" in values}
    frames = {name: frame for name, frame in frames.items() if not name.endswith("_camera")}
    assert len(set(frames.values())) == 1, frames


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_collection_starts_above_the_seed_sim_node_starts_with(cell):
    document = cell_yaml(cell)
    first_seed = document["collect_node"]["ros__parameters"]["first_seed"]
    assert first_seed > document["sim_node"]["ros__parameters"]["seed"]
