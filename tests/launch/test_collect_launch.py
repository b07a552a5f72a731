"""collect.launch.py in simulation: the launched graph records an episode that validates."""

import time

import pytest

from arm4r_policy.collect import validate_episode
from arm4r_policy.collect.layout import collection_directory

from .graph_probe import SKIP_REASON, STARTUP, launch_file

launch_pytest = pytest.importorskip("launch_pytest", reason=SKIP_REASON)

COLLECTION = STARTUP + 60.0  # [s] start-up and one pick_cube episode


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("collection")


@launch_pytest.fixture
def kinova_sim_collection(output_dir):
    return launch_file("collect.launch.py", cell="kinova", output_dir=str(output_dir), episodes="1")


@pytest.mark.launch(fixture=kinova_sim_collection)
def test_kinova_sim_collection_records_an_episode_that_validates(output_dir):
    directory = collection_directory(output_dir, "pick_cube", "yellow", "kinova")
    deadline = time.monotonic() + COLLECTION
    while not list(directory.glob("episode_*")) and time.monotonic() < deadline:
        time.sleep(0.5)
    episodes = list(directory.glob("episode_*"))
    assert len(episodes) == 1, f"no episode in {directory} after {COLLECTION} s"
    info = validate_episode(episodes[0])
    assert info.meta.instruction == "pick up the yellow cube"
