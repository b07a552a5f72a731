"""The motion bridge: executes end-effector targets one at a time and answers each exactly once.

Between the policy and an arm. Each target is a (4, 4) TCP pose in the robot base frame with the
stamp that names it. While no motion runs, a target starts one on a worker thread: the backend
moves the TCP linearly to the target; then, if the gripper command differs from the closure the
gripper was last sent, the backend moves the gripper; then one ``MotionOutcome`` is reported. A
target that arrives while a motion runs is refused at once with its own outcome, and the running
motion goes on. A refused plan or a failed motion is an outcome too, and the backend is then
trusted to have left the arm where it was (a failed plan sends nothing to the arm). Without
targets nothing moves: the bridge never acts on its own. The gripper can move without the bridge
(a simulator reset opens it); after ``forget_gripper`` the next motion sends the latest gripper
command whatever was sent before.

The bridge checks that a target is a finite rigid pose; the backend's planner checks reach and
joint limits. Backends block until their motion is over: the IK planner driving the simulator,
MoveIt on hardware, or a ``SimRobot`` directly (its ``move_linear`` and ``set_gripper`` fit).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from arm4r_policy.errors import CommandError
from arm4r_policy.planning.cartesian import checked_pose


class MotionBackend(Protocol):
    """An arm that moves and grips, blocking until done. A failure raises, preferably an
    ``ARM4RError`` (``PlanningError`` for a refused plan, after which the arm has not moved);
    the bridge reports any exception as the target's failed outcome."""

    def move_linear(self, target_pose: np.ndarray) -> object:
        """Move the TCP on a straight line to ``target_pose`` (4, 4), base frame [m]."""

    def set_gripper(self, closure: float) -> object:
        """Move the fingers to ``closure`` in [0, 1] (0 open) and return once they stopped."""


@dataclass(frozen=True)
class MotionTarget:
    """``pose`` (4, 4): the TCP target in the robot base frame [m]; ``stamp_ns`` names it."""

    stamp_ns: int
    pose: np.ndarray


@dataclass(frozen=True)
class MotionOutcome:
    """How the motion to the target ``stamp_ns`` ended, ``message`` saying why in words."""

    stamp_ns: int
    succeeded: bool
    message: str


class MotionBridge:
    """Runs ``backend`` for one target at a time; ``report`` receives every outcome.

    ``report`` is called on the worker thread for executed targets and on the caller's thread
    for refused ones. The bridge is idle again before ``report`` sees an executed outcome, so
    a client that waits for it may send its next target at once.
    """

    def __init__(self, backend: MotionBackend, report: Callable[[MotionOutcome], None]) -> None:
        self._backend = backend
        self._report = report
        self._lock = threading.Lock()
        self._running: int | None = None  # stamp of the target in motion
        self._gripper_command: float | None = None  # the latest gripper command
        self._gripper_sent: float | None = None  # the closure the gripper was last sent

    @property
    def busy(self) -> bool:
        return self._running is not None

    def command_gripper(self, closure: float) -> None:
        """Keep ``closure`` in [0, 1] (0 open) for the next motion's gripper step.

        Raises:
            CommandError: ``closure`` is not a number in [0, 1]; the last command stays.
        """
        if not (math.isfinite(closure) and 0.0 <= closure <= 1.0):
            raise CommandError(f"gripper command {closure}; expected a closure in [0, 1]")
        self._gripper_command = float(closure)

    def forget_gripper(self) -> None:
        """The gripper may have moved on its own: send the next motion's gripper command even if
        it equals the closure last sent."""
        self._gripper_sent = None

    def submit(self, target: MotionTarget) -> None:
        """Start the motion to ``target``, or report at once why it cannot start."""
        try:
            pose = checked_pose(target.pose, f"target {target.stamp_ns}")
        except CommandError as error:
            self._report(MotionOutcome(target.stamp_ns, False, f"target refused: {error}"))
            return
        with self._lock:
            running = self._running
            if running is None:
                self._running = target.stamp_ns
        if running is not None:
            refused = f"target refused: the motion to target {running} is still running"
            self._report(MotionOutcome(target.stamp_ns, False, refused))
            return
        worker = threading.Thread(target=self._execute, args=(target.stamp_ns, pose), daemon=True)
        worker.start()

    def _execute(self, stamp_ns: int, pose: np.ndarray) -> None:
        try:
            self._backend.move_linear(pose)
            done = "reached the target"
            closure = self._gripper_command
            if closure is not None and closure != self._gripper_sent:
                self._backend.set_gripper(closure)
                self._gripper_sent = closure
                done += f"; gripper moved to closure {closure:.2f}"
            outcome = MotionOutcome(stamp_ns, True, done)
        except Exception as error:  # every target gets its one outcome, whatever failed
            outcome = MotionOutcome(stamp_ns, False, f"{type(error).__name__}: {error}")
        with self._lock:
            self._running = None
        self._report(outcome)
