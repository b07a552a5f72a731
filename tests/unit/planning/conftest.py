"""The planner driven by the sim's MuJoCo kinematics: an ``ArmModel`` per robot, one per module."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np
import pytest

from arm4r_policy.sim import FRANKA_PANDA_HAND, KINOVA_GEN3_2F85, CellConfig
from arm4r_policy.sim.robot import arm_model


@pytest.fixture(scope="module")
def kinova():
    return arm_model(KINOVA_GEN3_2F85)


@pytest.fixture(scope="module")
def franka():
    return arm_model(FRANKA_PANDA_HAND)


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
    return arm_model(config.robot), np.array(config.home)
