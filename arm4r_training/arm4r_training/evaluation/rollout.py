"""One evaluation episode: a policy drives a simulated arm until its task succeeds or time runs out.

One policy step is one control step; the paper executes the first of the 16 predicted targets and
then observes again. Each step:

1. observe: the policy's cameras rendered square at its image size, and the 7-D state (TCP xyz
   [m] + Euler XYZ [rad] in the robot base frame, measured gripper closure);
2. ``policy.step`` gives the chunk (16, 7) and the target (7,) to execute now;
3. the target passes the safety layer (``guard_target`` with the task's
   ``workspace_safety_limits``), becomes a (4, 4) TCP pose in the base frame and
   ``SimRobot.move_linear`` takes the TCP there in a straight line;
4. the gripper is commanded when the binary command (closed above one half) changes, after the
   motion; the first time it closes, where the TCP is relative to the task's grasp point is kept
   (``EpisodeResult.grasp_offset``);
5. the task's success predicate is checked. Its monitors need no call here: ``SimRobot`` advances
   them at every control tick of simulated time while the arm moves.

A step the safety layer or the planner refuses moves nothing, the gripper included;
``max_consecutive_refusals`` refusals in a row end the episode as failed with the last reason.
An episode still unsolved after ``max_steps`` steps is a timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

import numpy as np

from arm4r_policy.errors import ConfigError, PlanningError
from arm4r_policy.runtime.policy import PolicyOutput
from arm4r_policy.runtime.robot import Observation
from arm4r_policy.runtime.safety import guard_target
from arm4r_policy.sim.robot import SimRobot
from arm4r_policy.sim.transforms import transform_points, xyz_euler_to_pose
from arm4r_training.evaluation.safety_box import WorkspaceMargins, workspace_safety_limits

TIMEOUT = "timeout"
PLANNING_REFUSED = "planning_refused"
SAFETY_REFUSED = "safety_refused"
STALLED = "stalled"
FAILURE_KINDS = (TIMEOUT, PLANNING_REFUSED, SAFETY_REFUSED, STALLED)
"""Why an episode failed: out of steps, too many refusals in a row by the planner / safety, or
(through the ROS graph, ``ros_rollout``) no motion for too long."""

GRIPPER_CLOSED_ABOVE = 0.5
"""A gripper command above this closes the gripper, at or below it opens it."""


class StepPolicy(Protocol):
    """What a rollout drives: ``arm4r_policy.runtime.policy.Policy``, or anything with its
    ``reset`` and ``step``."""

    def reset(self) -> None:
        """Forget the previous episode."""
        ...

    def step(
        self, images: Sequence[np.ndarray], state: np.ndarray, instruction: str
    ) -> PolicyOutput:
        """(H, W, 3) uint8 frames in the policy's camera order, the (7,) state, the task text."""
        ...


StepHook = Callable[[int, PolicyOutput], None]
"""Called with the step index (from 0) and the policy's output, before the target is executed."""


@dataclass(frozen=True)
class RolloutSettings:
    """How episodes are run.

    Attributes:
        camera_names: the cell cameras feeding the policy's input slots, in order.
        image_size: [px] side of the square frames rendered for the policy.
        max_steps: policy steps before an episode times out; None: the task's ``max_steps``.
        max_consecutive_refusals: refused steps in a row that end an episode.
        margins: the safety box around the task's region and the per-step motion limits.
    """

    camera_names: tuple[str, ...]
    image_size: int
    max_steps: int | None = None
    max_consecutive_refusals: int = 5
    margins: WorkspaceMargins = field(default_factory=WorkspaceMargins)

    def __post_init__(self) -> None:
        object.__setattr__(self, "camera_names", tuple(self.camera_names))
        if not self.camera_names or len(set(self.camera_names)) != len(self.camera_names):
            raise ConfigError(
                f"RolloutSettings.camera_names = {list(self.camera_names)}; expected at least "
                "one camera, each once"
            )
        if self.image_size < 1:
            raise ConfigError(f"RolloutSettings.image_size = {self.image_size}; expected >= 1 px")
        if self.max_steps is not None and self.max_steps < 1:
            raise ConfigError(f"RolloutSettings.max_steps = {self.max_steps}; expected >= 1")
        if self.max_consecutive_refusals < 1:
            raise ConfigError(
                f"RolloutSettings.max_consecutive_refusals = {self.max_consecutive_refusals}; "
                "expected >= 1"
            )


@dataclass(frozen=True)
class EpisodeResult:
    """How one episode went.

    Attributes:
        seed: the episode seed (layout and start pose).
        success: the task's predicate held after a step.
        steps: policy steps taken.
        failure: None on success, else one of ``FAILURE_KINDS``.
        detail: why it failed, in words (the planner's or the safety layer's reason); '' on
            success.
        planning_refusals: steps whose motion the planner refused.
        safety_refusals: steps the safety layer refused.
        safety_adjusted: executed steps the safety layer clamped or shortened.
        sim_seconds: simulated time the episode took [s].
        wall_seconds: wall-clock time it took [s], rendering and inference included.
        grasp_offset: (x, y, z) [m] TCP minus the task's grasp point (the centre of the object to
            pick), base frame, when the gripper first closed; None when it never closed, the
            task picks nothing, or the episode ran through the ROS graph (``ros_rollout``, which
            does not see the scene). Tells a policy that closes in the wrong place from one that
            never closes.
    """

    seed: int
    success: bool
    steps: int
    failure: str | None
    detail: str
    planning_refusals: int
    safety_refusals: int
    safety_adjusted: int
    sim_seconds: float
    wall_seconds: float
    grasp_offset: tuple[float, float, float] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _StepOutcome:
    refusal: str | None = None  # PLANNING_REFUSED or SAFETY_REFUSED when nothing moved
    detail: str = ""
    adjusted: bool = False


@dataclass
class _Tally:
    steps: int = 0
    planning_refusals: int = 0
    safety_refusals: int = 0
    safety_adjusted: int = 0
    refusals_in_a_row: int = 0

    def count(self, outcome: _StepOutcome) -> None:
        self.steps += 1
        self.planning_refusals += outcome.refusal == PLANNING_REFUSED
        self.safety_refusals += outcome.refusal == SAFETY_REFUSED
        self.safety_adjusted += outcome.adjusted
        self.refusals_in_a_row = self.refusals_in_a_row + 1 if outcome.refusal else 0


class Rollout:
    """Runs episodes of a policy on ``robot``, a ``SimRobot`` with a task.

    Args:
        robot: the simulated arm; its task defines the scene, the instruction, success and the
            safety box.
        settings: cameras, image size, step and refusal limits.

    Raises:
        ConfigError: the robot has no task, or a camera of the settings is not in the cell.
    """

    def __init__(self, robot: SimRobot, settings: RolloutSettings) -> None:
        if robot.task is None:
            raise ConfigError("Rollout: the SimRobot has no task; build it with one")
        unknown = [name for name in settings.camera_names if name not in robot.camera_names]
        if unknown:
            raise ConfigError(
                f"Rollout: cameras {unknown} are not in the {robot.cell_name} cell; its cameras "
                f"are {list(robot.camera_names)}"
            )
        self.robot, self.task, self.settings = robot, robot.task, settings
        self.limits = workspace_safety_limits(self.task.workspace, settings.margins)
        self.max_steps = settings.max_steps or self.task.max_steps
        self._gripper_closed = False
        self._grasp_offset: tuple[float, float, float] | None = None

    def run(self, policy: StepPolicy, seed: int, on_step: StepHook | None = None) -> EpisodeResult:
        """One episode from the start state of ``seed``; see the module docstring."""
        started = time.perf_counter()
        self.robot.home(seed)
        policy.reset()
        self._gripper_closed = False
        self._grasp_offset = None
        start_time = self.robot.time
        tally = _Tally()
        success = gave_up = False
        while tally.steps < self.max_steps and not (success or gave_up):
            observation = self.robot.observe(image_size=(self.settings.image_size,) * 2)
            output = policy.step(
                [observation.images[name] for name in self.settings.camera_names],
                observation.proprio,
                self.task.instruction,
            )
            if on_step is not None:
                on_step(tally.steps, output)
            last = self._execute(observation, output.target)
            tally.count(last)
            success = self.task.success(self.robot.cell)
            gave_up = tally.refusals_in_a_row >= self.settings.max_consecutive_refusals
        if success:
            failure, detail = None, ""
        elif gave_up:
            failure, detail = last.refusal, last.detail
        else:
            failure, detail = TIMEOUT, f"not solved within {self.max_steps} steps"
        return EpisodeResult(
            seed=seed,
            success=success,
            steps=tally.steps,
            failure=failure,
            detail=detail,
            planning_refusals=tally.planning_refusals,
            safety_refusals=tally.safety_refusals,
            safety_adjusted=tally.safety_adjusted,
            sim_seconds=self.robot.time - start_time,
            wall_seconds=time.perf_counter() - started,
            grasp_offset=self._grasp_offset,
        )

    def _offset_from_grasp_point(self) -> tuple[float, float, float] | None:
        """TCP minus the grasp point of the task's goal now [m], base frame; None: no grasp."""
        cell = self.robot.cell
        grasp = self.task.goal(cell).grasp
        if grasp is None:
            return None
        offset = cell.tcp_pose[:3, 3] - transform_points(cell.base_from_world, grasp.position)
        return tuple(float(value) for value in offset)

    def _execute(self, observation: Observation, target: np.ndarray) -> _StepOutcome:
        """Guard ``target`` (7,), move to it and set the gripper; or refuse and hold."""
        age = self.robot.time - observation.time  # 0 in simulation: time stands while inferring
        decision = guard_target(self.limits, observation.proprio, target, {"observation": age})
        if not decision.allowed:
            return _StepOutcome(SAFETY_REFUSED, decision.refusal)
        safe = decision.target
        try:
            self.robot.move_linear(xyz_euler_to_pose(safe[:6]))
        except PlanningError as refusal:
            return _StepOutcome(PLANNING_REFUSED, str(refusal))
        closed = bool(safe[6] > GRIPPER_CLOSED_ABOVE)
        if closed != self._gripper_closed:
            self.robot.set_gripper(float(closed))
            self._gripper_closed = closed
            if closed and self._grasp_offset is None:
                self._grasp_offset = self._offset_from_grasp_point()
        return _StepOutcome(adjusted=bool(decision.adjustments))
