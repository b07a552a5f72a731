"""Forward kinematics of an arm as a pure function of its joint angles.

Evaluated by MuJoCo on a private model of the arm and gripper alone, with the base at the origin, so
the result is in the robot base frame and is exactly the kinematics the cells simulate.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import mujoco
import numpy as np

from arm4r_policy.errors import CommandError
from arm4r_policy.sim.cells import new_spec
from arm4r_policy.sim.names import FLANGE_SITE, TCP_SITE
from arm4r_policy.sim.robots import RobotDescription, add_robot
from arm4r_policy.sim.transforms import make_pose


class ArmPose(NamedTuple):
    """Poses (4, 4) in the robot base frame."""

    flange: np.ndarray
    tcp: np.ndarray


class ArmKinematics:
    """Forward kinematics of one robot; holds a private ``MjData`` (use one instance per thread)."""

    def __init__(self, robot: RobotDescription) -> None:
        spec = new_spec(timestep=0.002)
        add_robot(spec, spec.worldbody, robot, meshes={})
        self._model = spec.compile()
        self._data = mujoco.MjData(self._model)
        self._qpos = np.array(
            [self._model.joint(name).qposadr[0] for name in robot.chain.joint_names]
        )
        self._dof = np.array(
            [self._model.joint(name).dofadr[0] for name in robot.chain.joint_names]
        )
        self._flange = self._model.site(FLANGE_SITE).id
        self._tcp = self._model.site(TCP_SITE).id

    def __call__(self, q: np.ndarray) -> ArmPose:
        """Flange and TCP poses at joint angles ``q`` (7,) [rad]."""
        q = np.asarray(q, dtype=float)
        if q.shape != self._qpos.shape or not np.all(np.isfinite(q)):
            raise CommandError(
                f"joint angles of shape {q.shape} = {q}; expected {self._qpos.shape} finite values"
            )
        self._data.qpos[self._qpos] = q
        mujoco.mj_kinematics(self._model, self._data)
        data = self._data
        return ArmPose(
            flange=make_pose(
                data.site_xmat[self._flange].reshape(3, 3), data.site_xpos[self._flange]
            ),
            tcp=make_pose(data.site_xmat[self._tcp].reshape(3, 3), data.site_xpos[self._tcp]),
        )

    def jacobian(self, q: np.ndarray, site: str = TCP_SITE) -> np.ndarray:
        """(6, 7) Jacobian of ``site`` (``TCP_SITE`` or ``FLANGE_SITE``) at ``q`` (7,) [rad].

        Rows: linear velocity (3) [m/s] of the site origin, then angular velocity (3) [rad/s],
        both in the base frame, per unit joint velocity [rad/s]; one column per joint.
        """
        sites = {TCP_SITE: self._tcp, FLANGE_SITE: self._flange}
        if site not in sites:
            raise CommandError(f"Jacobian site {site!r}; expected one of {sorted(sites)}")
        self(q)  # validates q, sets it and runs the position stage
        mujoco.mj_comPos(self._model, self._data)
        linear = np.zeros((3, self._model.nv))
        angular = np.zeros((3, self._model.nv))
        mujoco.mj_jacSite(self._model, self._data, linear, angular, sites[site])
        return np.vstack([linear[:, self._dof], angular[:, self._dof]])


@functools.cache
def _kinematics(robot: RobotDescription) -> ArmKinematics:
    return ArmKinematics(robot)


def forward_kinematics(robot: RobotDescription, q: np.ndarray) -> ArmPose:
    """Flange and TCP poses (4, 4) in the base frame of ``robot`` at joint angles ``q`` (7,) [rad].

    Not thread-safe (one cached ``ArmKinematics`` per robot); give each thread its own instance.
    """
    return _kinematics(robot)(q)
