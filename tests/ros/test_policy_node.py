"""policy_node in its own process, driven over real DDS by the test as robot and cameras."""

import numpy as np
import pytest
import torch
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Path
from std_msgs.msg import Float64

from arm4r_policy.model import ARM4R, ARM4RConfig, Normalizer, save_checkpoint
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import format_stamp, motion_result, stamp_to_ns

from .harness import SensorStream, diagnostics_matching, send_instruction

CAMERAS = ["ego", "side"]
HOME = np.array([0.45, 0.0, 0.43, np.pi, 0.0, np.pi / 2, 0.0])
STARTUP = 20.0  # [s] process start, torch import, checkpoint load and discovery on a busy machine


class Bench:
    """The test's side of the graph: it streams the inputs, plays the motion executor and
    records everything the policy node publishes."""

    def __init__(self, graph) -> None:
        self.graph = graph
        self.targets = graph.record(PoseStamped, topics.TARGET_POSE)
        self.grippers = graph.record(Float64, topics.GRIPPER_COMMAND)
        self.dry_targets = graph.record(PoseStamped, topics.DRY_RUN_TARGET_POSE)
        self.paths = graph.record(Path, topics.PREDICTED_PATH)
        self.diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
        self.stream = SensorStream(graph, CAMERAS, HOME)
        self._results = graph.publisher(DiagnosticStatus, topics.MOTION_RESULT)
        send_instruction(graph, "pick up the yellow cube")

    def finish_motion(self, target: PoseStamped, succeeded: bool = True) -> int:
        """Publishes the motion result for ``target``; returns when it was sent [ns]."""
        sent_ns = self.graph.now_ns()
        stamp_ns = stamp_to_ns(target.header.stamp)
        message = "reached" if succeeded else "joint limit"
        self._results.publish(motion_result(stamp_ns, succeeded, message, "test executor"))
        return sent_ns

    def await_targets(self, count: int, timeout: float) -> bool:
        return self.graph.spin_until(lambda: len(self.targets) >= count, timeout)

    def await_diagnostic(self, level: bytes, *words: str, timeout: float) -> bool:
        return self.graph.spin_until(
            lambda: diagnostics_matching(self.diagnostics, level, *words), timeout
        )


@pytest.fixture
def run_policy(graph, start_node, tiny_checkpoint):
    """``run_policy(**parameters)`` -> (node process, bench) with the inputs streaming."""

    def run(**parameters):
        bench = Bench(graph)
        node = start_node("policy_node", checkpoint=str(tiny_checkpoint), **parameters)
        return node, bench

    return run


def test_a_target_and_its_path_are_sent_then_nothing_until_the_motion_result(graph, run_policy):
    node, bench = run_policy()
    assert bench.await_targets(1, STARTUP), node.output()
    first = bench.targets.messages[0]
    assert first.header.frame_id == "base_link"
    assert graph.spin_until(lambda: bench.paths and bench.grippers, 2.0)
    path = bench.paths.messages[0]
    assert len(path.poses) == 16
    assert path.header == first.header
    assert bench.grippers.messages[0].data in (0.0, 1.0)

    graph.spin_for(1.5)
    assert len(bench.targets) == 1, "a second target was sent before the motion result"

    result_sent_ns = bench.finish_motion(first)
    assert bench.await_targets(2, 5.0), node.output()
    assert stamp_to_ns(bench.targets.messages[1].header.stamp) > result_sent_ns


def test_an_overdue_or_failed_motion_is_reported_and_the_loop_goes_on(run_policy):
    node, bench = run_policy(motion_timeout=0.5)
    assert bench.await_targets(1, STARTUP), node.output()
    overdue = format_stamp(stamp_to_ns(bench.targets.messages[0].header.stamp))
    assert bench.await_diagnostic(DiagnosticStatus.ERROR, "no motion result", overdue, timeout=3.0)
    assert bench.await_targets(2, 3.0), node.output()

    bench.finish_motion(bench.targets.messages[1], succeeded=False)
    assert bench.await_diagnostic(DiagnosticStatus.ERROR, "failed: joint limit", timeout=3.0)
    assert bench.await_targets(3, 3.0), node.output()


def test_a_stopped_camera_is_named_stale_and_targets_resume_with_its_frames(run_policy):
    node, bench = run_policy(staleness_timeout=0.5)
    assert bench.await_targets(1, STARTUP), node.output()
    side = topics.camera_image("side")
    bench.stream.paused.add(side)
    bench.finish_motion(bench.targets.messages[0])

    assert bench.await_diagnostic(DiagnosticStatus.ERROR, side, "old", timeout=5.0), node.output()
    assert len(bench.targets) == 1

    bench.stream.paused.clear()
    assert bench.await_targets(2, 5.0), node.output()


def test_a_target_outside_the_workspace_is_clamped_onto_its_face(run_policy):
    low, high = [0.6, -0.5, 0.0], [0.9, 0.5, 0.8]  # HOME (x = 0.45) lies outside
    node, bench = run_policy(
        workspace_min=low, workspace_max=high, max_translation=1.0, max_rotation=3.2
    )
    assert bench.await_targets(1, STARTUP), node.output()
    position = bench.targets.messages[0].pose.position
    assert position.x == pytest.approx(low[0], abs=1e-12)
    assert low[1] <= position.y <= high[1]
    assert low[2] <= position.z <= high[2]
    assert bench.await_diagnostic(DiagnosticStatus.OK, "clamped into the workspace", timeout=3.0)


def test_a_nan_in_the_end_effector_pose_sends_nothing_and_says_why(graph, run_policy):
    node, bench = run_policy()
    bench.stream.state7[0] = np.nan
    refused = (DiagnosticStatus.ERROR, "observation refused", "finite", "nan")
    assert bench.await_diagnostic(*refused, timeout=STARTUP), node.output()
    graph.spin_for(1.0)
    assert len(bench.targets) == 0
    assert len(bench.grippers) == 0


def test_a_dry_run_publishes_only_on_the_dry_run_topic_and_never_waits(graph, run_policy):
    node, bench = run_policy(dry_run=True, dry_run_rate_hz=5.0)
    three = lambda: len(bench.dry_targets) >= 3 and len(bench.paths) >= 3  # noqa: E731
    assert graph.spin_until(three, STARTUP), node.output()
    assert len(bench.targets) == 0
    assert len(bench.grippers) == 0


def assert_stops_naming(node, parameter: str) -> None:
    code = node.wait_exit(timeout=STARTUP)
    assert code not in (None, 0), node.output()
    fatal = [line for line in node.output().splitlines() if "[FATAL]" in line]
    assert fatal, node.output()
    assert parameter in fatal[-1]


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"workspace_min": [0.9, 0.0, 0.0], "workspace_max": [0.5, 0.5, 0.5]}, "workspace_min"),
        ({"checkpoint": "/nonexistent/checkpoint"}, "checkpoint"),
        ({"camera_names": ["ego"]}, "camera_names"),
        ({"max_translation": 0.0}, "max_translation"),
    ],
)
def test_an_invalid_parameter_stops_the_node_with_its_name(
    start_node, tiny_checkpoint, parameters, named
):
    node = start_node("policy_node", **({"checkpoint": str(tiny_checkpoint)} | parameters))
    assert_stops_naming(node, named)


def test_a_checkpoint_camera_the_node_is_not_given_stops_the_node(start_node, tmp_path):
    torch.manual_seed(0)
    config = ARM4RConfig.tiny(instruction_encoder="hashing-v1-512", camera_names=["side", "front"])
    checkpoint = save_checkpoint(tmp_path / "front", ARM4R(config), Normalizer.identity(10, 10))
    node = start_node("policy_node", checkpoint=str(checkpoint), camera_names=["ego", "side"])
    assert_stops_naming(node, "camera_names")


def test_without_a_motion_executor_no_target_is_sent_and_it_says_so(
    graph, start_node, tiny_checkpoint
):
    diagnostics = graph.record(DiagnosticArray, topics.DIAGNOSTICS)
    paths = graph.record(Path, topics.PREDICTED_PATH)
    SensorStream(graph, CAMERAS, HOME)
    send_instruction(graph, "pick up the yellow cube")
    start_node("policy_node", checkpoint=str(tiny_checkpoint))
    assert graph.spin_until(
        lambda: diagnostics_matching(
            diagnostics, DiagnosticStatus.WARN, "waiting for a motion executor"
        ),
        STARTUP,
    )
    assert not paths


def test_a_repeated_instruction_starts_a_new_episode(run_policy):
    node, bench = run_policy()
    assert bench.await_targets(1, STARTUP)
    send_instruction(bench.graph, "pick up the yellow cube")
    episodes = lambda: node.output().count("new episode, policy reset")  # noqa: E731
    assert bench.graph.spin_until(lambda: episodes() >= 2, 10.0), node.output()
