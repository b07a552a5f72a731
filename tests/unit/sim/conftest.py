"""Shared fixtures: compiled cells (one per test module) and a headless GL default."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")

import pytest

from arm4r_policy.sim import CellConfig, SimCell


@pytest.fixture(scope="module")
def kinova_cell():
    with SimCell(CellConfig.kinova()) as cell:
        yield cell


@pytest.fixture(scope="module")
def franka_cell():
    with SimCell(CellConfig.franka()) as cell:
        yield cell
