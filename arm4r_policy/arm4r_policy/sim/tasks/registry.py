"""Every simulated task by cell and name, and how to build one.

Kinova (paper Table 2): ``pick_cube`` {yellow, cyan, green}, ``destack`` {yellow, cyan},
``stack`` {yellow_on_cyan, cyan_on_yellow}, ``pick_place`` {spiderman, penguin, pig, basketball},
``push_buttons`` {red, red_then_blue}.

Franka (paper Table 4): ``pick``, ``stack``, ``destack``. The paper names no colours for them, so
they reuse the Kinova cube scene and variations: ``pick`` {yellow, cyan, green}, ``stack``
{yellow_on_cyan, cyan_on_yellow}, ``destack`` {yellow, cyan}, on the Franka table region.
"""

from __future__ import annotations

from dataclasses import dataclass

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.tasks.base import Task
from arm4r_policy.sim.tasks.layout import FRANKA_WORKSPACE, KINOVA_WORKSPACE, Workspace
from arm4r_policy.sim.tasks.pick_cube import PickCube
from arm4r_policy.sim.tasks.pick_place import PickPlace
from arm4r_policy.sim.tasks.push_buttons import PushButtons
from arm4r_policy.sim.tasks.stack import Destack, Stack


@dataclass(frozen=True)
class TaskFactory:
    """A registered task: ``factory(variation)`` builds it."""

    name: str
    task_class: type[Task]
    workspace: Workspace

    @property
    def variations(self) -> tuple[str, ...]:
        return self.task_class.variations

    def __call__(self, variation: str) -> Task:
        return self.task_class(self.name, variation, self.workspace)


def _by_name(*factories: TaskFactory) -> dict[str, TaskFactory]:
    return {factory.name: factory for factory in factories}


TASKS: dict[str, dict[str, TaskFactory]] = {
    "kinova": _by_name(
        TaskFactory("pick_cube", PickCube, KINOVA_WORKSPACE),
        TaskFactory("destack", Destack, KINOVA_WORKSPACE),
        TaskFactory("stack", Stack, KINOVA_WORKSPACE),
        TaskFactory("pick_place", PickPlace, KINOVA_WORKSPACE),
        TaskFactory("push_buttons", PushButtons, KINOVA_WORKSPACE),
    ),
    "franka": _by_name(
        TaskFactory("pick", PickCube, FRANKA_WORKSPACE),
        TaskFactory("stack", Stack, FRANKA_WORKSPACE),
        TaskFactory("destack", Destack, FRANKA_WORKSPACE),
    ),
}
"""Cell -> task name -> factory."""


def make_task(cell: str, task: str, variation: str) -> Task:
    """The task ``task`` / ``variation`` of ``cell``.

    Raises:
        ConfigError: unknown cell, task or variation; the message lists the valid ones.
    """
    if cell not in TASKS:
        raise ConfigError(f"cell {cell!r} is unknown; expected one of {sorted(TASKS)}")
    if task not in TASKS[cell]:
        raise ConfigError(f"{cell} task {task!r} is unknown; expected one of {list(TASKS[cell])}")
    return TASKS[cell][task](variation)


def list_tasks() -> dict[str, dict[str, tuple[str, ...]]]:
    """Cell -> task name -> its variations."""
    return {
        cell: {name: factory.variations for name, factory in tasks.items()}
        for cell, tasks in TASKS.items()
    }
