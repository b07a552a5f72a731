"""Which nodes each launch file starts in each mode, with which overrides, and the vendor
bringup and instruction of a real-arm run."""

import pytest

from arm4r_bringup.graph import (
    CELLS,
    INSTRUCTION_TOPIC,
    LaunchChoices,
    collect_nodes,
    eval_nodes,
    parse_count,
    parse_flag,
    parse_fraction,
    published_instruction,
)
from arm4r_policy.nodes import topics

KINOVA, FRANKA = CELLS["kinova"], CELLS["franka"]
HARDWARE = LaunchChoices(sim=False, robot_ip="192.0.2.1")


def started(nodes):
    return [(node.executable, node.name) for node in nodes]


def test_sim_evaluation_runs_the_simulator_policy_bridge_and_track_viz():
    nodes = eval_nodes(KINOVA, LaunchChoices())
    assert started(nodes) == [
        ("sim_node", "sim_node"),
        ("policy_node", "policy_node"),
        ("moveit_bridge_node", "moveit_bridge_node"),
        ("track_viz_node", "track_viz_node"),
    ]
    assert nodes[2].overrides == {"backend": "sim"}


@pytest.mark.parametrize(
    ("cell", "cameras"), [("kinova", ("ego", "side")), ("franka", ("left", "right"))]
)
def test_hardware_evaluation_runs_both_cameras_passthrough_state_and_the_moveit_bridge(
    cell, cameras
):
    nodes = eval_nodes(CELLS[cell], HARDWARE)
    assert started(nodes) == [
        ("camera_node", f"{cameras[0]}_camera"),
        ("camera_node", f"{cameras[1]}_camera"),
        ("robot_state_node", "robot_state_node"),
        ("policy_node", "policy_node"),
        ("moveit_bridge_node", "moveit_bridge_node"),
        ("track_viz_node", "track_viz_node"),
    ]
    assert nodes[2].overrides == {"backend": "passthrough"}
    assert nodes[4].overrides == {"backend": "moveit"}


def test_policy_overrides_only_the_arguments_given():
    assert eval_nodes(KINOVA, LaunchChoices())[1].overrides == {}
    choices = LaunchChoices(checkpoint="/ckpt", text_weights="/clip", dry_run=False)
    assert eval_nodes(KINOVA, choices)[1].overrides == {
        "checkpoint": "/ckpt",
        "text_weights": "/clip",
        "dry_run": False,
    }


def test_collection_runs_the_robot_the_bridge_and_collect_node_last_with_the_mode():
    sim = collect_nodes(FRANKA, LaunchChoices(output_dir="data", episodes="5"))
    assert started(sim) == [
        ("sim_node", "sim_node"),
        ("moveit_bridge_node", "moveit_bridge_node"),
        ("collect_node", "collect_node"),
    ]
    assert sim[-1].overrides == {"sim": True, "output_dir": "data", "episodes": 5}
    real = collect_nodes(FRANKA, LaunchChoices(sim=False, robot_ip="192.0.2.1", goal_file="g.yaml"))
    assert [name for _, name in started(real)] == [
        "left_camera",
        "right_camera",
        "robot_state_node",
        "moveit_bridge_node",
        "collect_node",
    ]
    assert real[-1].overrides == {"sim": False, "goal_file": "g.yaml"}


def test_vendor_bringup_is_each_cells_moveit_launch_with_the_arm_address():
    kinova = KINOVA.vendor_bringup("192.0.2.10")
    assert (kinova.package, kinova.path) == (
        "kinova_gen3_7dof_robotiq_2f_85_moveit_config",
        "launch/robot.launch.py",
    )
    assert kinova.arguments["robot_ip"] == "192.0.2.10"
    assert kinova.arguments["use_fake_hardware"] == "false"
    franka = FRANKA.vendor_bringup("172.16.0.2")
    assert (franka.package, franka.path) == ("franka_fr3_moveit_config", "launch/moveit.launch.py")
    assert franka.arguments == {
        "robot_ip": "172.16.0.2",
        "use_fake_hardware": "false",
        "load_gripper": "true",
    }


def test_a_real_arm_run_needs_the_arm_address():
    LaunchChoices(sim=True).require_robot_ip(KINOVA)
    HARDWARE.require_robot_ip(KINOVA)
    with pytest.raises(ValueError, match="robot_ip"):
        LaunchChoices(sim=False).require_robot_ip(KINOVA)


def test_the_launch_publishes_the_instruction_on_a_real_arm_only():
    text = "pick up the yellow cube"
    assert published_instruction(LaunchChoices(sim=False, instruction=text)) == text
    assert published_instruction(LaunchChoices(sim=True, instruction=text)) is None
    assert published_instruction(LaunchChoices(sim=False)) is None
    assert INSTRUCTION_TOPIC == topics.INSTRUCTION


def test_arguments_parse_flags_and_keep_empty_texts_as_not_given():
    choices = LaunchChoices.from_arguments(
        {"sim": " False", "rviz": "TRUE", "dry_run": "", "checkpoint": "", "robot_ip": "10.0.0.2"}
    )
    assert (choices.sim, choices.rviz, choices.dry_run) == (False, True, None)
    assert (choices.checkpoint, choices.robot_ip) == ("", "10.0.0.2")
    assert LaunchChoices.from_arguments({"dry_run": "true"}).dry_run is True
    with pytest.raises(ValueError, match="expected true or false"):
        parse_flag("sim", "yes")
    assert parse_count("episodes", "190") == 190
    with pytest.raises(ValueError, match="expected a positive integer"):
        parse_count("episodes", "0")


def test_speed_scaling_overrides_the_bridge_only_when_given_and_in_range():
    bridge = {node.name: node for node in eval_nodes(KINOVA, HARDWARE)}["moveit_bridge_node"]
    assert bridge.overrides == {"backend": "moveit"}
    slow = LaunchChoices.from_arguments({"sim": "false", "speed_scaling": "0.1"})
    nodes = {node.name: node for node in collect_nodes(KINOVA, slow)}
    assert nodes["moveit_bridge_node"].overrides == {"backend": "moveit", "speed_scaling": 0.1}
    for bad in ("0", "1.5", "fast", "nan"):
        with pytest.raises(ValueError, match="expected a number in"):
            parse_fraction("speed_scaling", bad)


def test_track_viz_draws_with_the_sim_cameras_only_in_sim():
    for choices, sim in ((LaunchChoices(), True), (HARDWARE, False)):
        nodes = {node.name: node for node in eval_nodes(KINOVA, choices)}
        assert nodes["track_viz_node"].overrides == {"sim": sim}
