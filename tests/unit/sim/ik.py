"""A small damped-least-squares IK on the public forward kinematics, for building test motions."""

import numpy as np

from arm4r_policy.sim import RobotDescription, forward_kinematics
from arm4r_policy.sim.transforms import matrix_to_quat


def _tcp_error(target: np.ndarray, pose: np.ndarray) -> np.ndarray:
    """(6,) position error [m] and rotation vector [rad] taking ``pose`` to ``target``."""
    quat = matrix_to_quat(target[:3, :3] @ pose[:3, :3].T)
    sine = np.linalg.norm(quat[1:])
    rotation = quat[1:] / sine * 2.0 * np.arctan2(sine, quat[0]) if sine > 1e-12 else np.zeros(3)
    return np.r_[target[:3, 3] - pose[:3, 3], rotation]


def solve_tcp_ik(robot: RobotDescription, target: np.ndarray, q0: np.ndarray) -> np.ndarray:
    """Joint angles (7,) [rad] putting the TCP at ``target`` (4, 4), base frame, from ``q0``."""
    limits = robot.chain.joint_limits
    q = np.asarray(q0, dtype=float).copy()
    step = 1e-6
    for _ in range(200):
        error = _tcp_error(target, forward_kinematics(robot, q).tcp)
        if np.linalg.norm(error) < 1e-9:
            return q
        jacobian = np.empty((6, 7))
        for joint in range(7):
            dq = np.zeros(7)
            dq[joint] = step
            moved = _tcp_error(target, forward_kinematics(robot, q + dq).tcp)
            jacobian[:, joint] = (error - moved) / step
        update = jacobian.T @ np.linalg.solve(jacobian @ jacobian.T + 1e-8 * np.eye(6), error)
        q = np.clip(q + update, limits[:, 0], limits[:, 1])
    raise AssertionError(
        f"IK did not converge to {target[:3, 3]} (residual {np.linalg.norm(error)})"
    )
