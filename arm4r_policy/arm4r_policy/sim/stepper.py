"""A ``SimCell`` advanced step by step while commands come and go: what a live simulator runs.

``SimCell.execute_joint_trajectory`` blocks until a motion has settled; a simulator that keeps
publishing camera frames during the motion must instead take commands at any time and advance
the physics in small slices. ``SimStepper`` does that with the same servo logic: a joint
trajectory is sampled piecewise-linearly at every physics step (``sample_piecewise_linear``),
sent to the position servos with the velocity feed-forward ``(kv / kp) dq_ref`` and held for
``settle_time`` at its last waypoint; a gripper command counts as done once the fingers have
stopped, by the criterion of ``SimRobot.set_gripper``. A task's monitors advance once per control
tick of simulated time, as in ``SimRobot``.

Determinism: a command takes effect at the next physics step, and the state after any number of
steps depends only on the episode seed and on which commands were given before which step. How
the steps are sliced, when frames are rendered and how fast the wall clock runs never change it.
``RealTimePacer`` turns elapsed wall-clock time into the number of steps that are due.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.sim.robot import GRIPPER_STILL, GRIPPER_TIMEOUT, GRIPPER_WINDOW
from arm4r_policy.sim.sim_cell import SimCell, TrackingReport
from arm4r_policy.sim.tasks.base import CONTROL_RATE_HZ, Task
from arm4r_policy.sim.trajectory import sample_piecewise_linear, waypoints_from


@dataclass(frozen=True)
class TrajectoryDone:
    """A trajectory has ended: ``report`` when it was followed and held for the settle time,
    None when a reset interrupted it (``message`` says which)."""

    key: int
    report: TrackingReport | None
    message: str


@dataclass(frozen=True)
class GripperDone:
    """The fingers have stopped after the command ``closure`` (0 open .. 1 closed), at the
    measured ``reached`` closure; ``settled`` is False when they were still moving at the
    timeout."""

    closure: float
    reached: float
    settled: bool


Completion = TrajectoryDone | GripperDone


@dataclass
class _Trajectory:
    """A trajectory being followed: one servo command and one reference row per physics step."""

    key: int
    commands: np.ndarray  # (S, 7) [rad]
    references: np.ndarray  # (S, 7) [rad]
    duration: float  # [s]
    step: int = 0
    max_error: float = 0.0


@dataclass
class _GripperMotion:
    """A gripper command being watched: recent pad widths [m] and when to give up [s]."""

    closure: float
    widths: deque[float]
    deadline: float


class SimStepper:
    """Runs ``cell`` (and ``task``, whose scene it holds) one physics step at a time.

    Args:
        cell: the compiled cell; for a task ``SimCell(task.workspace.config(), task.objects)``.
        task: the task whose monitors advance with the physics, or None.
        settle_time: how long [s] each trajectory holds its last waypoint before it is done.
    """

    def __init__(self, cell: SimCell, task: Task | None = None, settle_time: float = 0.1) -> None:
        if not (math.isfinite(settle_time) and settle_time >= 0.0):
            raise ConfigError(f"SimStepper settle_time = {settle_time}; expected >= 0 s")
        self.cell = cell
        self.task = task
        self.settle_time = settle_time
        self._dt = cell.model.opt.timestep
        self._settle_steps = math.ceil(settle_time / self._dt)
        self._feedforward_gain = np.asarray(cell.robot.kv) / np.asarray(cell.robot.kp)
        self._limits = cell.robot.chain.joint_limits
        self._trajectory: _Trajectory | None = None
        self._gripper: _GripperMotion | None = None
        self._joint_targets = cell.joint_positions
        self._next_task_update = 0.0

    @property
    def busy(self) -> bool:
        """Whether a trajectory is being followed."""
        return self._trajectory is not None

    def reset(self, seed: int) -> list[Completion]:
        """Start the episode of ``seed`` (the task's layout, or the bare cell at home), time 0.

        Returns the trajectory this interrupts, if one was running.
        """
        interrupted = []
        if self._trajectory is not None:
            message = f"trajectory {self._trajectory.key} interrupted by the reset to seed {seed}"
            interrupted.append(TrajectoryDone(self._trajectory.key, None, message))
        if self.task is not None:
            self.task.reset(self.cell, seed)
        else:
            self.cell.reset(seed)
        self._trajectory, self._gripper = None, None
        self._joint_targets = self.cell.joint_positions  # reset sets the servo targets to home
        self._next_task_update = self.cell.time
        return interrupted

    def follow(self, key: int, times: np.ndarray, positions: np.ndarray) -> None:
        """Start following the joint trajectory ``key`` at the next physics step.

        The path starts at the current servo targets at t = 0 (a waypoint at t = 0 replaces
        them) and runs linearly through the waypoints, as in ``SimCell.execute_joint_trajectory``.

        Args:
            key: identifies the trajectory in its ``TrajectoryDone``.
            times: (N,) waypoint times [s] from now, >= 0 and strictly increasing.
            positions: (N, 7) waypoints [rad], within the joint limits.

        Raises:
            CommandError: a trajectory is still running, or the waypoints are malformed.
        """
        if self._trajectory is not None:
            raise CommandError(
                f"trajectory {key} refused: trajectory {self._trajectory.key} is still running"
            )
        times, positions = waypoints_from(
            self._joint_targets, times, positions, self._limits, f"trajectory {key}"
        )
        motion_steps = math.ceil(times[-1] / self._dt)
        sample_times = self._dt * np.arange(1, motion_steps + self._settle_steps + 1)
        references, velocities = sample_piecewise_linear(times, positions, sample_times)
        # The feed-forward may push a command past a limit the reference merely reaches.
        commands = np.clip(
            references + velocities * self._feedforward_gain, self._limits[:, 0], self._limits[:, 1]
        )
        self._trajectory = _Trajectory(key, commands, references, duration=len(commands) * self._dt)

    def grip(self, closure: float) -> None:
        """Command the gripper to ``closure`` in [0, 1] (0 open); replaces an unfinished command,
        which then reports no completion."""
        self.cell.set_gripper(closure)
        window = max(1, round(GRIPPER_WINDOW / self._dt))
        widths = deque([self.cell.gripper_width], maxlen=window + 1)
        self._gripper = _GripperMotion(float(closure), widths, self.cell.time + GRIPPER_TIMEOUT)

    def advance(self, steps: int) -> list[Completion]:
        """Advance the physics by ``steps`` steps; returns the commands that finished, in order."""
        completions: list[Completion] = []
        for _ in range(steps):
            if self._trajectory is not None:
                self._joint_targets = self._trajectory.commands[self._trajectory.step]
                self.cell.set_joint_targets(self._joint_targets)
            self.cell.step()
            for done in (self._track_trajectory(), self._watch_gripper()):
                if done is not None:
                    completions.append(done)
            if self.task is not None and self.cell.time >= self._next_task_update:
                self.task.update(self.cell)
                self._next_task_update += 1.0 / CONTROL_RATE_HZ
        return completions

    def _track_trajectory(self) -> TrajectoryDone | None:
        trajectory = self._trajectory
        if trajectory is None:
            return None
        error = float(
            np.max(np.abs(self.cell.joint_positions - trajectory.references[trajectory.step]))
        )
        trajectory.max_error = max(trajectory.max_error, error)
        trajectory.step += 1
        if trajectory.step < len(trajectory.commands):
            return None
        self._trajectory = None
        report = TrackingReport(trajectory.max_error, error, trajectory.duration)
        message = (
            f"trajectory {trajectory.key} done in {report.duration:.3f} s: tracking error "
            f"max {report.max_error:.4f} rad, final {report.final_error:.4f} rad"
        )
        return TrajectoryDone(trajectory.key, report, message)

    def _watch_gripper(self) -> GripperDone | None:
        gripper = self._gripper
        if gripper is None:
            return None
        widths = gripper.widths
        widths.append(self.cell.gripper_width)
        still = len(widths) == widths.maxlen and abs(widths[-1] - widths[0]) < GRIPPER_STILL
        if not still and self.cell.time < gripper.deadline:
            return None
        self._gripper = None
        return GripperDone(gripper.closure, self.cell.gripper_closure, settled=still)


class RealTimePacer:
    """How many physics steps of ``timestep`` [s] keep simulated time at ``real_time_factor``
    times the wall-clock time elapsed since ``restart``."""

    def __init__(self, timestep: float, real_time_factor: float = 1.0) -> None:
        for name, value in (("timestep", timestep), ("real_time_factor", real_time_factor)):
            if not (math.isfinite(value) and value > 0.0):
                raise ConfigError(f"RealTimePacer {name} = {value}; expected a positive number")
        self.timestep = timestep
        self.real_time_factor = real_time_factor
        self._start = 0.0
        self._steps = 0

    def restart(self, wall_time: float) -> None:
        """Simulated time 0 is now; ``wall_time`` [s] from any monotonic clock."""
        self._start, self._steps = wall_time, 0

    def due(self, wall_time: float) -> int:
        """Steps [count] to take now so the physics catches up with ``wall_time`` [s]."""
        target = math.floor((wall_time - self._start) * self.real_time_factor / self.timestep)
        due = max(0, target - self._steps)
        self._steps += due
        return due
