"""kinova_eval.launch.py and franka_eval.launch.py in simulation: the launched graph steps a
(random, tiny) policy, moves the simulated arm and draws the predicted path."""

import pytest

from .graph_probe import SKIP_REASON, launch_file, messages, tiny_checkpoint

launch_pytest = pytest.importorskip("launch_pytest", reason=SKIP_REASON)


@pytest.fixture(scope="module")
def kinova_checkpoint(tmp_path_factory):
    return tiny_checkpoint(tmp_path_factory.mktemp("kinova"), ("ego", "side"))


@pytest.fixture(scope="module")
def franka_checkpoint(tmp_path_factory):
    return tiny_checkpoint(tmp_path_factory.mktemp("franka"), ("left", "right"))


@launch_pytest.fixture
def kinova_sim_eval(kinova_checkpoint):
    return launch_file("kinova_eval.launch.py", checkpoint=str(kinova_checkpoint))


@launch_pytest.fixture
def franka_sim_eval(franka_checkpoint):
    return launch_file("franka_eval.launch.py", checkpoint=str(franka_checkpoint))


def assert_the_loop_runs():
    from diagnostic_msgs.msg import DiagnosticStatus
    from visualization_msgs.msg import MarkerArray

    from arm4r_policy.nodes import topics

    results = messages(DiagnosticStatus, topics.MOTION_RESULT, topics.RELIABLE_QOS, count=3)
    assert len(results) == 3, "fewer than 3 motion results: the policy loop did not run"
    assert messages(MarkerArray, topics.MARKERS, topics.RELIABLE_QOS, count=1)


@pytest.mark.launch(fixture=kinova_sim_eval)
def test_kinova_sim_evaluation_moves_the_arm_and_draws_the_predicted_path():
    assert_the_loop_runs()


@pytest.mark.launch(fixture=franka_sim_eval)
def test_franka_sim_evaluation_moves_the_arm_and_draws_the_predicted_path():
    assert_the_loop_runs()
