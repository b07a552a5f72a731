"""Policy-like objects with the ``Policy.step`` signature that need no network: an oracle that
solves pick_cube from the task's ground truth, and a constant target."""

import numpy as np

from arm4r_policy.collect.scripted import CLOSED, OPEN, pointing_down, targets_in_base
from arm4r_policy.collect.session import HOME_NOISE, MOTION_LIMITS, SETTLE_TIME
from arm4r_policy.runtime.policy import PolicyOutput
from arm4r_policy.runtime.pose import euler_xyz_to_matrix, matrix_to_euler_xyz, rotation_angle
from arm4r_policy.sim.robot import SimRobot
from arm4r_training.evaluation import RolloutSettings

SETTINGS = RolloutSettings(camera_names=("ego", "side"), image_size=32, max_steps=40)
HORIZON = 16


class CountingSimRobot(SimRobot):
    """The collection's simulated arm, counting the gripper commands it is given."""

    def __init__(self, cell, task):
        super().__init__(cell, task, MOTION_LIMITS, HOME_NOISE, SETTLE_TIME)
        self.gripper_commands: list[float] = []

    def set_gripper(self, closure, sampler=None):
        self.gripper_commands.append(closure)
        super().set_gripper(closure, sampler)


def output(target: np.ndarray) -> PolicyOutput:
    return PolicyOutput(chunk=np.tile(target, (HORIZON, 1)), target=target)


class PickOracle:
    """Stands in for the network with the task's ground truth: it asks for the point above the
    cube, the grasp point, the gripper closed there, then a lift, each until the arm is there."""

    def __init__(self, robot: SimRobot):
        self.robot = robot

    def reset(self):
        cell = self.robot.cell
        targets = targets_in_base(self.robot.task.goal(cell), cell.base_from_world)
        grasp, up = targets.grasp.position, targets.up
        rotation = pointing_down(cell.tcp_pose[:3, :3], up, targets.grasp.closing_axes)
        self.euler = matrix_to_euler_xyz(rotation)
        self.waypoints = [
            (grasp + 0.10 * up, OPEN),
            (grasp, OPEN),
            (grasp, CLOSED),
            (grasp + 0.12 * up, CLOSED),
        ]
        self.index = 0

    def step(self, images, state, instruction):
        assert [image.shape for image in images] == [(32, 32, 3)] * 2
        if self.index + 1 < len(self.waypoints) and self._arrived(state):
            self.index += 1
        position, gripper = self.waypoints[self.index]
        return output(np.r_[position, self.euler, gripper])

    def _arrived(self, state):
        position, gripper = self.waypoints[self.index]
        turn = rotation_angle(euler_xyz_to_matrix(state[3:6]), euler_xyz_to_matrix(self.euler))
        gripped = gripper == OPEN or state[6] > 0.05
        return np.linalg.norm(state[:3] - position) < 3e-3 and turn < 0.02 and gripped


class ConstantPolicy:
    """Asks for the same (7,) target at every step."""

    def __init__(self, target):
        self.target = np.asarray(target, dtype=float)

    def reset(self):
        pass

    def step(self, images, state, instruction):
        return output(self.target)
