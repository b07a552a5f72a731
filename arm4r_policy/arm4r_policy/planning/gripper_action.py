"""The gripper through a ``control_msgs/action/GripperCommand`` action server.

ros2_control's ``gripper_action_controller`` serves it; with ros2_kortex and a Robotiq 2F-85 the
action is ``/robotiq_gripper_controller/gripper_cmd`` and its position runs from 0.0 (open) to
0.8 (closed). A normalised closure ``c`` in [0, 1] is sent as
``open_position + c * (closed_position - open_position)``.

The controller aborts a goal whose fingers stall before the position (an object between them)
unless it allows stalling; both that abort and a success mean the fingers have stopped, which is
all a gripper command waits for.

The ROS side stays with the node: it creates the action client on itself and hands it over, so
this module needs no ROS client library; ``control_msgs`` is imported only to build goals.
"""

from __future__ import annotations

import threading
from typing import Any

from arm4r_policy.errors import CommandError, HardwareError

__all__ = [
    "ROBOTIQ_2F85_CLOSED_POSITION",
    "ROBOTIQ_2F85_GRIPPER_ACTION",
    "GripperCommandClient",
    "gripper_goal_position",
    "gripper_result_problem",
]

ROBOTIQ_2F85_GRIPPER_ACTION = "/robotiq_gripper_controller/gripper_cmd"
ROBOTIQ_2F85_CLOSED_POSITION = 0.8
"""ros2_kortex's GripperCommand position of the closed 2F-85 (0.0 is open)."""


def gripper_goal_position(
    closure: float,
    closed_position: float = ROBOTIQ_2F85_CLOSED_POSITION,
    open_position: float = 0.0,
) -> float:
    """The GripperCommand position for a normalised ``closure`` in [0, 1] (0 open)."""
    if not 0.0 <= closure <= 1.0:
        raise CommandError(f"gripper closure = {closure}; expected 0 (open) .. 1 (closed)")
    return open_position + closure * (closed_position - open_position)


def gripper_result_problem(status: int, result: Any) -> str | None:
    """None when a GripperCommand ended with the fingers stopped, else what went wrong.

    Args:
        status: the goal's final ``action_msgs/msg/GoalStatus`` status.
        result: its ``GripperCommand.Result`` (``position``, ``effort``, ``stalled``,
            ``reached_goal``).
    """
    from action_msgs.msg import GoalStatus

    if status == GoalStatus.STATUS_SUCCEEDED:
        return None
    if status == GoalStatus.STATUS_ABORTED and result.stalled:
        return None  # stopped on an object
    names = {
        getattr(GoalStatus, name): name.removeprefix("STATUS_")
        for name in dir(GoalStatus)
        if name.startswith("STATUS_")
    }
    return (
        f"goal {names.get(status, str(status))} at position {result.position:.3f} "
        f"(reached_goal {result.reached_goal}, stalled {result.stalled})"
    )


class GripperCommandClient:
    """Sends GripperCommand goals through a node's action client and waits for their results.

    The node must be spun by an executor on another thread (a ``MultiThreadedExecutor`` whose
    calling callback is in a reentrant group, or a background spin thread): ``command`` blocks
    its caller while responses arrive through that executor.

    Args:
        action_client: the node's ``ActionClient`` for ``control_msgs/action/GripperCommand``,
            e.g. ``ActionClient(node, GripperCommand, ROBOTIQ_2F85_GRIPPER_ACTION)``.
        action_name: the action it was created for, named in errors.
        closed_position, open_position: the action's positions of the closed and open gripper.
        max_effort: the goal's ``max_effort`` [N].
        server_timeout: how long to wait for the action server [s].
        result_timeout: how long to wait for a goal to finish [s]; it is cancelled after.
    """

    def __init__(
        self,
        action_client: Any,
        action_name: str = ROBOTIQ_2F85_GRIPPER_ACTION,
        closed_position: float = ROBOTIQ_2F85_CLOSED_POSITION,
        open_position: float = 0.0,
        max_effort: float = 100.0,
        server_timeout: float = 5.0,
        result_timeout: float = 10.0,
    ) -> None:
        self.closed_position = closed_position
        self.open_position = open_position
        self.max_effort = max_effort
        self.server_timeout = server_timeout
        self.result_timeout = result_timeout
        self._client = action_client
        self.action_name = action_name

    def command(self, closure: float) -> None:
        """Move the fingers to ``closure`` in [0, 1] and return once they have stopped.

        Raises:
            CommandError: ``closure`` is outside [0, 1].
            HardwareError: no server, the goal was rejected, timed out or failed.
        """
        from control_msgs.action import GripperCommand

        position = gripper_goal_position(closure, self.closed_position, self.open_position)
        if not self._client.wait_for_server(timeout_sec=self.server_timeout):
            raise HardwareError(
                f"gripper action {self.action_name}: no server within {self.server_timeout} s"
            )
        goal = GripperCommand.Goal()
        goal.command.position = position
        goal.command.max_effort = self.max_effort
        goal_handle = self._wait(self._client.send_goal_async(goal), self.server_timeout, "goal")
        if not goal_handle.accepted:
            raise HardwareError(
                f"gripper action {self.action_name}: goal position {position:.3f} rejected"
            )
        try:
            response = self._wait(goal_handle.get_result_async(), self.result_timeout, "result")
        except HardwareError:
            goal_handle.cancel_goal_async()
            raise
        problem = gripper_result_problem(response.status, response.result)
        if problem is not None:
            raise HardwareError(
                f"gripper action {self.action_name}: position {position:.3f}: {problem}"
            )

    def _wait(self, future: Any, timeout: float, what: str) -> Any:
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        if not done.wait(timeout):
            raise HardwareError(
                f"gripper action {self.action_name}: no {what} within {timeout} s "
                "(is the node spun by an executor on another thread?)"
            )
        return future.result()
