"""The planner driven by the sim's MuJoCo kinematics: an ``ArmModel`` per robot, one per module."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np
import pytest

from arm4r_policy.planning import ArmModel
from arm4r_policy.sim import (
    FRANKA_PANDA_HAND,
    KINOVA_GEN3_2F85,
    ArmKinematics,
    CellConfig,
    RobotDescription,
)


def sim_arm_model(robot: RobotDescription) -> ArmModel:
    """``ArmModel`` of a sim robot: TCP kinematics from MuJoCo, limits from its chain.

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


@pytest.fixture(scope="module")
def kinova():
    return sim_arm_model(KINOVA_GEN3_2F85)


@pytest.fixture(scope="module")
def franka():
    return sim_arm_model(FRANKA_PANDA_HAND)


@pytest.fixture(scope="module")
def kinova_home():
    return np.array(CellConfig.kinova().home)


@pytest.fixture(scope="module")
def franka_home():
    return np.array(CellConfig.franka().home)


@pytest.fixture(scope="module", params=["kinova", "franka"])
def arm(request):
    """Each arm in turn: (ArmModel, home joint angles (7,) [rad] of its cell)."""
    config = getattr(CellConfig, request.param)()
    return sim_arm_model(config.robot), np.array(config.home)
