"""Videos of the simulated Kinova cell with rendered depth and ground-truth point tracks.

The arm swings through three joint-space waypoints over 3.9 s above three cubes on the table
(``ARM_WAYPOINTS_DEG``); one camera is sampled at a fixed rate: RGB, metric depth and the
``GroundTruthTracker``'s points (a g x g grid of frame 0 carried by the bodies it shows).
"""

from dataclasses import dataclass

import numpy as np

from arm4r_policy.collect.episode import PointTracks
from arm4r_policy.collect.tracks import GroundTruthTracker
from arm4r_policy.sim import Box, CellConfig, SimCell
from arm4r_policy.sim.rendering import CameraRenderer

CAMERA = "ego"
MOTION_S = 3.9  # [s] of arm motion, then 0.1 s of settling
# offsets from the home pose [deg] of the waypoints at 1.3, 2.6 and 3.9 s
ARM_WAYPOINTS_DEG = (
    (25, 10, 0, 15, 0, 10, 0),
    (-20, -5, 10, -10, 20, -15, 30),
    (0, 0, 0, 0, 0, 0, 0),
)
SKY_DEPTH = 5.0  # [m] rendered depths beyond this are the sky: no surface


def cubes() -> list[Box]:
    """Three cubes of different colours and sizes on the table, in view of ``CAMERA``."""
    return [
        Box(name=name, size=(side,) * 3, rgba=rgba, mass=0.1, position=position)
        for name, side, rgba, position in (
            ("cube_a", 0.06, (1, 0.85, 0, 1), (0.5, 0.1, 0.78)),
            ("cube_b", 0.08, (0.1, 0.6, 0.9, 1), (0.6, -0.15, 0.79)),
            ("cube_c", 0.05, (0.8, 0.2, 0.2, 1), (0.4, -0.05, 0.775)),
        )
    ]


def open_cell() -> SimCell:
    return SimCell(CellConfig.kinova(), objects=cubes())


@dataclass(frozen=True)
class SimVideo:
    """A rendered clip of one camera.

    Attributes:
        frames: (T, H, W, 3) uint8 RGB.
        depths: (T, H, W) float32 depth [m]; 0 where the sky is (no surface).
        tracks: ground-truth tracks of a grid of frame 0 (None when not asked for).
    """

    frames: np.ndarray
    depths: np.ndarray
    tracks: PointTracks | None


def render_arm_motion(
    cell: SimCell, size: tuple[int, int], fps: float, grid: int | None = None
) -> SimVideo:
    """Reset ``cell``, swing the arm and sample ``CAMERA`` at ``fps`` from the start."""
    cell.reset(seed=0)
    cell.step(200)  # the cubes settle on the table
    renderer = CameraRenderer(cell.model)
    tracker = GroundTruthTracker(cell, CAMERA, grid, size) if grid is not None else None
    frames, depths = [], []

    def sample() -> None:
        cell.update_kinematics()
        frames.append(renderer.rgb(cell.data, CAMERA, *size).copy())
        depths.append(renderer.depth(cell.data, CAMERA, *size).copy())
        if tracker is not None:
            tracker.sample()

    steps_per_frame = round(1.0 / (fps * cell.config.timestep))
    counter = iter(range(1, 1 << 30))

    def after_step() -> None:
        if next(counter) % steps_per_frame == 0:
            sample()

    try:
        sample()
        home = np.asarray(cell.config.home)
        waypoints = [home + np.radians(offset) for offset in ARM_WAYPOINTS_DEG]
        times = MOTION_S * np.arange(1, len(waypoints) + 1) / len(waypoints)
        cell.execute_joint_trajectory(times, waypoints, settle_time=0.1, after_step=after_step)
        depth = np.stack(depths)
        depth[depth > SKY_DEPTH] = 0.0
        return SimVideo(np.stack(frames), depth, tracker.result() if tracker else None)
    finally:
        renderer.close()
        if tracker is not None:
            tracker.close()
