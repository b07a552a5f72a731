"""What a point tracker is: frames and query pixels in, ``(u, v, depth)`` tracks out.

Three interfaces meet in the tracker package:

- ``PointTracker``: frames -> (T, n, 3) ``(u, v [px], depth [m])`` + visibility + the intrinsics
  the depths go with. SpatialTracker is one; a 2D tracker with a depth source is another
  (``with_depth.TrackerWithDepth``).
- ``PixelTracker``: frames -> (T, n, 2) pixel tracks + visibility (Lucas-Kanade, CoTracker).
- ``DepthEstimator``: frames -> (T, H, W) metric depth [m] (Depth Anything V2).

Pixels follow OpenCV and ``arm4r_policy.collect``: u to the right, v down, the centre of the
top-left pixel at (0, 0). Query points are the pixels of frame 0 to follow (a g x g grid,
``arm4r_policy.collect.tracks.grid_pixels``).

A clip from a camera of unknown calibration gets ``assumed_intrinsics``: the square-pixel pinhole
with the focal length equal to the image width (a 53 degree horizontal field of view), the
convention of SpatialTracker's demo. Only the lifting of ``(u, v, depth)`` to xyz depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from arm4r_policy.errors import DatasetError

ASSUMED_FOCAL_PER_WIDTH = 1.0
"""Focal length [px] per image width [px] of ``assumed_intrinsics``."""


def assumed_intrinsics(image_size: tuple[int, int]) -> np.ndarray:
    """(3, 3) K [px] of a square-pixel pinhole of focal ``ASSUMED_FOCAL_PER_WIDTH * width``."""
    width, height = image_size
    focal = ASSUMED_FOCAL_PER_WIDTH * width
    return np.array([[focal, 0.0, (width - 1) / 2], [0.0, focal, (height - 1) / 2], [0, 0, 1.0]])


def resized_intrinsics(
    intrinsics: np.ndarray, from_size: tuple[int, int], to_size: tuple[int, int]
) -> np.ndarray:
    """K of an image of ``from_size`` (width, height) after resizing it to ``to_size``.

    Each axis scales by its own factor (a 456 x 256 frame stored square gets fx != fy); pixel
    centres stay pixel centres.
    """
    scale_u, scale_v = (to / source for to, source in zip(to_size, from_size, strict=True))
    matrix = np.array(intrinsics, dtype=float)
    matrix[0, 0] *= scale_u
    matrix[1, 1] *= scale_v
    matrix[0, 2] = (matrix[0, 2] + 0.5) * scale_u - 0.5
    matrix[1, 2] = (matrix[1, 2] + 0.5) * scale_v - 0.5
    return matrix


class PixelTracks(NamedTuple):
    """2D tracks of n query points through T frames.

    Attributes:
        positions: (T, n, 2) float32 ``(u, v)`` [px]; row 0 holds the queries.
        visibility: (T, n) bool, whether the tracker saw each point at each frame.
    """

    positions: np.ndarray
    visibility: np.ndarray


@dataclass(frozen=True)
class PointTrackResult:
    """Points tracked through a clip, with depth.

    Attributes:
        uvd: (T, n, 3) float32 ``(u, v [px], depth [m])``, all finite; a hidden point keeps an
            estimate (see ``lifting``).
        visibility: (T, n) bool.
        intrinsics: (3, 3) K [px] of the tracked frames, to lift ``uvd`` to xyz.
    """

    uvd: np.ndarray
    visibility: np.ndarray
    intrinsics: np.ndarray

    def __post_init__(self) -> None:
        steps, count = self.visibility.shape if self.visibility.ndim == 2 else (-1, -1)
        if (
            self.uvd.shape != (steps, count, 3)
            or self.visibility.dtype != np.bool_
            or np.shape(self.intrinsics) != (3, 3)
        ):
            raise DatasetError(
                f"point tracks: uvd {self.uvd.shape}, visibility {self.visibility.shape} "
                f"{self.visibility.dtype}, intrinsics {np.shape(self.intrinsics)}; expected "
                "(T, n, 3), (T, n) bool and (3, 3)"
            )
        if not np.isfinite(self.uvd).all() or not (self.uvd[..., 2] > 0).all():
            raise DatasetError("point tracks hold non-finite values or depths <= 0")


class PointTracker(Protocol):
    """Frames -> tracks of their query points in ``(u, v, depth)``."""

    name: str  # stored with the clips, e.g. "lucas-kanade+depth-anything"

    def track(
        self, frames: np.ndarray, queries: np.ndarray, intrinsics: np.ndarray | None = None
    ) -> PointTrackResult:
        """Track ``queries`` through ``frames``.

        Args:
            frames: (T, H, W, 3) uint8 RGB.
            queries: (n, 2) ``(u, v)`` [px] in frame 0.
            intrinsics: (3, 3) K [px] of the frames when known; None: the tracker's own estimate,
                or ``assumed_intrinsics``.
        """
        ...


class PixelTracker(Protocol):
    """Frames -> 2D tracks of their query points."""

    name: str

    def track(self, frames: np.ndarray, queries: np.ndarray) -> PixelTracks:
        """(T, H, W, 3) uint8 RGB frames and (n, 2) ``(u, v)`` [px] frame-0 queries -> tracks."""
        ...


class DepthEstimator(Protocol):
    """Frames -> metric depth maps."""

    name: str

    def estimate(self, frames: np.ndarray) -> np.ndarray:
        """(T, H, W, 3) uint8 RGB -> (T, H, W) float32 depth [m] along the optical axis."""
        ...


def check_frames(frames: np.ndarray) -> np.ndarray:
    """``frames`` if it is (T, H, W, 3) uint8 with T >= 1, else DatasetError."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or not len(frames):
        raise DatasetError(
            f"frames of shape {frames.shape} {frames.dtype}; expected (T, H, W, 3) uint8, T >= 1"
        )
    return frames


def check_queries(queries: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """(n, 2) float32 queries, each inside an image of ``image_size`` (width, height)."""
    queries = np.asarray(queries, dtype=np.float32)
    width, height = image_size
    if queries.ndim != 2 or queries.shape[1] != 2 or not len(queries):
        raise DatasetError(f"queries of shape {queries.shape}; expected (n, 2) (u, v), n >= 1")
    inside = (
        (queries[:, 0] >= 0) & (queries[:, 0] <= width - 1)
        & (queries[:, 1] >= 0) & (queries[:, 1] <= height - 1)
    )  # fmt: skip
    if not inside.all():
        raise DatasetError(
            f"{int((~inside).sum())} queries lie outside the {width}x{height} frames"
        )
    return queries
