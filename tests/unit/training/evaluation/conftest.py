"""Shared fixtures: a pick-cube cell compiled once per module, a tiny random checkpoint, and a
headless GL default."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
import torch

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer, save_checkpoint
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.tasks import make_task


@pytest.fixture(scope="module")
def pick_cube_cell():
    """(task, cell): Kinova pick_cube / yellow and its compiled cell."""
    task = make_task("kinova", "pick_cube", "yellow")
    with SimCell(task.workspace.config(), objects=task.objects) as cell:
        yield task, cell


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """A randomly initialised tiny control checkpoint reading the Kinova cameras ego, side."""
    torch.manual_seed(0)
    config = ARM4RConfig.tiny(instruction_encoder="hashing-v1-512", camera_names=("ego", "side"))
    directory = tmp_path_factory.mktemp("checkpoint") / "tiny"
    return save_checkpoint(directory, ARM4R(config), Normalizer.identity(10, 10))
