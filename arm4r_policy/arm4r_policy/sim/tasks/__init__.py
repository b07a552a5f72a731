"""The paper's real-robot task families as simulated tasks (paper appendix E.3, F.3).

A task is one variation of a family in one cell: its instruction, its scene objects, a randomised
start layout, a success predicate worded as the paper words the task, a step limit at 15 Hz
control, and the ground truth a scripted demonstration needs (``Task.goal``)::

    from arm4r_policy.sim import SimCell
    from arm4r_policy.sim.tasks import list_tasks, make_task

    task = make_task("kinova", "push_buttons", "red_then_blue")
    with SimCell(task.workspace.config(), objects=task.objects) as cell:
        task.reset(cell, seed=3)
        ...                      # each control tick: command, step, task.update(cell)
        done = task.success(cell)

See ``registry`` for the task list, ``layout`` for the table regions, and each family's module
for its success predicate and thresholds.
"""

from arm4r_policy.sim.tasks.base import (
    CONTROL_RATE_HZ,
    ButtonTarget,
    Goal,
    GraspTarget,
    Task,
    layout_rng,
)
from arm4r_policy.sim.tasks.layout import (
    FRANKA_WORKSPACE,
    KINOVA_WORKSPACE,
    Layout,
    ObjectPose,
    Workspace,
)
from arm4r_policy.sim.tasks.registry import TASKS, TaskFactory, list_tasks, make_task

__all__ = [
    "CONTROL_RATE_HZ",
    "FRANKA_WORKSPACE",
    "KINOVA_WORKSPACE",
    "TASKS",
    "ButtonTarget",
    "Goal",
    "GraspTarget",
    "Layout",
    "ObjectPose",
    "Task",
    "TaskFactory",
    "Workspace",
    "layout_rng",
    "list_tasks",
    "make_task",
]
