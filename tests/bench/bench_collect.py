"""Throughput of scripted collection: Kinova pick_cube episodes/min, recorded at 224 x 224 from
both cameras, against the same demos without recording (planning and physics alone).

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python tests/bench/bench_collect.py`` (egl is set when unset).
"""

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np

from arm4r_policy.collect import CollectionSession, CollectRequest, perform_demo
from arm4r_policy.collect.session import sim_robot
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.tasks import make_task

EPISODES = 10


def _recorded() -> tuple[float, float]:
    """Episodes/min and mean steps of a fresh collection of ``EPISODES`` episodes."""
    with tempfile.TemporaryDirectory() as out:
        request = CollectRequest("kinova", "pick_cube", ("yellow",), EPISODES, Path(out))
        session = CollectionSession(request)
        start = time.perf_counter()
        (summary,) = session.run(progress=False)
        minutes = (time.perf_counter() - start) / 60.0
    return len(summary.recorded) / minutes, float(np.mean(summary.recorded))


def _unrecorded() -> float:
    """Episodes/min of the same demos without sampling (successful or not)."""
    task = make_task("kinova", "pick_cube", "yellow")
    with SimCell(task.workspace.config(), objects=task.objects) as cell:
        robot = sim_robot(task, cell)
        start = time.perf_counter()
        for seed in range(EPISODES):
            robot.home(seed)
            perform_demo(robot, seed)
        return EPISODES / ((time.perf_counter() - start) / 60.0)


def main() -> None:
    print(f"MUJOCO_GL={os.environ['MUJOCO_GL']}")
    rate, steps = _recorded()
    print(
        f"kinova pick_cube, 224x224, two cameras: {rate:.1f} episodes/min recorded "
        f"(mean {steps:.0f} steps at 15 Hz), {_unrecorded():.1f} episodes/min without recording"
    )


if __name__ == "__main__":
    main()
