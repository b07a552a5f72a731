"""``SimRobot``: the ``Robot`` interface over a MuJoCo cell, moving with the IK linear planner.

This is what collection and evaluation drive in simulation, through the same interface a real arm
implements. Time is simulated: samplers are served at the first physics step at or after the
time they ask for, and a task's monitors are advanced at every control tick, so recording and
success checking cost no accuracy and replay exactly for a seed.
"""

from __future__ import annotations

import numpy as np

from arm4r_policy.planning import ArmModel, LinearMotionLimits, plan_linear
from arm4r_policy.runtime.robot import Observation, Robot, Sampler
from arm4r_policy.sim.forward_kinematics import ArmKinematics
from arm4r_policy.sim.robots import RobotDescription
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import CONTROL_RATE_HZ, Task

# The fingers count as stopped once their width changes less than this over GRIPPER_WINDOW.
GRIPPER_STILL = 2e-5  # [m]
GRIPPER_WINDOW = 0.05  # [s]
GRIPPER_TIMEOUT = 2.0  # [s]


def arm_model(robot: RobotDescription) -> ArmModel:
    """The planner's view of a sim robot: TCP kinematics from MuJoCo, limits from its chain.

    A joint whose range spans a full turn or more (the Gen3's joints 1, 3, 5, 7) is continuous.
    """
    kinematics = ArmKinematics(robot)
    limits = robot.chain.joint_limits
    return ArmModel(
        fk=lambda q: kinematics(q).tcp,
        jacobian=kinematics.jacobian,
        joint_limits=limits,
        max_velocities=robot.chain.max_velocities,
        continuous_joints=limits[:, 1] - limits[:, 0] >= 2.0 * np.pi,
    )


class SimRobot(Robot):
    """A simulated arm in ``cell``; with a ``task``, ``home`` starts that task's episode.

    Args:
        cell: the compiled cell (for a task: ``SimCell(task.workspace.config(), task.objects)``).
        task: the task whose scene the cell holds, or None for an empty cell.
        limits: speed and accuracy of linear motions.
        home_noise: start-pose randomisation passed to ``reset`` [rad].
        settle_time: the arm holds each reached pose this long before the next command [s].
    """

    def __init__(
        self,
        cell: SimCell,
        task: Task | None = None,
        limits: LinearMotionLimits | None = None,
        home_noise: float = 0.0,
        settle_time: float = 0.1,
    ) -> None:
        self.cell = cell
        self.task = task
        self.limits = limits or LinearMotionLimits()
        self.home_noise = home_noise
        self.settle_time = settle_time
        self.cell_name = cell.config.name
        self.name = cell.robot.name
        self.camera_names = tuple(camera.name for camera in cell.config.cameras)
        self._arm = arm_model(cell.robot)
        self._next_tick = 0.0

    @property
    def time(self) -> float:
        return self.cell.time

    def observe(self, image_size: tuple[int, int] | None = None) -> Observation:
        return self.cell.observe(image_size=image_size)

    def home(self, seed: int) -> None:
        if self.task is not None:
            self.task.reset(self.cell, seed, self.home_noise)
        else:
            self.cell.reset(seed, self.home_noise)
        self._next_tick = self.cell.time

    def move_linear(self, target_pose: np.ndarray, sampler: Sampler | None = None) -> None:
        trajectory = plan_linear(self._arm, self.cell.joint_positions, target_pose, self.limits)
        if len(trajectory.times) == 1:  # already there: hold for the settle time
            self._hold(self.settle_time, sampler)
            return
        self.cell.execute_joint_trajectory(
            trajectory.times, trajectory.positions, self.settle_time, lambda: self._tick(sampler)
        )

    def set_gripper(self, closure: float, sampler: Sampler | None = None) -> None:
        self.cell.set_gripper(closure)
        window = max(1, round(GRIPPER_WINDOW / self.cell.model.opt.timestep))
        widths = [self.cell.gripper_width]
        deadline = self.cell.time + GRIPPER_TIMEOUT
        while self.cell.time < deadline:
            self.cell.step()
            self._tick(sampler)
            widths.append(self.cell.gripper_width)
            if len(widths) > window and abs(widths[-1] - widths[-1 - window]) < GRIPPER_STILL:
                break

    def _hold(self, duration: float, sampler: Sampler | None) -> None:
        for _ in range(round(duration / self.cell.model.opt.timestep)):
            self.cell.step()
            self._tick(sampler)

    def _tick(self, sampler: Sampler | None) -> None:
        """After a physics step: advance the task's monitors and serve the sampler when due."""
        now = self.cell.time
        if self.task is not None and now >= self._next_tick:
            self.task.update(self.cell)
            self._next_tick += 1.0 / CONTROL_RATE_HZ
        if sampler is not None and now >= sampler.next_sample_time():
            sampler.sample()
