"""Shared fixtures: a Kinova cell with a large cube and an occluder, and a headless GL default."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np
import pytest

from arm4r_policy.sim import Box, CellConfig, SimCell

CUBE = (0.5, 0.05, 0.81)  # resting on the table, in view of both cameras
PARKED = (-1.5, -1.5, 0.05)  # on the floor, where the occluder hides nothing


@pytest.fixture(scope="module")
def kinova_cell():
    objects = [
        Box(name="cube", size=(0.12,) * 3, rgba=(1, 0.85, 0, 1), mass=0.2, position=CUBE),
        Box(name="occluder", size=(0.1,) * 3, rgba=(0.2, 0.3, 0.9, 1), mass=0.2, position=PARKED),
    ]
    with SimCell(CellConfig.kinova(), objects=objects) as cell:
        yield cell


@pytest.fixture
def cell(kinova_cell):
    kinova_cell.reset(seed=0)
    return kinova_cell


@pytest.fixture
def embedding():
    return np.random.default_rng(0).standard_normal(512).astype(np.float32)
