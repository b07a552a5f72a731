"""2D tracks + depth maps -> ``(u, v, depth)`` and camera-frame xyz tracks, with visibility.

A tracked pixel takes its depth from the depth map of its frame, interpolated bilinearly (in
inverse depth) between the four pixels around it. Where those four straddle a depth edge (their
depths differ by more than ``edge_ratio``), interpolating would invent a point in mid-air between
the foreground and the background, so one of the four is taken instead: the one closest to the
point's last visible depth, which keeps a point on its own side of the edge. Pixels of no depth
(0, negative or not finite: sky, holes of a sensor) are left out.

A point is visible in a frame when the 2D tracker saw it there, it lies inside the image, it has
a depth, and that depth differs from its last visible depth by at most ``occlusion_ratio`` of it
per frame since: a sudden jump in depth means the pixel now shows another surface, in front of
the point (an occluder) or behind it (the tracker slid off an edge). A point that is not visible
keeps the depth it had when last seen (before it is first seen: the depth it has then), so every
stored value stays finite and smooth; its ``(u, v)`` stays the tracker's estimate. A point never
seen with a depth takes the median depth of the visible points of the clip.

Relative monocular depth: ``scale_to_median`` turns relative depth, or relative inverse depth as
Depth Anything's relative models predict, into metres with one scale per clip, chosen so that the
median depth of frame 0 is a given distance. Relative inverse depth is defined up to a scale and
a shift; the shift is taken as zero, so depths far from the median come out distorted. Metric
models need no alignment.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from arm4r_policy.errors import ConfigError, DatasetError
from arm4r_training.data.points import uvd_to_xyz


class LiftedTracks(NamedTuple):
    """Tracks with depth.

    Attributes:
        uvd: (T, n, 3) float32 ``(u, v [px], depth [m])``, finite.
        xyz: (T, n, 3) float32 camera-frame points [m], OpenCV axes (``uvd_to_xyz``).
        visibility: (T, n) bool.
    """

    uvd: np.ndarray
    xyz: np.ndarray
    visibility: np.ndarray


def sample_depth(
    depth: np.ndarray,
    pixels: np.ndarray,
    reference: np.ndarray | None = None,
    edge_ratio: float = 1.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Depth [m] at sub-pixel positions of one depth map.

    Inverse depth is interpolated (it is affine in the pixel coordinates over a plane, so a flat
    surface is sampled exactly). Four neighbours straddling a depth edge are not mixed: the one
    closest to ``reference`` is taken, or the nearest one where there is no reference.

    Args:
        depth: (H, W) depth [m]; values <= 0 or not finite mean no depth.
        pixels: (n, 2) ``(u, v)`` [px].
        reference: (n,) depth [m] each point is expected near (its last depth), NaN for none.
        edge_ratio: four neighbours whose largest / smallest depth exceeds this straddle an edge.

    Returns:
        (n,) float64 depths (0 where there is none) and (n,) bool, whether each has one: inside
        the image, with a valid neighbour of non-zero bilinear weight.
    """
    height, width = depth.shape
    u, v = pixels[:, 0].astype(float), pixels[:, 1].astype(float)
    inside = (u >= -0.5) & (u < width - 0.5) & (v >= -0.5) & (v < height - 0.5)
    x = np.clip(u, 0.0, width - 1.0)
    y = np.clip(v, 0.0, height - 1.0)
    x0 = np.minimum(np.floor(x).astype(int), max(width - 2, 0))
    y0 = np.minimum(np.floor(y).astype(int), max(height - 2, 0))
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    fx, fy = x - x0, y - y0
    around = np.stack([depth[y0, x0], depth[y0, x1], depth[y1, x0], depth[y1, x1]], axis=1)
    weights = np.stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy], axis=1)
    valid = np.isfinite(around) & (around > 0)
    around = np.where(valid, around, 1.0)
    weights = np.where(valid, weights, 0.0)
    total = weights.sum(axis=1)
    has_depth = inside & (total > 0)
    mixed = total / np.maximum((weights / around).sum(axis=1), np.finfo(float).tiny)
    nearest = np.where(valid, around, np.inf).min(axis=1)
    farthest = np.where(valid, around, 0.0).max(axis=1)
    edge = farthest > edge_ratio * nearest
    # at an edge: the valid neighbour closest to the reference depth, else the heaviest
    if reference is None:
        reference = np.full(len(around), np.nan)
    distance = np.where(np.isnan(reference)[:, None], -weights, np.abs(around - reference[:, None]))
    pick = np.argmin(np.where(valid, distance, np.inf), axis=1)
    chosen = around[np.arange(len(around)), pick]
    values = np.where(edge, chosen, mixed)
    return np.where(has_depth, values, 0.0), has_depth


def lift_tracks(
    positions: np.ndarray,
    visibility: np.ndarray,
    depths: np.ndarray,
    intrinsics: np.ndarray,
    edge_ratio: float = 1.05,
    occlusion_ratio: float = 0.15,
) -> LiftedTracks:
    """Give 2D tracks their depth and camera-frame position (see the module docstring).

    Args:
        positions: (T, n, 2) ``(u, v)`` [px], finite.
        visibility: (T, n) bool, the 2D tracker's visibility.
        depths: (T, H, W) depth [m] of each frame.
        intrinsics: (3, 3) K [px] of the frames.
        edge_ratio: see ``sample_depth``.
        occlusion_ratio: a visible point's depth may change by at most this fraction of its last
            visible depth per frame since it was last visible; a larger change hides it.

    Raises:
        DatasetError: shapes disagree, positions are not finite, or no point has a depth.
    """
    positions = np.asarray(positions, dtype=float)
    visibility = np.asarray(visibility, dtype=bool)
    steps, count = visibility.shape if visibility.ndim == 2 else (-1, -1)
    if positions.shape != (steps, count, 2) or depths.ndim != 3 or len(depths) != steps:
        raise DatasetError(
            f"tracks {positions.shape}, visibility {visibility.shape}, depth maps "
            f"{depths.shape}; expected (T, n, 2), (T, n) and (T, H, W)"
        )
    if not np.isfinite(positions).all():
        raise DatasetError("2D tracks hold non-finite positions")
    if not edge_ratio >= 1.0 or not occlusion_ratio > 0.0:
        raise ConfigError(
            f"edge_ratio = {edge_ratio}, occlusion_ratio = {occlusion_ratio}; expected >= 1 and > 0"
        )
    sampled = np.zeros((steps, count))
    seen = np.zeros((steps, count), dtype=bool)
    last = np.full(count, np.nan)  # depth at each point's last visible frame
    last_step = np.zeros(count)
    for step in range(steps):
        values, has_depth = sample_depth(depths[step], positions[step], last, edge_ratio)
        allowed = occlusion_ratio * (step - last_step) * last
        steady = np.isnan(last) | (np.abs(values - last) <= allowed)
        seen[step] = visibility[step] & has_depth & steady
        sampled[step] = values
        last = np.where(seen[step], values, last)
        last_step = np.where(seen[step], step, last_step)
    filled = fill_unseen(sampled, seen)
    uvd = np.concatenate([positions, filled[..., None]], axis=-1).astype(np.float32)
    return LiftedTracks(uvd, uvd_to_xyz(uvd, intrinsics), seen)


def fill_unseen(values: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """(T, n) ``values`` where ``seen``; elsewhere each point's last seen value (before it is
    first seen: its first seen value; never seen: the median of every seen value).

    Raises:
        DatasetError: nothing is seen.
    """
    if not seen.any():
        raise DatasetError("no tracked point has a depth in any frame; the depth maps are empty")
    steps, count = values.shape
    index = np.where(seen, np.arange(steps)[:, None], -1)
    last = np.maximum.accumulate(index, axis=0)  # latest seen frame up to each step
    first = np.argmax(seen, axis=0)  # first seen frame (0 for points never seen)
    source = np.where(last >= 0, last, first[None, :])
    held = values[source, np.arange(count)[None, :]]
    return np.where(seen.any(axis=0)[None, :], held, np.median(values[seen]))


def scale_to_median(values: np.ndarray, median_depth: float, inverse: bool = False) -> np.ndarray:
    """(T, H, W) relative depth (or inverse depth) -> depth [m] whose frame-0 median is given.

    One scale for the whole clip keeps the motion in depth between frames. Pixels of no value
    (<= 0 or not finite) stay 0.

    Raises:
        ConfigError: ``median_depth`` is not positive.
        DatasetError: frame 0 has no valid value.
    """
    if not median_depth > 0.0:
        raise ConfigError(f"median_depth = {median_depth}; expected a positive distance [m]")
    values = np.asarray(values, dtype=np.float64)
    valid = np.isfinite(values) & (values > 0)
    relative = np.where(valid, 1.0 / np.where(valid, values, 1.0) if inverse else values, 0.0)
    if not valid[0].any():
        raise DatasetError("relative depth of frame 0 has no valid value to scale by")
    scale = median_depth / np.median(relative[0][valid[0]])
    return (relative * scale).astype(np.float32)
