"""The task interface: one variation of one task family in one cell, and what a demo needs of it.

Use::

    task = make_task("kinova", "stack", "yellow_on_cyan")
    with SimCell(task.workspace.config(), objects=task.objects) as cell:
        task.reset(cell, seed=7)
        for tick in range(task.max_steps):          # control ticks at CONTROL_RATE_HZ
            ...                                     # command the robot, step the physics
            task.update(cell)                       # once per tick: stateful monitors
            if task.success(cell):
                break

A task's objects are fixed at construction (the same for every variation of a family, so one
compiled cell serves them all) and only placed at ``reset``. The episode state (the layout, rest
heights, monitors) lives in the task instance: use one instance per running cell.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from arm4r_policy.errors import CommandError, ConfigError
from arm4r_policy.sim.objects import TaskObject
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.layout import Layout, ObjectPose, Workspace

CONTROL_RATE_HZ = 15.0
"""Control ticks per second: ``max_steps`` and ``update`` count these, not physics steps."""

_LAYOUT_STREAM = 0x1A70
"""Mixed into the episode seed so the layout draws are independent of ``SimCell.reset``'s."""


@dataclass(frozen=True)
class GraspTarget:
    """An object to pick, world frame.

    Attributes:
        name: the object.
        position: (3,) [m] where the TCP closes on it (the centre of a cube).
        closing_axes: unit directions (3,) the jaws may close along, either sign: two for a cube
            (its face normals), one for a toy.
        width: [m] the object's extent along a closing axis.
    """

    name: str
    position: np.ndarray
    closing_axes: tuple[np.ndarray, ...]
    width: float


@dataclass(frozen=True)
class ButtonTarget:
    """A button to push, world frame: ``top`` (3,) [m] the centre of its cap's top face at rest,
    ``travel`` [m] how far the cap sinks (a press counts beyond half of it)."""

    name: str
    top: np.ndarray
    travel: float


@dataclass(frozen=True)
class Goal:
    """Ground truth a scripted demonstration needs, from the current state of the cell.

    Attributes:
        grasp: the object to pick up, or None (push buttons).
        place: (3,) [m] where the TCP should be when it opens: the grasped object then hangs
            ``placing.PLACE_CLEARANCE`` (1 cm) above its target, held as it was grasped; None for
            pick and push.
        presses: the buttons to push, in order; empty for the other families.
        lift: [m] how far above its resting height a picked object must be raised (pick only; 0
            otherwise).
    """

    grasp: GraspTarget | None = None
    place: np.ndarray | None = None
    presses: tuple[ButtonTarget, ...] = ()
    lift: float = 0.0


class Task(ABC):
    """One variation of a task family, in the cell of ``workspace``.

    Subclasses set ``variations`` and ``max_seconds`` and implement the abstract methods; the
    constructor checks the variation and builds the scene objects, placed at the layout of seed 0
    so a cell compiled with them is already a valid scene.

    Args:
        name: the task's registered name (``pick_cube``, ``stack``, ...).
        variation: one of ``variations``.
        workspace: the cell and the table region objects are placed in.
    """

    variations: ClassVar[tuple[str, ...]]
    max_seconds: ClassVar[float]
    """Episode length at which the task counts as failed [s]."""

    def __init__(self, name: str, variation: str, workspace: Workspace) -> None:
        if variation not in self.variations:
            raise ConfigError(
                f"{workspace.cell} task {name!r}: variation {variation!r} is unknown; "
                f"expected one of {list(self.variations)}"
            )
        self.name = name
        self.variation = variation
        self.workspace = workspace
        self._layout: Layout | None = None
        initial = self.sample_layout(layout_rng(0))
        self.objects: tuple[TaskObject, ...] = tuple(
            replace(
                obj,
                position=tuple(initial.poses[obj.name].position),
                quat=tuple(initial.poses[obj.name].quat),
            )
            for obj in self.scene_objects()
        )
        self._start_episode()

    @property
    def max_steps(self) -> int:
        """Control ticks (at ``CONTROL_RATE_HZ``) before the episode counts as failed."""
        return round(self.max_seconds * CONTROL_RATE_HZ)

    @property
    def layout(self) -> Layout:
        """The layout of the current episode."""
        if self._layout is None:
            raise CommandError(f"task {self.name!r} has no episode yet; call reset(cell, seed)")
        return self._layout

    @property
    @abstractmethod
    def instruction(self) -> str:
        """The language instruction of this variation."""

    @abstractmethod
    def scene_objects(self) -> Sequence[TaskObject]:
        """The scene's objects at the origin, independent of the layout."""

    @abstractmethod
    def sample_layout(self, rng: np.random.Generator) -> Layout:
        """A random start layout: a pure function of ``rng``'s state."""

    @abstractmethod
    def success(self, cell: SimCell) -> bool:
        """Whether the task is done, from the cell's state and what ``update`` accumulated."""

    @abstractmethod
    def goal(self, cell: SimCell) -> Goal:
        """What a scripted demonstration must do, from the current state of the cell."""

    def reset(self, cell: SimCell, seed: int, home_noise: float = 0.0) -> Layout:
        """Start an episode: ``cell.reset(seed, home_noise)``, then the objects at the layout of
        ``seed`` and the monitors cleared. The same seed gives the same start state. The cell may
        hold objects besides the task's; those stay where ``cell.reset`` puts them.
        """
        missing = sorted({obj.name for obj in self.objects} - set(cell.objects))
        if missing or cell.config.name != self.workspace.cell:
            raise CommandError(
                f"task {self!r} needs the {self.workspace.cell} cell with its objects; got the "
                f"{cell.config.name} cell without {missing}: build it with "
                "SimCell(task.workspace.config(), objects=task.objects)"
            )
        cell.reset(seed, home_noise)
        layout = self.sample_layout(layout_rng(seed))
        for name, pose in layout.poses.items():
            cell.set_object_pose(name, pose.position, pose.quat)
        self._layout = layout
        self._start_episode()
        return layout

    def _start_episode(self) -> None:  # noqa: B027 - optional hook
        """Clear the episode monitors (``update``'s state)."""

    def update(self, cell: SimCell) -> None:  # noqa: B027 - optional hook
        """Advance the stateful monitors; call once per control tick, after stepping the physics."""

    def rest_pose(self, name: str) -> ObjectPose:
        """Where object ``name`` started this episode (world frame)."""
        return self.layout.poses[name]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.workspace.cell}/{self.name}/{self.variation})"


def layout_rng(seed: int) -> np.random.Generator:
    """The generator ``Task.reset`` draws the layout of episode ``seed`` from."""
    return np.random.default_rng([_LAYOUT_STREAM, seed])
