"""MotionBridge over a real simulated arm: one motion at a time, one outcome per target."""

import os
import threading

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.runtime.motion_bridge import MotionBridge, MotionOutcome, MotionTarget
from arm4r_policy.sim import CellConfig, SimCell
from arm4r_policy.sim.robot import SimRobot

WAIT = 10.0  # [s]


class Outcomes:
    """Collects the bridge's reports, from whichever thread they come."""

    def __init__(self) -> None:
        self.received: list[MotionOutcome] = []
        self._changed = threading.Condition()

    def __call__(self, outcome: MotionOutcome) -> None:
        with self._changed:
            self.received.append(outcome)
            self._changed.notify_all()

    def wait(self, count: int) -> list[MotionOutcome]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.received) >= count, WAIT)
        return self.received


class GatedArm:
    """The simulated arm, whose motions start only once the test opens ``gate``."""

    def __init__(self, robot: SimRobot) -> None:
        self.robot = robot
        self.gate = threading.Event()

    def move_linear(self, target_pose: np.ndarray) -> None:
        assert self.gate.wait(WAIT)
        self.robot.move_linear(target_pose)

    def set_gripper(self, closure: float) -> None:
        self.robot.set_gripper(closure)


@pytest.fixture(scope="module")
def cell():
    with SimCell(CellConfig.kinova()) as kinova:
        yield kinova


@pytest.fixture
def robot(cell):
    arm = SimRobot(cell)
    arm.home(seed=0)
    return arm


def moved(robot: SimRobot, offset: tuple[float, float, float]) -> np.ndarray:
    """The TCP pose (4, 4) of ``robot`` moved by ``offset`` [m], base frame."""
    pose = robot.cell.tcp_pose
    pose[:3, 3] += offset
    return pose


def test_a_target_is_reached_and_answered_once_with_its_stamp(robot):
    outcomes = Outcomes()
    bridge = MotionBridge(robot, outcomes)
    goal = moved(robot, (0.03, -0.02, -0.03))
    bridge.submit(MotionTarget(11, goal))
    (outcome,) = outcomes.wait(1)
    assert outcome == MotionOutcome(11, True, "reached the target")
    assert not bridge.busy
    np.testing.assert_allclose(robot.cell.tcp_pose[:3, 3], goal[:3, 3], atol=1e-3)


def test_an_unreachable_target_fails_with_the_planners_reason_and_the_arm_stays(robot):
    outcomes = Outcomes()
    start = robot.cell.data.qpos.copy()
    MotionBridge(robot, outcomes).submit(MotionTarget(12, moved(robot, (1.5, 0.0, 0.0))))
    (outcome,) = outcomes.wait(1)
    assert not outcome.succeeded
    assert outcome.message.startswith("PlanningError: target TCP position")
    assert "unreachable" in outcome.message
    np.testing.assert_array_equal(robot.cell.data.qpos, start)


def test_a_target_during_a_motion_is_refused_at_once_and_the_motion_goes_on(robot):
    outcomes = Outcomes()
    arm = GatedArm(robot)
    bridge = MotionBridge(arm, outcomes)
    bridge.submit(MotionTarget(13, moved(robot, (0.0, 0.0, 0.05))))
    assert bridge.busy
    bridge.submit(MotionTarget(14, moved(robot, (0.0, 0.05, 0.0))))
    assert outcomes.received == [
        MotionOutcome(14, False, "target refused: the motion to target 13 is still running")
    ]
    arm.gate.set()
    assert outcomes.wait(2)[1] == MotionOutcome(13, True, "reached the target")


def test_the_gripper_moves_after_the_arm_only_when_its_command_changed(robot):
    outcomes = Outcomes()
    bridge = MotionBridge(robot, outcomes)
    messages = []
    for stamp, (closure, offset) in enumerate([(1.0, 0.01), (1.0, 0.02), (0.0, 0.03)]):
        bridge.command_gripper(closure)
        bridge.submit(MotionTarget(stamp, moved(robot, (0.0, 0.0, offset))))
        messages.append(outcomes.wait(stamp + 1)[stamp].message)
        if stamp == 0:
            assert robot.cell.gripper_closure > 0.95
    assert messages == [
        "reached the target; gripper moved to closure 1.00",
        "reached the target",
        "reached the target; gripper moved to closure 0.00",
    ]


def test_after_forget_gripper_a_repeated_command_is_sent_again(robot):
    outcomes = Outcomes()
    bridge = MotionBridge(robot, outcomes)
    bridge.command_gripper(1.0)
    bridge.submit(MotionTarget(0, moved(robot, (0.0, 0.0, 0.01))))
    outcomes.wait(1)
    robot.set_gripper(0.0)  # opened behind the bridge's back, as a simulator reset does
    bridge.forget_gripper()
    bridge.submit(MotionTarget(1, moved(robot, (0.0, 0.0, 0.02))))
    assert outcomes.wait(2)[1].message == "reached the target; gripper moved to closure 1.00"
    assert robot.cell.gripper_closure > 0.95


def test_a_non_finite_target_is_refused_before_anything_moves(robot):
    outcomes = Outcomes()
    bridge = MotionBridge(robot, outcomes)
    pose = moved(robot, (0.0, 0.0, 0.0))
    pose[0, 3] = np.nan
    bridge.submit(MotionTarget(15, pose))
    (outcome,) = outcomes.received  # answered before submit returned
    assert not outcome.succeeded
    assert outcome.message.startswith("target refused: target 15")
    assert "finite" in outcome.message
    assert not bridge.busy


@pytest.mark.parametrize("closure", [-0.1, 1.5, float("nan")])
def test_a_gripper_command_outside_zero_to_one_is_refused(robot, closure):
    bridge = MotionBridge(robot, Outcomes())
    with pytest.raises(CommandError, match=r"expected a closure in \[0, 1\]"):
        bridge.command_gripper(closure)
