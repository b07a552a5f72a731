"""MoveIt backend: Pilz LIN requests, goals for the group's tip link, the gripper action.

moveit_py and control_msgs are not installable here: what needs them skips and runs in the
docker image; request building is tested with plain data and the real geometry_msgs.
"""

import importlib.util
import math
import threading
from types import SimpleNamespace

import pytest
from action_msgs.msg import GoalStatus
from geometry_msgs.msg import PoseStamped

from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.planning.gripper_action import gripper_goal_position, gripper_result_problem
from arm4r_policy.planning.moveit import (
    PILZ_LIN,
    PILZ_PIPELINE,
    MoveItLinearPlanner,
    MoveItPlannerConfig,
    PilzCartesianLimits,
    error_code_name,
    goal_fields,
    merge_parameters,
    moveit_py_parameters,
    pilz_lin_request,
    pose_stamped_fields,
    to_pose_stamped,
)
from tests.unit.drivers.imports import top_level_modules_imported_by
from tests.unit.drivers.poses import pose

needs_moveit = pytest.mark.skipif(
    importlib.util.find_spec("moveit") is None,
    reason="moveit_py is not installable here; runs in the docker image",
)
needs_control_msgs = pytest.mark.skipif(
    importlib.util.find_spec("control_msgs") is None,
    reason="control_msgs is not installable here; runs in the docker image",
)


def test_importing_the_backend_imports_neither_moveit_nor_ros():
    imported = top_level_modules_imported_by("arm4r_policy.planning.moveit")
    assert not imported & {"moveit", "moveit_configs_utils", "rclpy", "control_msgs"}


def test_the_plan_request_is_pilz_lin_with_the_configured_scaling():
    config = MoveItPlannerConfig.kinova_gen3(velocity_scaling=0.2, acceleration_scaling=0.3)
    assert pilz_lin_request(config) == {
        "planning_pipeline": PILZ_PIPELINE,
        "planner_id": PILZ_LIN,
        "planning_attempts": 1,
        "planning_time": 1.0,
        "max_velocity_scaling_factor": 0.2,
        "max_acceleration_scaling_factor": 0.3,
    }


def test_moveit_py_parameters_hold_the_request_pipeline_and_cartesian_limits():
    config = MoveItPlannerConfig.kinova_gen3(cartesian_limits=PilzCartesianLimits(max_rot_vel=0.5))
    parameters = moveit_py_parameters(config)
    assert parameters["planning_pipelines"]["pipeline_names"] == [PILZ_PIPELINE]
    assert parameters[config.request_namespace]["plan_request_params"] == pilz_lin_request(config)
    assert parameters["plan_request_params"]["planner_id"] == PILZ_LIN
    limits = parameters["robot_description_planning"]["cartesian_limits"]
    assert limits["max_rot_vel"] == 0.5
    assert limits["max_trans_dec"] < 0.0
    assert parameters["planning_scene_monitor_options"]["joint_state_topic"] == "/joint_states"


def test_parameters_merge_key_by_key_and_ours_replace_a_package_list():
    package = {"planning_pipelines": ["ompl", PILZ_PIPELINE], "a": {"b": 1, "c": 2}}
    merged = merge_parameters(
        package, {"planning_pipelines": {"pipeline_names": []}, "a": {"c": 3}}
    )
    assert merged == {"planning_pipelines": {"pipeline_names": []}, "a": {"b": 1, "c": 3}}
    assert package["a"] == {"b": 1, "c": 2}  # the inputs stay as they were


def test_pose_stamped_fields_use_x_y_z_w_and_build_a_geometry_msgs_message():
    quarter_turn_about_z = pose([0.1, 0.2, 0.3], [0.0, 0.0, math.pi / 2])
    fields = pose_stamped_fields(quarter_turn_about_z, "base_link")
    half = math.sqrt(0.5)
    assert fields["header"] == {"frame_id": "base_link"}
    assert fields["pose"]["position"] == pytest.approx({"x": 0.1, "y": 0.2, "z": 0.3})
    assert fields["pose"]["orientation"] == pytest.approx({"x": 0, "y": 0, "z": half, "w": half})
    message = to_pose_stamped(fields)
    assert isinstance(message, PoseStamped)
    assert message.header.frame_id == "base_link"
    assert (message.pose.orientation.z, message.pose.orientation.w) == pytest.approx((half, half))
    assert message.pose.position.y == pytest.approx(0.2)


def test_the_goal_is_for_the_flange_behind_the_tcp():
    config = MoveItPlannerConfig.kinova_gen3()
    pointing_down = pose([0.5, 0.0, 0.2], [math.pi, 0.0, 0.0])
    fields = goal_fields(config, pointing_down)
    assert fields["header"]["frame_id"] == "base_link"
    assert fields["pose"]["position"] == pytest.approx({"x": 0.5, "y": 0.0, "z": 0.34})
    assert goal_fields(config, pointing_down, "world")["header"]["frame_id"] == "world"


def test_presets_name_the_groups_and_tips_of_each_arm():
    kinova, panda, fr3 = (
        MoveItPlannerConfig.kinova_gen3(),
        MoveItPlannerConfig.panda(),
        MoveItPlannerConfig.fr3(),
    )
    assert (kinova.group, kinova.pose_link) == ("manipulator", "end_effector_link")
    assert kinova.moveit_config_package == "kinova_gen3_7dof_robotiq_2f_85_moveit_config"
    assert (panda.group, panda.pose_link) == ("panda_arm", "panda_link8")
    assert (fr3.group, fr3.pose_link) == ("fr3_arm", "fr3_link8")
    assert fr3.tcp_in_pose_link[2, 3] == pytest.approx(0.1034)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"velocity_scaling": 1.5}, "velocity_scaling = 1.5"),
        ({"planning_time": 0.0}, "planning_time = 0.0"),
        ({"pose_link": ""}, "pose_link is empty"),
        ({"moveit_config_package": None}, "needs moveit_config_package or config_dict"),
    ],
)
def test_configuration_errors_name_the_field(overrides, message):
    with pytest.raises(ConfigError, match=message):
        MoveItPlannerConfig.kinova_gen3(**overrides)


def test_error_codes_are_named_by_their_message_constants():
    class MoveItErrorCodes:  # the shape of moveit_msgs/MoveItErrorCodes, not installed here
        SUCCESS = 1
        NO_IK_SOLUTION = -31

        def __init__(self, val, message=""):
            self.val, self.message = val, message

    assert error_code_name(MoveItErrorCodes(-31)) == "NO_IK_SOLUTION (-31)"
    assert error_code_name(MoveItErrorCodes(-99, "odd")) == "UNKNOWN (-99): odd"


def test_gripper_closure_maps_onto_the_2f85_action_positions():
    assert gripper_goal_position(0.0) == 0.0
    assert gripper_goal_position(0.5) == pytest.approx(0.4)
    assert gripper_goal_position(1.0) == pytest.approx(0.8)
    with pytest.raises(CommandError, match="closure = -0.1"):
        gripper_goal_position(-0.1)


def test_a_stalled_grasp_counts_as_stopped_fingers():
    def result(stalled, reached_goal=False):
        return SimpleNamespace(
            position=0.42, effort=10.0, stalled=stalled, reached_goal=reached_goal
        )

    assert gripper_result_problem(GoalStatus.STATUS_SUCCEEDED, result(False, True)) is None
    assert gripper_result_problem(GoalStatus.STATUS_ABORTED, result(True)) is None
    problem = gripper_result_problem(GoalStatus.STATUS_ABORTED, result(False))
    assert problem == "goal ABORTED at position 0.420 (reached_goal False, stalled False)"
    assert "CANCELED" in gripper_result_problem(GoalStatus.STATUS_CANCELED, result(False))


@needs_moveit
def test_parameters_load_the_kinova_moveit_config_package():
    planner = MoveItLinearPlanner(MoveItPlannerConfig.kinova_gen3())
    parameters = planner.parameters()
    assert "robot_description" in parameters
    assert parameters["arm4r_pilz_lin"]["plan_request_params"]["planner_id"] == PILZ_LIN


@needs_control_msgs
def test_gripper_client_round_trip_with_a_real_action_server():
    import rclpy
    from control_msgs.action import GripperCommand
    from rclpy.action import ActionClient, ActionServer
    from rclpy.executors import MultiThreadedExecutor

    from arm4r_policy.planning.gripper_action import GripperCommandClient

    received = []

    def execute(goal_handle):
        received.append(goal_handle.request.command.position)
        goal_handle.succeed()
        return GripperCommand.Result(position=goal_handle.request.command.position)

    rclpy.init()
    try:
        node = rclpy.create_node("arm4r_test_gripper")
        server = ActionServer(node, GripperCommand, "/test_gripper/gripper_cmd", execute)
        executor = MultiThreadedExecutor()
        executor.add_node(node)
        spinner = threading.Thread(target=executor.spin, daemon=True)
        spinner.start()
        action_client = ActionClient(node, GripperCommand, "/test_gripper/gripper_cmd")
        GripperCommandClient(action_client, "/test_gripper/gripper_cmd").command(1.0)
        action_client.destroy()
        server.destroy()
        executor.shutdown()
        node.destroy_node()
    finally:
        rclpy.try_shutdown()
    assert received == [pytest.approx(0.8)]
