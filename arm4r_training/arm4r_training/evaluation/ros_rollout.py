"""One evaluation episode through the ROS graph: reset sim_node, count the policy's motions, judge.

``RosRollout`` is the evaluating process's node in the graph's DDS domain, with an rclpy context
of its own spun on the calling thread. An episode of seed ``s``:

1. ``/arm4r/sim/reset`` starts sim_node's next seed, which must be ``s``; sim_node publishes the
   instruction (latched) and the policy node resets on it. The reset follows the previous
   episode's last motion result at once, while the bridge is idle (the first episode's follows
   ``wait_until_ready``).
2. Each motion result on ``/arm4r/motion_result`` for a target stamped after the reset was asked
   for is one policy step (a target's stamp is that of the frame it was computed from; earlier
   targets belong to the previous episode). An OK result is a completed motion, any other a
   refused or failed one, counted as a planning refusal: ``max_consecutive_refusals`` of them in
   a row end the episode as ``planning_refused`` with the bridge's reason.
3. After each step ``/arm4r/sim/success`` says whether the task has succeeded; ``max_steps``
   steps without success end the episode as a ``timeout``.

Unlike in process, the graph runs on while this node judges: the success check follows a motion
result by milliseconds, in which the next motion may have begun. The policy node applies the
safety layer itself and sends nothing for a refused target, so ``safety_refusals`` and
``safety_adjusted`` stay 0; a policy whose targets are all refused, like any graph that stops
moving, ends the episode as ``stalled`` after ``stall_timeout`` without a motion result, the
detail quoting the policy node's last diagnostic. ``sim_seconds`` is the episode's duration on
the ROS clock times sim_node's ``real_time_factor``, the pace of its physics. A node that exits,
a service that does not answer or a seed out of turn raises ``GraphError``: then the graph, not
the episode, has failed.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.client import Client
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions
from std_srvs.srv import Trigger

from arm4r_policy.collect.ros_robot import episode_seed
from arm4r_policy.errors import ObservationError
from arm4r_policy.nodes import topics
from arm4r_policy.nodes.conversions import motion_result_target_ns
from arm4r_policy.nodes.node_processes import dds_settings
from arm4r_training.evaluation.rollout import PLANNING_REFUSED, STALLED, TIMEOUT, EpisodeResult
from arm4r_training.evaluation.ros_graph import POLICY_NODE, GraphError

NODE_NAME = "arm4r_eval"
SERVICE_TIMEOUT = 10.0  # [s] for a sim_node service to answer
SPIN_PERIOD = 0.05  # [s] longest wait for one callback
CHECK_PERIOD = 0.5  # [s] between checks that every node still runs


@dataclass(frozen=True)
class _MotionResult:
    target_ns: int
    completed: bool
    message: str


@contextmanager
def _environment(settings: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` holds ``settings`` inside the block."""
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class RosRollout:
    """Runs episodes through the graph of ``domain_id``; a context manager that leaves it.

    Args:
        domain_id: the graph's DDS domain.
        fastdds_profile: the Fast DDS profile of the graph's nodes.
        max_steps: policy steps before an episode times out.
        max_consecutive_refusals: refused or failed motions in a row that end an episode.
        real_time_factor: sim_node's simulated seconds per wall-clock second.
        check_graph: raises when a node of the graph has exited; called while waiting.
        stall_timeout: [s] longest wait for a motion result.
    """

    def __init__(
        self,
        domain_id: int,
        fastdds_profile: Path,
        max_steps: int,
        max_consecutive_refusals: int,
        real_time_factor: float,
        check_graph: Callable[[], None],
        stall_timeout: float,
    ) -> None:
        self.max_steps, self.max_consecutive_refusals = max_steps, max_consecutive_refusals
        self.real_time_factor, self.check_graph = real_time_factor, check_graph
        self.stall_timeout = stall_timeout
        self.context = Context()
        # This process's participant joins with the nodes' discovery range and transports.
        with _environment(dds_settings(domain_id, fastdds_profile)):
            rclpy.init(
                context=self.context,
                domain_id=domain_id,
                signal_handler_options=SignalHandlerOptions.NO,
            )
            try:
                self.node = rclpy.create_node(NODE_NAME, context=self.context)
            except BaseException:
                rclpy.try_shutdown(context=self.context)
                raise
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.reset = self.node.create_client(Trigger, topics.SIM_RESET)
        self.success = self.node.create_client(Trigger, topics.SIM_SUCCESS)
        self._results: deque[_MotionResult] = deque()
        self._policy_status = f"{POLICY_NODE} sent no diagnostics"
        reliable = topics.RELIABLE_QOS
        self.node.create_subscription(
            DiagnosticStatus, topics.MOTION_RESULT, self._on_result, reliable
        )
        self.node.create_subscription(
            DiagnosticArray, topics.DIAGNOSTICS, self._on_diagnostics, reliable
        )

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)

    def __enter__(self) -> RosRollout:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def wait_until_ready(self, timeout: float) -> None:
        """Return once sim_node serves, the policy node publishes targets and the bridge
        executes them; ``GraphError`` naming what is missing after ``timeout`` [s]."""
        if not self._spin_until(lambda: not self._missing(), timeout):
            missing = "; ".join(self._missing())
            raise GraphError(f"the graph was not up within {timeout:.0f} s: {missing}")

    def run(self, seed: int) -> EpisodeResult:
        """The episode of ``seed``; see the module docstring."""
        started, start_ns = time.perf_counter(), self._now_ns()
        reached = episode_seed(self._call(self.reset).message)
        if reached != seed:
            raise GraphError(f"sim_node started the episode of seed {reached}; expected {seed}")
        steps = refusals = refusals_in_a_row = 0
        success, failure, detail = False, None, ""
        while not success and failure is None:
            result = self._next_result(start_ns)
            if result is None:
                failure = STALLED
                detail = (
                    f"no motion result within {self.stall_timeout:.0f} s after {steps} steps; "
                    f"last {self._policy_status}"
                )
                break
            steps += 1
            refusals_in_a_row = 0 if result.completed else refusals_in_a_row + 1
            refusals += not result.completed
            success = self._call(self.success).success
            if success:
                break
            if refusals_in_a_row >= self.max_consecutive_refusals:
                failure, detail = PLANNING_REFUSED, result.message
            elif steps >= self.max_steps:
                failure, detail = TIMEOUT, f"not solved within {self.max_steps} steps"
        return EpisodeResult(
            seed=seed,
            success=success,
            steps=steps,
            failure=failure,
            detail=detail,
            planning_refusals=refusals,
            safety_refusals=0,
            safety_adjusted=0,
            sim_seconds=self.real_time_factor * (self._now_ns() - start_ns) / 1e9,
            wall_seconds=time.perf_counter() - started,
        )

    def _missing(self) -> list[str]:
        """What of the graph this node has not yet discovered."""
        node = self.node
        ready = {
            f"sim_node's {topics.SIM_RESET}": self.reset.service_is_ready(),
            f"sim_node's {topics.SIM_SUCCESS}": self.success.service_is_ready(),
            f"{POLICY_NODE}'s {topics.TARGET_POSE}": node.count_publishers(topics.TARGET_POSE) > 0,
            f"reader of {topics.TARGET_POSE}": node.count_subscribers(topics.TARGET_POSE) > 0,
            f"writer of {topics.MOTION_RESULT}": node.count_publishers(topics.MOTION_RESULT) > 0,
        }
        return [f"no {what}" for what, found in ready.items() if not found]

    def _next_result(self, after_ns: int) -> _MotionResult | None:
        """The next motion result for a target stamped after ``after_ns``; None when none came
        within ``stall_timeout``."""

        def arrived() -> bool:
            while self._results and self._results[0].target_ns <= after_ns:
                self._results.popleft()
            return bool(self._results)

        return self._results.popleft() if self._spin_until(arrived, self.stall_timeout) else None

    def _call(self, client: Client) -> Trigger.Response:
        future = client.call_async(Trigger.Request())
        if not self._spin_until(future.done, SERVICE_TIMEOUT):
            client.remove_pending_request(future)
            raise GraphError(f"{client.srv_name} did not answer within {SERVICE_TIMEOUT:.0f} s")
        return future.result()

    def _spin_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Spin until ``done()``, checking the graph meanwhile; False after ``timeout`` [s]."""
        next_check = time.monotonic()
        end = next_check + timeout
        while not done():
            now = time.monotonic()
            if now > end:
                return False
            if now >= next_check:
                self.check_graph()
                next_check = now + CHECK_PERIOD
            self.executor.spin_once(timeout_sec=SPIN_PERIOD)
        return True

    def _now_ns(self) -> int:
        return self.node.get_clock().now().nanoseconds

    def _on_result(self, status: DiagnosticStatus) -> None:
        try:
            target_ns = motion_result_target_ns(status)
        except ObservationError as error:
            self.node.get_logger().warning(f"ignored on {topics.MOTION_RESULT}: {error}")
            return
        completed = status.level == DiagnosticStatus.OK
        self._results.append(_MotionResult(target_ns, completed, status.message))

    def _on_diagnostics(self, array: DiagnosticArray) -> None:
        for status in array.status:
            if status.name.startswith(f"{POLICY_NODE}:"):
                self._policy_status = f"{status.name}: {status.message}"
