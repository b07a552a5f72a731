"""Pinhole cameras: BRIO-like intrinsics, look-at placement, MuJoCo <-> OpenCV axes, projection.

MuJoCo cameras look down their -z axis with +y up and +x right. The OpenCV convention used for
every extrinsic this package returns is x right, y down, z forward (the optical axis), so
``R_cv = R_mujoco @ diag(1, -1, -1)``.

Intrinsics: MuJoCo renders square pixels with a vertical field of view ``fovy``, so
``fx = fy = (H / 2) / tan(fovy / 2)``; the principal point is the image centre,
``((W - 1) / 2, (H - 1) / 2)`` with OpenCV's pixel centres at integer coordinates. At another
resolution the vertical field of view is kept: f scales with H, and a different aspect ratio shows
more or less to the sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.transforms import make_pose

Vec3 = tuple[float, float, float]

BRIO_DIAGONAL_FOV_DEG = 78.0
"""Logitech BRIO diagonal field of view [deg] in its default 78-degree mode."""
BRIO_WIDTH, BRIO_HEIGHT = 640, 480


def fovy_from_diagonal_fov(diagonal_fov_deg: float, width: int, height: int) -> float:
    """Vertical field of view [deg] of a square-pixel pinhole camera with the given diagonal FOV.

    The focal length is ``f = (diagonal / 2) / tan(diagonal_fov / 2)`` pixels, then
    ``fovy = 2 atan((height / 2) / f)``. For the BRIO at 640x480: f = 400 / tan(39 deg) = 494.0 px,
    fovy = 51.8 deg.
    """
    focal = 0.5 * math.hypot(width, height) / math.tan(math.radians(diagonal_fov_deg) / 2)
    return math.degrees(2.0 * math.atan(0.5 * height / focal))


BRIO_FOVY_DEG = fovy_from_diagonal_fov(BRIO_DIAGONAL_FOV_DEG, BRIO_WIDTH, BRIO_HEIGHT)


def intrinsics_matrix(fovy_deg: float, width: int, height: int) -> np.ndarray:
    """(3, 3) pinhole matrix K [px] of a square-pixel camera rendering ``width`` x ``height``."""
    focal = 0.5 * height / math.tan(math.radians(fovy_deg) / 2)
    return np.array(
        [[focal, 0.0, (width - 1) / 2], [0.0, focal, (height - 1) / 2], [0.0, 0.0, 1.0]]
    )


@dataclass(frozen=True)
class CameraPlacement:
    """A fixed camera in the world frame, placed by the point it looks at.

    Attributes:
        name: camera name in the model and in observations.
        position: optical centre (3,) [m], world frame.
        target: a point (3,) [m] on the optical axis, world frame.
        fovy_deg: vertical field of view [deg].
    """

    name: str
    position: Vec3
    target: Vec3
    fovy_deg: float = BRIO_FOVY_DEG

    def __post_init__(self) -> None:
        if np.linalg.norm(np.subtract(self.target, self.position)) < 1e-6:
            raise ConfigError(
                f"CameraPlacement {self.name!r}: target {self.target} equals position"
            )
        if not 1.0 < self.fovy_deg < 179.0:
            raise ConfigError(
                f"CameraPlacement {self.name!r}: fovy_deg = {self.fovy_deg}; expected 1..179"
            )

    def opencv_pose(self) -> np.ndarray:
        """(4, 4) camera-to-world pose, OpenCV axes (z along the view, y down, image x right).

        The image x axis is kept horizontal (perpendicular to world z); a camera looking straight
        down is rejected because its roll is then undefined.
        """
        forward = np.subtract(self.target, self.position)
        forward = forward / np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 0.0, 1.0])
        if np.linalg.norm(right) < 1e-6:
            raise ConfigError(
                f"CameraPlacement {self.name!r} looks straight up or down; roll undefined"
            )
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        return make_pose(np.column_stack([right, down, forward]), self.position)


def flip_camera_axes(rotation: np.ndarray) -> np.ndarray:
    """Convert a (3, 3) camera orientation between the MuJoCo and OpenCV conventions.

    Both share x (image right); y and z flip (MuJoCo: y up, looks down -z; OpenCV: y down, looks
    down +z). The flip is its own inverse, so one function serves both directions.
    """
    return np.asarray(rotation, dtype=float) @ np.diag([1.0, -1.0, -1.0])


def project_points(
    points: np.ndarray, intrinsics: np.ndarray, camera_pose: np.ndarray
) -> np.ndarray:
    """Pixel coordinates (N, 2) ``(u, v)`` of points (N, 3) [m].

    Args:
        points: in the frame ``camera_pose`` is expressed in (e.g. the robot base frame).
        intrinsics: (3, 3) K.
        camera_pose: (4, 4) camera-to-frame pose, OpenCV axes.
    """
    rotation, origin = camera_pose[:3, :3], camera_pose[:3, 3]
    in_camera = (np.asarray(points, dtype=float) - origin) @ rotation
    pixels = in_camera @ intrinsics.T
    return pixels[:, :2] / pixels[:, 2:3]
