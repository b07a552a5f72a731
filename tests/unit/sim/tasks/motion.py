"""Scripted arm motions for the task tests, driven by the tasks' own ``Goal``: IK moves of a
downward-pointing TCP, grasping, carrying and releasing, with ``task.update`` after each move."""

import numpy as np

from arm4r_policy.sim.transforms import rot_z

from ..ik import solve_tcp_ik

TRAVEL_HEIGHT = 0.15
"""[m] above a grasp or place point at which the TCP travels between them."""


def settle(cell, seconds):
    cell.step(round(seconds / cell.model.opt.timestep))


def tcp_in_world(cell):
    """(4, 4) TCP pose in the world frame."""
    return cell.base_pose @ cell.tcp_pose


def down_pose(cell, position, closing_axes=None):
    """(4, 4) world TCP pose at ``position`` (3,), fingers down as at home, turned about the
    vertical by the smallest angle that closes the jaws along one of ``closing_axes``."""
    home = cell.base_pose @ cell.forward_kinematics(cell.config.home).tcp
    yaw = 0.0
    if closing_axes is not None:
        jaw = home[:3, 1]
        yaws = [
            np.arctan2(np.cross(jaw, sign * axis)[2], jaw @ (sign * axis))
            for axis in closing_axes
            for sign in (1.0, -1.0)
        ]
        yaw = min(yaws, key=abs)
    pose = home.copy()
    pose[:3, :3] = rot_z(yaw) @ home[:3, :3]
    pose[:3, 3] = position
    return pose


def move_tcp(cell, pose, duration=1.0):
    """Move the TCP to a world ``pose`` (4, 4) along a joint-space line through 20 waypoints."""
    goal = solve_tcp_ik(cell.robot, cell.base_from_world @ pose, cell.joint_positions)
    start = cell.joint_positions
    fractions = np.linspace(0.05, 1.0, 20)[:, None]
    cell.execute_joint_trajectory(duration * fractions[:, 0], start + fractions * (goal - start))


def shift(pose, dz):
    raised = pose.copy()
    raised[2, 3] += dz
    return raised


def pick_up(cell, task, lift=TRAVEL_HEIGHT):
    """Grasp ``task.goal(cell).grasp`` from above, close, and raise it by ``lift`` [m]."""
    grasp = task.goal(cell).grasp
    at_object = down_pose(cell, grasp.position, grasp.closing_axes)
    move_tcp(cell, shift(at_object, TRAVEL_HEIGHT))
    move_tcp(cell, at_object)
    cell.set_gripper(1.0)
    settle(cell, 0.5)
    task.update(cell)
    move_tcp(cell, shift(at_object, lift))
    task.update(cell)


def carry_to(cell, task, place):
    """With the object held, move the TCP above ``place`` (3,) [m] and down onto it."""
    at_place = down_pose(cell, place)
    at_place[:3, :3] = tcp_in_world(cell)[:3, :3]
    move_tcp(cell, shift(at_place, TRAVEL_HEIGHT), duration=1.5)
    move_tcp(cell, at_place)
    task.update(cell)


def raise_tcp(cell, task, height):
    """Move the TCP straight up by ``height`` [m]."""
    move_tcp(cell, shift(tcp_in_world(cell), height))
    task.update(cell)


def release(cell, task):
    """Open the jaws, let the object settle, and raise the TCP by ``TRAVEL_HEIGHT``."""
    cell.set_gripper(0.0)
    settle(cell, 0.5)
    raise_tcp(cell, task, TRAVEL_HEIGHT)
    settle(cell, 0.3)
    task.update(cell)
