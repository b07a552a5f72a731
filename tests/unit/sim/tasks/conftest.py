"""Compiled cells shared by a test module: one per (cell, task), since a task's variations share
their objects."""

import pytest

from arm4r_policy.sim import SimCell
from arm4r_policy.sim.tasks import TASKS, list_tasks, make_task

ALL_VARIATIONS = [
    (cell, task, variation)
    for cell, tasks in list_tasks().items()
    for task, variations in tasks.items()
    for variation in variations
]
"""Every registered (cell, task, variation)."""


@pytest.fixture(scope="module")
def task_cell():
    """``task_cell(cell, task, variation, extra_objects=())`` -> (task, SimCell), cells cached."""
    opened = {}

    def build(cell, task, variation, extra_objects=()):
        key = (cell, task, tuple(obj.name for obj in extra_objects))
        if key not in opened:
            first = make_task(cell, task, TASKS[cell][task].variations[0])
            objects = (*first.objects, *extra_objects)
            opened[key] = SimCell(first.workspace.config(), objects=objects)
        return make_task(cell, task, variation), opened[key]

    yield build
    for sim_cell in opened.values():
        sim_cell.close()
