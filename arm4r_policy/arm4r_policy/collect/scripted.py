"""Procedural, teleop-free demonstrations of the task families (paper appendix E.2).

The paper: "we give the ground truth locations of all objects on the table, and procedurally
generate task objectives, demonstrations, and accompanying task instruction labels. Domain
randomization is applied to diversify robot home position, grasping approach trajectory, and
target pose." Each episode starts at home and ends after the release (or the pick) and a lift
(appendix E.3). The home position is the robot's to randomise (``Robot.home``); the approach and
the targets are drawn here (``DemoRandomization``).

A procedure talks to nothing but a ``Robot`` (blocking linear motions and gripper commands, with
the recorder as sampler) and the task's ``Goal`` expressed in the robot base frame, so the same
code can drive a real arm once an operator gives the object poses::

    targets = targets_in_base(task.goal(cell), cell.base_from_world)
    run_demo(robot, targets, np.random.default_rng(seed), DemoSettings(0.019), recorder)

``DemoSettings`` holds what the procedure must know of the gripper (how far its closed fingertips
reach past the TCP, for pressing) and the randomisation ranges.

The family follows from the goal: buttons to press (push buttons), an object and a place
(stack, destack, pick & place), or an object alone (pick). Every family is built from four verbs
over a ``ScriptedArm``: ``grasp``, ``raise_by``, ``place`` and ``press``.

Orientation: the TCP points down (its approach axis z along -up) and the jaws (its y axis) close
along one of the grasp's closing axes, of either sign, whichever needs the smallest turn about the
vertical from the current orientation: the planner refuses wrist flips, and the smallest turn is
at most 45 deg for a cube and 90 deg for a toy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.pose import quat_xyzw_to_matrix
from arm4r_policy.runtime.robot import Robot, Sampler
from arm4r_policy.sim.tasks.base import ButtonTarget, Goal, GraspTarget
from arm4r_policy.sim.transforms import make_pose, transform_points, xyz_euler_to_pose

OPEN, CLOSED = 0.0, 1.0
"""Gripper closure commands."""
LIFT_MARGIN = 0.02
"""[m] a pick lifts the object at least this much more than the task's ``Goal.lift``."""
WORLD_UP = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class DemoTargets:
    """A task's ``Goal`` in the robot base frame, and which way is up there.

    Attributes:
        up: (3,) unit vector against gravity, base frame.
        grasp: the object to pick (position and closing axes in the base frame), or None.
        place: (3,) [m] where the TCP releases the object, base frame, or None.
        presses: the buttons to push in order (cap tops in the base frame).
        lift: [m] how far a picked object must be raised (pick only).
    """

    up: np.ndarray
    grasp: GraspTarget | None = None
    place: np.ndarray | None = None
    presses: tuple[ButtonTarget, ...] = ()
    lift: float = 0.0


def targets_in_base(goal: Goal, base_from_world: np.ndarray) -> DemoTargets:
    """``goal`` (world frame) expressed in the base frame by ``base_from_world`` (4, 4)."""
    rotation = base_from_world[:3, :3]

    def point(position: np.ndarray) -> np.ndarray:
        return transform_points(base_from_world, position)

    grasp = goal.grasp
    if grasp is not None:
        axes = tuple(rotation @ axis for axis in grasp.closing_axes)
        grasp = replace(grasp, position=point(grasp.position), closing_axes=axes)
    return DemoTargets(
        up=rotation @ WORLD_UP,
        grasp=grasp,
        place=None if goal.place is None else point(goal.place),
        presses=tuple(replace(button, top=point(button.top)) for button in goal.presses),
        lift=goal.lift,
    )


@dataclass(frozen=True)
class DemoRandomization:
    """Ranges of the per-episode randomisation; ``(low, high)`` pairs are drawn uniformly.

    Attributes:
        approach_height: [m] above a grasp, place or button point at which the TCP arrives
            before going straight to it.
        approach_offset: [m] largest horizontal offset of that approach point, so the last
            stretch comes in at a slant.
        yaw_jitter: [rad] largest extra turn of the gripper about the vertical.
        lift_height: [m] how far a grasped object is raised, and the TCP after a release or the
            last press; high enough to carry a toy over the tallest one (12 cm).
        place_offset: [m] largest horizontal offset of the release point from ``Goal.place``.
        press_fraction: how deep a button is pushed, as a fraction of its travel (a press
            counts beyond one half; the cap stops at one).
    """

    approach_height: tuple[float, float] = (0.10, 0.15)
    approach_offset: float = 0.01
    yaw_jitter: float = np.radians(4.0)
    lift_height: tuple[float, float] = (0.13, 0.17)
    place_offset: float = 0.005
    press_fraction: tuple[float, float] = (0.65, 0.85)

    def __post_init__(self) -> None:
        for name in ("approach_height", "lift_height", "press_fraction"):
            low, high = getattr(self, name)
            if not 0.0 < low <= high:
                raise ConfigError(
                    f"DemoRandomization.{name} = {(low, high)}; expected 0 < low <= high"
                )
        if not 0.5 < self.press_fraction[0] <= self.press_fraction[1] < 1.0:
            raise ConfigError(
                f"DemoRandomization.press_fraction = {self.press_fraction}; expected within "
                "(0.5, 1): past the press threshold, short of the end stop"
            )
        for name in ("approach_offset", "yaw_jitter", "place_offset"):
            if not getattr(self, name) >= 0.0:
                raise ConfigError(
                    f"DemoRandomization.{name} = {getattr(self, name)}; expected >= 0"
                )


@dataclass(frozen=True)
class DemoSettings:
    """What a procedure needs to know besides the goal.

    Attributes:
        fingertip_depth: [m] how far the closed fingertips reach beyond the TCP along the
            approach axis (half a finger pad's length); presses push with them.
        randomization: the per-episode randomisation ranges.
    """

    fingertip_depth: float
    randomization: DemoRandomization = field(default_factory=DemoRandomization)

    def __post_init__(self) -> None:
        if not 0.0 <= self.fingertip_depth < 0.1:
            raise ConfigError(
                f"DemoSettings.fingertip_depth = {self.fingertip_depth}; expected in [0, 0.1) m"
            )


def rotation_about(axis: np.ndarray, angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` [rad] about the unit vector ``axis`` (3,)."""
    half = 0.5 * angle
    return quat_xyzw_to_matrix(np.r_[np.sin(half) * np.asarray(axis), np.cos(half)])


def pointing_down(
    rotation: np.ndarray, up: np.ndarray, jaw_axes: Sequence[np.ndarray] = (), yaw: float = 0.0
) -> np.ndarray:
    """The TCP orientation (3, 3) closest to ``rotation`` that points down and closes along a jaw
    axis.

    ``rotation`` is first tilted the least that puts its approach axis (z) along ``-up``, then
    turned about ``up`` by the smallest angle that puts its jaw axis (y) along one of
    ``jaw_axes`` (3,) of either sign (none: no turn), then by ``yaw`` [rad] more.
    """
    approach, down = rotation[:, 2], -np.asarray(up)
    tilt = np.cross(approach, down)
    sine = np.linalg.norm(tilt)
    # Pointing straight up, any axis across the approach tilts it down.
    tilt_axis = tilt / sine if sine > 1e-9 else rotation[:, 0]
    level = rotation_about(tilt_axis, np.arctan2(sine, approach @ down)) @ rotation
    jaw = level[:, 1]
    turns = [
        np.arctan2(up @ np.cross(jaw, sign * axis), jaw @ (sign * axis))
        for axis in jaw_axes
        for sign in (1.0, -1.0)
    ]
    turn = min(turns, key=abs, default=0.0)
    return rotation_about(up, turn + yaw) @ level


class ScriptedArm:
    """The robot as a procedure drives it: the last commanded TCP pose, the sampler every motion
    is recorded by, the way up, and the episode's randomisation.

    Args:
        robot: the arm, at its start pose.
        up: (3,) unit vector against gravity, base frame.
        rng: the episode's randomisation source.
        settings: the gripper's fingertip depth and the randomisation ranges.
        sampler: called during every motion (the recorder), or None.
    """

    def __init__(
        self,
        robot: Robot,
        up: np.ndarray,
        rng: np.random.Generator,
        settings: DemoSettings,
        sampler: Sampler | None = None,
    ) -> None:
        self.robot, self.rng, self.sampler = robot, rng, sampler
        self.up = np.asarray(up, dtype=float)
        self.fingertip_depth = settings.fingertip_depth
        self.randomization = settings.randomization
        self.pose = xyz_euler_to_pose(robot.observe().ee_pose)
        across = np.cross(self.up, [1.0, 0.0, 0.0])
        if np.linalg.norm(across) < 1e-6:
            across = np.cross(self.up, [0.0, 1.0, 0.0])
        self._horizontal = across / np.linalg.norm(across)

    @property
    def position(self) -> np.ndarray:
        """(3,) [m] the TCP position of the last motion, base frame."""
        return self.pose[:3, 3].copy()

    @property
    def rotation(self) -> np.ndarray:
        """(3, 3) the TCP orientation of the last motion, base frame."""
        return self.pose[:3, :3].copy()

    def move_to(self, position: np.ndarray, rotation: np.ndarray | None = None) -> None:
        """Straight to ``position`` (3,) [m], turning to ``rotation`` (3, 3) or keeping the
        current orientation."""
        target = make_pose(self.rotation if rotation is None else rotation, position)
        self.robot.move_linear(target, self.sampler)
        self.pose = target

    def grip(self, closure: float) -> None:
        self.robot.set_gripper(closure, self.sampler)

    def raise_by(self, height: float) -> None:
        """Straight up by ``height`` [m]."""
        self.move_to(self.position + height * self.up)

    def draw(self, bounds: tuple[float, float]) -> float:
        """A uniform draw from ``bounds`` (low, high)."""
        return float(self.rng.uniform(*bounds))

    def horizontal_offset(self, radius: float) -> np.ndarray:
        """(3,) [m] a uniform draw from the horizontal disc of ``radius``."""
        angle, distance = self.rng.uniform(0.0, 2 * np.pi), radius * np.sqrt(self.rng.uniform())
        return distance * rotation_about(self.up, angle) @ self._horizontal

    def approach_point(self, point: np.ndarray, clearance: float = 0.0) -> np.ndarray:
        """(3,) [m] a random point above ``point`` from which to go straight to it, ``clearance``
        [m] added to the drawn approach height."""
        settings = self.randomization
        height = clearance + self.draw(settings.approach_height)
        return point + height * self.up + self.horizontal_offset(settings.approach_offset)

    def downward(self, jaw_axes: Sequence[np.ndarray] = ()) -> np.ndarray:
        """(3, 3) ``pointing_down`` from the current orientation, with a random yaw jitter."""
        jitter = self.randomization.yaw_jitter
        return pointing_down(self.rotation, self.up, jaw_axes, self.rng.uniform(-jitter, jitter))


def grasp(arm: ScriptedArm, target: GraspTarget) -> None:
    """From above at a slant, down to the grasp point, jaws across ``target``, and close."""
    rotation = arm.downward(target.closing_axes)
    arm.move_to(arm.approach_point(target.position), rotation)
    arm.move_to(target.position)
    arm.grip(CLOSED)


def place(arm: ScriptedArm, point: np.ndarray) -> None:
    """Carry the held object above ``point`` (3,) [m], down to it (off by a small random offset),
    and open."""
    spot = point + arm.horizontal_offset(arm.randomization.place_offset)
    arm.move_to(arm.approach_point(spot))
    arm.move_to(spot)
    arm.grip(OPEN)


def press(arm: ScriptedArm, button: ButtonTarget) -> None:
    """Closed fingertips from above onto the cap, pushing it past half its travel, and back up."""
    depth = arm.draw(arm.randomization.press_fraction) * button.travel
    above = arm.approach_point(button.top, clearance=arm.fingertip_depth)
    arm.move_to(above, arm.downward())
    arm.move_to(button.top + (arm.fingertip_depth - depth) * arm.up)
    arm.move_to(above)


def pick(arm: ScriptedArm, targets: DemoTargets) -> None:
    """Grasp the object and lift it by more than ``targets.lift``."""
    grasp(arm, targets.grasp)
    arm.raise_by(max(arm.draw(arm.randomization.lift_height), targets.lift + LIFT_MARGIN))


def pick_and_place(arm: ScriptedArm, targets: DemoTargets) -> None:
    """Grasp the object, lift it, put it down at ``targets.place``, release and lift the TCP."""
    grasp(arm, targets.grasp)
    arm.raise_by(arm.draw(arm.randomization.lift_height))
    place(arm, targets.place)
    arm.raise_by(arm.draw(arm.randomization.lift_height))


def push_buttons(arm: ScriptedArm, targets: DemoTargets) -> None:
    """Close the gripper, press every button in order, and lift the TCP."""
    arm.grip(CLOSED)
    for button in targets.presses:
        press(arm, button)
    arm.raise_by(arm.draw(arm.randomization.lift_height))


def run_demo(
    robot: Robot,
    targets: DemoTargets,
    rng: np.random.Generator,
    settings: DemoSettings,
    sampler: Sampler | None = None,
) -> None:
    """Perform the demonstration ``targets`` call for, from the robot's start pose.

    Args:
        robot: the arm, homed.
        targets: the goal in the base frame (``targets_in_base``).
        rng: the episode's randomisation source (seed it from the episode seed to replay).
        settings: the gripper's fingertip depth and the randomisation ranges.
        sampler: called during every motion (the recorder), or None.

    Raises:
        ConfigError: ``targets`` names neither buttons nor an object to grasp.
        ARM4RError: a motion was refused (``PlanningError``) or failed; the robot stops there.
    """
    arm = ScriptedArm(robot, targets.up, rng, settings, sampler)
    if targets.presses:
        push_buttons(arm, targets)
    elif targets.grasp is not None and targets.place is not None:
        pick_and_place(arm, targets)
    elif targets.grasp is not None:
        pick(arm, targets)
    else:
        raise ConfigError("demo targets name no button and no object to grasp; nothing to do")
