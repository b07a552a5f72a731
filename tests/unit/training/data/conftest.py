"""Collections written once per session and only ever read by the tests that share them."""

import pytest

from arm4r_policy.model.normalization import Normalizer
from tests.unit.training.data.builders import write_authors, write_ours


@pytest.fixture(scope="session")
def control_root(tmp_path_factory):
    """Two of our episodes (30 and 34 steps) and one of the authors' (30 steps), task pick_cube."""
    root = tmp_path_factory.mktemp("control") / "dataset"
    write_ours(root, seed=0, steps=30)
    write_ours(root, seed=1, steps=34)
    write_authors(root, "episode_a", seed=2)
    return root


@pytest.fixture(scope="session")
def points_root(tmp_path_factory):
    """Two of our episodes with ground-truth tracks of the side camera (30 and 32 steps)."""
    root = tmp_path_factory.mktemp("points") / "dataset"
    write_ours(root, seed=0, steps=30, with_tracks=True)
    write_ours(root, seed=1, steps=32, with_tracks=True)
    return root


@pytest.fixture
def identity_control():
    """Normalisation that leaves control values as they are, so tests read them directly."""
    return Normalizer.identity(10, 10)
