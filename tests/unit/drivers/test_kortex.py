"""Kinova backend: the API's units and frames converted to ours, action and gripper logic.

kortex_api (Kinova's wheel) is not installable here: the conversions are pure functions tested
on numbers and on objects shaped like the API's messages; what needs the API or an arm skips.
"""

import importlib.util
import os
from types import SimpleNamespace

import numpy as np
import pytest

from arm4r_policy.drivers import kortex
from arm4r_policy.drivers.kortex import (
    ACTION_ABORT,
    ACTION_END,
    ActionWatcher,
    GripperSettle,
    KortexConfig,
    KortexFeedback,
    arm_state_from_feedback,
    find_action_handle,
    joint_degrees_to_radians,
    kortex_pose_to_matrix,
    matrix_to_kortex_pose,
    robotiq_2f85_tcp_in_flange,
    tool_target,
)
from arm4r_policy.errors import ConfigError, HardwareError
from arm4r_policy.sim import KINOVA_GEN3_2F85, ROBOTIQ_2F85, ArmKinematics
from tests.unit.drivers.imports import top_level_modules_imported_by

HAS_KORTEX_API = importlib.util.find_spec("kortex_api") is not None
needs_kortex_api = pytest.mark.skipif(
    not HAS_KORTEX_API,
    reason="kortex_api (Kinova's wheel, not on PyPI) is not installed; runs in the docker image",
)
KINOVA_IP = os.environ.get("ARM4R_KINOVA_IP")
needs_arm = pytest.mark.skipif(
    not (HAS_KORTEX_API and KINOVA_IP),
    reason="needs kortex_api and a Kinova arm on the network (set ARM4R_KINOVA_IP)",
)

HOME_DEGREES = (0.0, 15.0, 180.0, -130.0, 0.0, 55.0, 90.0)  # Kinova's "Home" joint angles
HOME_TOOL_POSE = (0.4567, 0.0014, 0.4337, 90.0, 0.0, 90.0)  # what the arm reports there


def rot(axis: str, degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return {
        "x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


def feedback_message(joints_deg, tool_pose, gripper_percent):
    """An object shaped like ``BaseCyclic_pb2.Feedback`` (the fields the backend reads)."""
    x, y, z, tx, ty, tz = tool_pose
    return SimpleNamespace(
        actuators=[SimpleNamespace(position=q) for q in joints_deg],
        base=SimpleNamespace(
            tool_pose_x=x,
            tool_pose_y=y,
            tool_pose_z=z,
            tool_pose_theta_x=tx,
            tool_pose_theta_y=ty,
            tool_pose_theta_z=tz,
        ),
        interconnect=SimpleNamespace(
            gripper_feedback=SimpleNamespace(motor=[SimpleNamespace(position=gripper_percent)])
        ),
    )


def test_importing_the_backend_does_not_import_kortex_api():
    assert "kortex_api" not in top_level_modules_imported_by("arm4r_policy.drivers.kortex")


def test_angles_are_fixed_axis_x_then_y_then_z():
    matrix = kortex_pose_to_matrix([0.1, 0.2, 0.3, 10.0, 20.0, 30.0])
    np.testing.assert_allclose(matrix[:3, :3], rot("z", 30) @ rot("y", 20) @ rot("x", 10))
    np.testing.assert_allclose(matrix[:3, 3], [0.1, 0.2, 0.3])


def test_the_home_pose_kinova_reports_is_the_flange_of_the_gen3_at_home():
    flange = ArmKinematics(KINOVA_GEN3_2F85)(np.radians(HOME_DEGREES)).flange
    reported = kortex_pose_to_matrix(HOME_TOOL_POSE)
    np.testing.assert_allclose(reported[:3, :3], flange[:3, :3], atol=1e-3)
    np.testing.assert_allclose(reported[:3, 3], flange[:3, 3], atol=1e-3)


def test_pose_conversion_round_trips():
    rng = np.random.default_rng(0)
    for _ in range(50):
        pose = np.concatenate(
            [rng.uniform(-1, 1, 3), rng.uniform(-179, 179, 1), rng.uniform(-89, 89, 1)]
        )
        pose = np.append(pose, rng.uniform(-179, 179))
        np.testing.assert_allclose(matrix_to_kortex_pose(kortex_pose_to_matrix(pose)), pose)


def test_joint_degrees_become_radians_in_minus_pi_to_pi():
    radians = joint_degrees_to_radians([0.0, 15.0, 180.0, 230.0, 359.0, 360.0])
    np.testing.assert_allclose(np.degrees(radians), [0.0, 15.0, 180.0, -130.0, -1.0, 0.0])


def test_feedback_becomes_an_arm_state_with_the_tcp_beyond_the_flange():
    message = feedback_message([0.0, 15.0, 180.0, 230.0, 0.0, 55.0, 90.0], HOME_TOOL_POSE, 50.0)
    feedback = KortexFeedback.from_message(message)
    state = arm_state_from_feedback(feedback, np.eye(4), robotiq_2f85_tcp_in_flange())
    np.testing.assert_allclose(np.degrees(state.joint_positions), HOME_DEGREES)
    np.testing.assert_allclose(state.flange_pose, kortex_pose_to_matrix(HOME_TOOL_POSE))
    approach = state.flange_pose[:3, 2]  # the flange z axis, pointing out of the tool
    np.testing.assert_allclose(state.tcp_pose[:3, 3], state.flange_pose[:3, 3] + 0.14 * approach)
    assert state.gripper_closure == 0.5
    assert state.gripper_width == pytest.approx(0.0425)


def test_a_tool_transform_configured_on_the_arm_is_undone():
    tcp_in_flange = robotiq_2f85_tcp_in_flange()
    flange = kortex_pose_to_matrix(HOME_TOOL_POSE)
    reported_tool = flange @ tcp_in_flange  # the Web App's tool set to the TCP
    feedback = KortexFeedback(np.zeros(7), matrix_to_kortex_pose(reported_tool), 0.0)
    state = arm_state_from_feedback(feedback, tcp_in_flange, tcp_in_flange)
    np.testing.assert_allclose(state.flange_pose, flange, atol=1e-12)
    np.testing.assert_allclose(state.tcp_pose, reported_tool, atol=1e-12)


@pytest.mark.parametrize("tool_z", [0.0, 0.14])
def test_the_commanded_tool_pose_puts_the_tcp_on_the_target(tool_z):
    tool_in_flange = np.eye(4)
    tool_in_flange[2, 3] = tool_z
    target = kortex_pose_to_matrix([0.5, -0.1, 0.3, 170.0, 10.0, 80.0])
    command = tool_target(target, tool_in_flange, robotiq_2f85_tcp_in_flange())
    reached = arm_state_from_feedback(
        KortexFeedback(np.zeros(7), command, 0.0), tool_in_flange, robotiq_2f85_tcp_in_flange()
    )
    np.testing.assert_allclose(reached.tcp_pose, target, atol=1e-9)


def test_the_default_tcp_is_the_simulated_2f85_tcp():
    np.testing.assert_allclose(
        KortexConfig(ip="192.168.1.10").tcp_in_flange, ROBOTIQ_2F85.tcp_in_flange
    )


def test_action_watcher_ends_on_end_and_names_an_abort():
    names = {7: "JOINT_LIMIT_REACHED"}
    watcher = ActionWatcher(names.__getitem__)
    watcher(SimpleNamespace(action_event=4, abort_details=0))  # ACTION_START
    assert not watcher.wait(0.0)
    watcher(SimpleNamespace(action_event=ACTION_END, abort_details=0))
    assert watcher.wait(0.0)
    assert watcher.abort_reason is None

    def unknown(code):
        raise ValueError(code)

    aborted = ActionWatcher(unknown)
    aborted(SimpleNamespace(action_event=ACTION_ABORT, abort_details=99))
    assert aborted.wait(0.0)
    assert aborted.abort_reason == "unknown sub-error (99)"
    named = ActionWatcher(names.__getitem__)
    named(SimpleNamespace(action_event=ACTION_ABORT, abort_details=7))
    assert named.abort_reason == "JOINT_LIMIT_REACHED (7)"


def test_gripper_settles_at_the_target_or_when_blocked():
    at_target = GripperSettle(target=1.0)
    assert not at_target.update(0.5, now=0.0)
    assert at_target.update(0.995, now=0.5)
    blocked = GripperSettle(target=1.0, window=0.2)
    assert not blocked.update(0.60, now=0.0)
    assert not blocked.update(0.70, now=0.1)  # still closing
    assert not blocked.update(0.701, now=0.2)
    assert blocked.update(0.701, now=0.31)  # on an object for 0.2 s


def test_the_home_action_is_found_by_name():
    actions = [SimpleNamespace(name="Retract", handle=1), SimpleNamespace(name="Home", handle=2)]
    assert find_action_handle(actions, "Home") == 2
    with pytest.raises(
        HardwareError, match=r"no action named 'Zero'; it has \['Retract', 'Home'\]"
    ):
        find_action_handle(actions, "Zero")


def test_configuration_is_validated():
    with pytest.raises(ConfigError, match="KortexConfig.linear_speed = 0"):
        KortexConfig(ip="192.168.1.10", linear_speed=0)
    with pytest.raises(ConfigError, match="ip is empty"):
        KortexConfig(ip="")


@needs_kortex_api
def test_messages_are_built_with_the_vendor_types():
    action = kortex.reach_pose_action([0.5, 0.0, 0.3, 180.0, 0.0, 90.0], 0.1, 30.0)
    assert action.reach_pose.target_pose.theta_x == pytest.approx(180.0)
    assert action.reach_pose.constraint.speed.translation == pytest.approx(0.1)
    command = kortex.gripper_position_command(0.75)
    assert command.gripper.finger[0].value == pytest.approx(0.75)


@needs_arm
def test_a_real_arm_reports_a_state():
    with kortex.KortexState(KortexConfig(ip=KINOVA_IP)) as state:
        arm = state.read()
    assert arm.joint_positions.shape == (7,)
    assert np.all(np.abs(arm.joint_positions) <= np.pi)
