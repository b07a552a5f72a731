"""Throughput of the MuJoCo cells: physics steps/s and two-camera render pairs/s.

Run: ``MUJOCO_GL=egl .venv/bin/python tests/bench/bench_sim.py`` (egl is set when unset).
"""

import os
import time
from collections.abc import Callable

os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np

from arm4r_policy.sim import Box, CellConfig, SimCell


def _rate(action: Callable[[], None], repeats: int) -> float:
    """Calls per second of ``action`` after one warm-up call."""
    action()
    start = time.perf_counter()
    for _ in range(repeats):
        action()
    return repeats / (time.perf_counter() - start)


def _cell(config: CellConfig) -> SimCell:
    cubes = [
        Box(name=f"cube_{i}", size=(0.045,) * 3, rgba=(1, 0.8, 0.1 * i, 1), mass=0.08,
            position=(0.4 + 0.08 * i, 0.1, 0.7725))
        for i in range(3)
    ]  # fmt: skip
    return SimCell(config, objects=cubes)


def _bench_physics(cell: SimCell) -> tuple[float, float]:
    """Steps/s of ``step`` (one C call for 1000 steps) and of a Python-driven joint trajectory."""
    cell.reset(seed=0)
    stepping = 1000 * _rate(lambda: cell.step(1000), repeats=5)
    times = np.linspace(0.05, 2.0, 40)
    offsets = np.linspace(0.0, 0.2, 40)[:, None] * np.ones(7)
    waypoints = np.asarray(cell.config.home) + offsets

    def trajectory() -> None:
        cell.reset(seed=0)
        cell.execute_joint_trajectory(times, waypoints, settle_time=0.0)

    tracking = round(times[-1] / cell.model.opt.timestep) * _rate(trajectory, repeats=3)
    return stepping, tracking


def _bench_rendering(cell: SimCell, image_size: tuple[int, int], depth: bool) -> float:
    """Observations (one image per camera, both cameras) per second."""
    return _rate(lambda: cell.observe(depth=depth, image_size=image_size), repeats=20)


def main() -> None:
    print(f"MUJOCO_GL={os.environ['MUJOCO_GL']}")
    for config in (CellConfig.kinova(), CellConfig.franka()):
        with _cell(config) as cell:
            stepping, tracking = _bench_physics(cell)
            print(
                f"{config.name}: physics {stepping:,.0f} steps/s with step(n), "
                f"{tracking:,.0f} steps/s in execute_joint_trajectory"
            )
            for size in ((640, 480), (224, 224)):
                rgb = _bench_rendering(cell, size, depth=False)
                rgbd = _bench_rendering(cell, size, depth=True)
                print(
                    f"{config.name}: {size[0]}x{size[1]} two cameras: {rgb:.0f} RGB pairs/s, "
                    f"{rgbd:.0f} RGB+depth pairs/s"
                )


if __name__ == "__main__":
    main()
