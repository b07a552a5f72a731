"""RosRobot without ROS: the messages a node would hand it, and a link that keeps what it sends.

The graph itself (sim_node, the bridge and collect_node over DDS) is tested in
tests/ros/test_collect_graph.py; here the robot's own rules: which messages make an observation,
which motion result answers a target, and how a refusal surfaces.
"""

import threading
import time

import numpy as np
import pytest

from arm4r_policy.collect.ros_robot import RosRobot, RosRobotConfig, episode_seed
from arm4r_policy.errors import ConfigError, HardwareError, PlanningError
from arm4r_policy.sim.transforms import make_pose

CAMERAS = ("ego", "side")
TCP_IN_FLANGE = make_pose(np.eye(3), [0.0, 0.0, 0.14])
K = np.array([[60.0, 0.0, 31.5], [0.0, 60.0, 23.5], [0.0, 0.0, 1.0]])


class KeepingLink:
    """ROS time is the wall clock; targets and gripper commands are kept; every reset starts
    the next seed, as sim_node's does."""

    def __init__(self, seed: int = 0) -> None:
        self.targets: list[tuple[int, np.ndarray]] = []
        self.seed = seed

    def now_ns(self) -> int:
        return time.time_ns()

    def send_target(self, pose: np.ndarray, stamp_ns: int) -> None:
        self.targets.append((stamp_ns, pose))

    def send_gripper(self, closure: float) -> None:
        pass

    def reset_simulation(self) -> str:
        self.seed += 1
        return f"episode seed {self.seed}: pick up the yellow cube"


def make_robot(link, timeout=0.3):
    config = RosRobotConfig(
        cell_name="kinova",
        name="kinova_gen3+robotiq_2f85",
        camera_names=CAMERAS,
        tcp_in_flange=TCP_IN_FLANGE,
        gripper_stroke=0.085,
        extrinsics={camera: np.eye(4) for camera in CAMERAS},
        observation_timeout=timeout,
        motion_timeout=timeout,
    )
    return RosRobot(link, config)


def publish(robot, stamp_ns, tcp=None, closure=0.25):
    """One message of every input, the state 1 ms after the frames."""
    for value, camera in enumerate(CAMERAS):
        robot.on_camera_intrinsics(camera, K)
        robot.on_image(camera, stamp_ns, np.full((48, 64, 3), value, dtype=np.uint8))
    state_ns = stamp_ns + 1_000_000
    robot.on_ee_pose(state_ns, make_pose(np.eye(3), [0.4, 0.0, 0.3]) if tcp is None else tcp)
    robot.on_gripper_state(state_ns, closure)
    robot.on_joint_state(state_ns, np.arange(7.0))


def answer_first_target(link, robot, succeeded, message, decoy=True):
    """On another thread: answer the first target sent, after a result for another stamp."""

    def respond():
        while not link.targets:
            time.sleep(0.001)
        stamp_ns = link.targets[0][0]
        if decoy:
            robot.on_motion_result(stamp_ns - 1, True, "another target")
        robot.on_motion_result(stamp_ns, succeeded, message)

    threading.Thread(target=respond, daemon=True).start()


def test_observe_matches_the_frames_with_the_state_and_derives_flange_and_width():
    link = KeepingLink()
    robot = make_robot(link)
    now = time.time_ns()
    publish(robot, now)
    observation = robot.observe()
    assert observation.time == pytest.approx(now / 1e9, abs=1e-6)
    assert np.array_equal(observation.images["side"], np.ones((48, 64, 3), dtype=np.uint8))
    assert np.allclose(observation.ee_pose[:3], [0.4, 0.0, 0.3])
    assert np.allclose(observation.flange_pose[:3], [0.4, 0.0, 0.16])
    assert observation.gripper_closure == 0.25
    assert observation.gripper_width == pytest.approx(0.085 * 0.75)
    assert np.array_equal(observation.joint_positions, np.arange(7.0))
    assert np.array_equal(observation.intrinsics["ego"], K)


def test_observe_hands_out_each_message_once_and_says_what_it_waits_for():
    robot = make_robot(KeepingLink())
    publish(robot, time.time_ns())
    robot.observe()
    with pytest.raises(HardwareError, match="no observation in 0.3 s: waiting for"):
        robot.observe()


def test_observe_waits_for_the_camera_info_of_every_camera():
    robot = make_robot(KeepingLink())
    robot.on_camera_intrinsics("ego", K)
    with pytest.raises(HardwareError, match=r"no camera_info of \['side'\]"):
        robot.observe()


def test_a_motion_returns_on_its_own_result_and_later_observations_follow_it():
    link = KeepingLink()
    robot = make_robot(link)
    publish(robot, time.time_ns())
    target = make_pose(np.eye(3), [0.45, 0.0, 0.3])
    answer_first_target(link, robot, True, "reached the target")
    robot.move_linear(target)
    assert np.array_equal(link.targets[0][1], target)
    publish(robot, time.time_ns() - 200_000_000)  # stamped before the result arrived
    with pytest.raises(HardwareError, match="not after"):
        robot.observe()


@pytest.mark.parametrize(
    ("message", "raised"),
    [
        ("PlanningError: joint 4 beyond its limit", PlanningError),
        ("target refused: the motion to target 7 is still running", PlanningError),
        ("HardwareError: sim_node did not finish the joint trajectory", HardwareError),
    ],
)
def test_a_failed_motion_raises_by_whether_the_arm_was_left_unmoved(message, raised):
    link = KeepingLink()
    robot = make_robot(link)
    answer_first_target(link, robot, False, message)
    with pytest.raises(raised, match=message.split(":")[0]):
        robot.move_linear(make_pose(np.eye(3), [0.45, 0.0, 0.3]))


def test_a_motion_without_a_result_times_out_naming_the_bridge():
    robot = make_robot(KeepingLink())
    with pytest.raises(HardwareError, match="no motion result .* moveit_bridge_node"):
        robot.move_linear(make_pose(np.eye(3), [0.45, 0.0, 0.3]))


def test_home_in_sim_refuses_a_seed_sim_node_has_passed():
    robot = make_robot(KeepingLink(seed=5))
    with pytest.raises(HardwareError, match="started episode seed 6, past the wanted seed 3"):
        robot.home(3)


def test_the_reset_message_gives_the_episode_seed():
    assert episode_seed("episode seed 42: pick up the yellow cube") == 42
    with pytest.raises(HardwareError, match="expected 'episode seed"):
        episode_seed("reset")


def test_every_camera_needs_its_extrinsics():
    with pytest.raises(ConfigError, match="side"):
        RosRobotConfig(
            "kinova", "arm", CAMERAS, TCP_IN_FLANGE, 0.085, extrinsics={"ego": np.eye(4)}
        )
