"""``JointRobot``: a ``Robot`` over a real ``SimCell`` that reaches poses by joint-space motion.

A stand-in for the planner-backed sim robot, enough to drive the recorder on real physics and real
rendering: ``move_linear`` solves IK for the target and interpolates the joints (so the TCP path is
not straight), and the motion is cut at the sampler's times into pieces run by
``SimCell.execute_joint_trajectory``.
"""

import math

import numpy as np

from arm4r_policy.runtime.robot import Observation, Robot, Sampler
from arm4r_policy.sim import SimCell
from tests.unit.sim.ik import solve_tcp_ik


class JointRobot(Robot):
    """Moves in ``move_time`` [s] per motion; the gripper gets ``grip_time`` [s]."""

    def __init__(self, cell: SimCell, move_time: float = 1.0, grip_time: float = 0.5) -> None:
        self.sim = cell
        self.cell_name = cell.config.name
        self.name = cell.robot.name
        self.camera_names = cell.camera_names
        self.move_time, self.grip_time = move_time, grip_time

    @property
    def time(self) -> float:
        return self.sim.time

    def observe(self, image_size: tuple[int, int] | None = None) -> Observation:
        return self.sim.observe(image_size=image_size)

    def home(self, seed: int) -> None:
        self.sim.reset(seed=seed)

    def _advance_to(self, end: float, sampler: Sampler | None, run_steps) -> None:
        """Run ``run_steps(n)`` in pieces, calling the sampler whenever its time is reached."""
        dt = self.sim.model.opt.timestep
        while True:
            due = sampler.next_sample_time() if sampler is not None else math.inf
            if due <= self.time + 1e-9:
                sampler.sample()
                continue
            if round((end - self.time) / dt) <= 0:
                return
            run_steps(max(1, math.ceil((min(end, due) - self.time) / dt - 1e-9)))

    def move_linear(self, target_pose: np.ndarray, sampler: Sampler | None = None) -> None:
        start = self.sim.joint_positions
        goal = solve_tcp_ik(self.sim.robot, target_pose, start)
        t0, dt = self.time, self.sim.model.opt.timestep

        def reference(t: float) -> np.ndarray:
            s = min(max((t - t0) / self.move_time, 0.0), 1.0)
            return start + (goal - start) * (3 * s**2 - 2 * s**3)

        def run_steps(n: int) -> None:
            now = self.time
            # Just under n steps, so the trajectory's ceil(duration / dt) is exactly n.
            self.sim.execute_joint_trajectory(
                times=[0.0, (n - 1e-6) * dt],
                positions=[reference(now), reference(now + n * dt)],
                settle_time=0.0,
            )

        self._advance_to(t0 + self.move_time + 0.2, sampler, run_steps)

    def set_gripper(self, closure: float, sampler: Sampler | None = None) -> None:
        self.sim.set_gripper(closure)
        self._advance_to(self.time + self.grip_time, sampler, self.sim.step)
