"""Ground-truth 3D point tracks from the simulator, for Stage 2 (point pre-training on robot video).

ARM4R's point labels are a g x g grid (g = 36) placed on frame 0 and tracked through the clip
(REFERENCE.md section 2); the authors estimate them with SpatialTracker, here the simulator knows
them. On the first sample, every grid pixel is lifted to 3D with the rendered depth and attached to
the MuJoCo body it shows (segmentation render: geom or site -> its body; background -> the world),
in that body's frame. At every sample the points are carried by their bodies' current poses and
expressed in the camera frame (OpenCV axes: x right, y down, z forward), with their projection
``(u, v, depth)`` and a visibility flag.

Visibility: a point is visible when it projects inside the image and its depth lies within the
range of rendered depths of the 2 x 2 pixels around its projection, widened by ``depth_tolerance``.
The neighbourhood keeps a point on a surface seen at a grazing angle visible between pixel centres;
a body in front of the point makes all four rendered depths smaller and hides it.
"""

from __future__ import annotations

import mujoco
import numpy as np

from arm4r_policy.collect.episode import PointTracks, lift, project
from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_policy.sim import SimCell
from arm4r_policy.sim.transforms import invert_pose, transform_points

DEFAULT_GRID_SIZE = 36
"""The public labels' grid: 36 x 36 = 1296 points."""


def grid_pixels(grid_size: int, image_size: tuple[int, int]) -> np.ndarray:
    """(g * g, 2) integer pixels ``(u, v)`` at the centres of a g x g tiling, row by row."""
    width, height = image_size
    cells = np.arange(grid_size) + 0.5
    columns = np.floor(cells * width / grid_size).astype(int)
    rows = np.floor(cells * height / grid_size).astype(int)
    v, u = np.meshgrid(rows, columns, indexing="ij")
    return np.stack([u.ravel(), v.ravel()], axis=1)


class GroundTruthTracker:
    """Tracks a g x g grid of frame-0 pixels of one camera through the states it is sampled at.

    Args:
        cell: the simulated cell; read only (its model's offscreen buffer is enlarged if needed).
        camera: which camera of the cell.
        grid_size: g; n = g * g points.
        image_size: (width, height) [px] of the depth / segmentation renders and of ``uvd``.
        depth_tolerance: [m] see the module docstring.

    Attributes:
        bodies: (n,) MuJoCo body id each point is attached to (after the first sample).
    """

    def __init__(
        self,
        cell: SimCell,
        camera: str,
        grid_size: int = DEFAULT_GRID_SIZE,
        image_size: tuple[int, int] = (224, 224),
        depth_tolerance: float = 0.01,
    ) -> None:
        width, height = image_size
        if camera not in cell.camera_names:
            raise ConfigError(f"tracker camera {camera!r}; the cell has {cell.camera_names}")
        if not 1 <= grid_size <= min(width, height) or not depth_tolerance > 0.0:
            raise ConfigError(
                f"grid_size = {grid_size}, depth_tolerance = {depth_tolerance}; expected a grid "
                f"of 1 to {min(width, height)} and a positive tolerance [m]"
            )
        self.cell, self.camera, self.grid_size = cell, camera, grid_size
        self.image_size = (width, height)
        self.depth_tolerance = depth_tolerance
        self.intrinsics = cell.camera_intrinsics(camera, self.image_size)
        self.pixels = grid_pixels(grid_size, self.image_size)
        buffer = cell.model.vis.global_
        buffer.offwidth = max(buffer.offwidth, width)
        buffer.offheight = max(buffer.offheight, height)
        self._renderer = mujoco.Renderer(cell.model, height=height, width=width)
        self._renderer.scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = False
        self._renderer.scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = False
        self.reset()

    def reset(self) -> None:
        """Forget the points; the next ``sample`` places a new grid."""
        self.bodies: np.ndarray | None = None
        self._local: np.ndarray | None = None
        self._points: list[np.ndarray] = []
        self._visibility: list[np.ndarray] = []

    def _render(self, segmentation: bool) -> np.ndarray:
        renderer = self._renderer
        if segmentation:
            renderer.enable_segmentation_rendering()
        else:
            renderer.enable_depth_rendering()
        renderer.update_scene(self.cell.data, self.camera)
        image = renderer.render()
        renderer.disable_segmentation_rendering()
        renderer.disable_depth_rendering()
        return image

    def _seen_bodies(self) -> np.ndarray:
        """(n,) body id shown at each grid pixel; the world (0) where no geom or site is."""
        model = self.cell.model
        ids = self._render(segmentation=True)[self.pixels[:, 1], self.pixels[:, 0]]
        bodies = np.zeros(len(ids), dtype=int)
        geoms = ids[:, 1] == int(mujoco.mjtObj.mjOBJ_GEOM)
        sites = ids[:, 1] == int(mujoco.mjtObj.mjOBJ_SITE)
        bodies[geoms] = model.geom_bodyid[ids[geoms, 0]]
        bodies[sites] = model.site_bodyid[ids[sites, 0]]
        return bodies

    def _anchor(self, depth: np.ndarray, world_from_camera: np.ndarray) -> None:
        """Attach each grid point to the body it shows, in that body's frame."""
        u, v = self.pixels[:, 0], self.pixels[:, 1]
        in_camera = lift(np.stack([u, v, depth[v, u]], axis=1).astype(float), self.intrinsics)
        in_world = transform_points(world_from_camera, in_camera)
        self.bodies = self._seen_bodies()
        data = self.cell.data
        rotations = data.xmat[self.bodies].reshape(-1, 3, 3)
        offsets = (in_world - data.xpos[self.bodies])[:, None, :]
        self._local = (offsets @ rotations)[:, 0, :]

    def _visible(self, uvd: np.ndarray, depth: np.ndarray) -> np.ndarray:
        width, height = self.image_size
        u, v, z = uvd[:, 0], uvd[:, 1], uvd[:, 2]
        inside = (z > 0) & (u >= -0.5) & (u < width - 0.5) & (v >= -0.5) & (v < height - 0.5)
        u0 = np.clip(np.floor(u), 0, width - 1).astype(int)
        v0 = np.clip(np.floor(v), 0, height - 1).astype(int)
        u1, v1 = np.minimum(u0 + 1, width - 1), np.minimum(v0 + 1, height - 1)
        around = np.stack([depth[v0, u0], depth[v0, u1], depth[v1, u0], depth[v1, u1]], axis=1)
        nearest = around.min(axis=1) - self.depth_tolerance
        farthest = around.max(axis=1) + self.depth_tolerance
        return inside & (z >= nearest) & (z <= farthest)

    def sample(self) -> None:
        """Record every point at the cell's current state (step 0 places the grid)."""
        data = self.cell.data
        self.cell.update_kinematics()
        world_from_camera = self.cell.base_pose @ self.cell.camera_extrinsics(self.camera)
        depth = self._render(segmentation=False)
        if self._local is None:
            self._anchor(depth, world_from_camera)
        rotations = data.xmat[self.bodies].reshape(-1, 3, 3)
        in_world = (rotations @ self._local[:, :, None])[:, :, 0] + data.xpos[self.bodies]
        in_camera = transform_points(invert_pose(world_from_camera), in_world)
        self._points.append(in_camera)
        self._visibility.append(self._visible(project(in_camera, self.intrinsics), depth))

    @property
    def num_steps(self) -> int:
        return len(self._points)

    def result(self) -> PointTracks:
        """The tracks of every step sampled since ``reset``."""
        if not self._points:
            raise DatasetError(f"tracker of camera {self.camera!r} has not been sampled")
        points = np.stack(self._points)
        return PointTracks(
            camera=self.camera,
            points=points.astype(np.float32),
            uvd=project(points, self.intrinsics).astype(np.float32),
            visibility=np.stack(self._visibility),
            intrinsics=self.intrinsics,
            image_size=self.image_size,
            grid_size=self.grid_size,
            depth_tolerance=self.depth_tolerance,
        )

    def close(self) -> None:
        """Release the rendering context."""
        self._renderer.close()

    def __enter__(self) -> GroundTruthTracker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
