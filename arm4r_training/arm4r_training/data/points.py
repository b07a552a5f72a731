"""Point-track clips: where a clip's tracks are stored and how they become camera-frame xyz.

A clip stores its tracks as ``points.zarr`` (T, n, 3) camera-frame xyz [m], OpenCV axes, or as
``points_uvd.zarr`` (T, n, 3) ``(u, v [px], depth [m])``, lifted with the pinhole intrinsics of the
tracked image size (``meta.json`` -> ``tracks`` -> ``intrinsics``). Episodes written by
``arm4r_policy.collect`` hold both forms, which agree; clips from other sources may hold either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from arm4r_policy.collect.arrays import read_array
from arm4r_policy.collect.episode import lift
from arm4r_policy.collect.layout import META_FILE, POINTS_FILE, POINTS_UVD_FILE
from arm4r_policy.errors import DatasetError

PointsForm = Literal["auto", "xyz", "uvd"]
POINTS_FORMS: tuple[str, ...] = ("auto", "xyz", "uvd")
"""``auto`` reads ``points.zarr`` where a clip has it and ``points_uvd.zarr`` otherwise."""


def uvd_to_xyz(uvd: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """(..., 3) ``(u, v [px], depth [m])`` -> (..., 3) float32 camera-frame xyz [m].

    ``intrinsics`` is the (3, 3) pinhole matrix K [px] of the image the pixels refer to; a point is
    ``depth * K^-1 (u, v, 1)``, the inverse of the projection ``arm4r_policy.collect`` stores.

    Raises:
        DatasetError: ``uvd`` does not end in 3 values or K is not a finite invertible 3 x 3.
    """
    uvd = np.asarray(uvd)
    matrix = np.asarray(intrinsics, dtype=float)
    if uvd.shape[-1:] != (3,):
        raise DatasetError(f"(u, v, depth) points of shape {uvd.shape}; expected (..., 3)")
    if (
        matrix.shape != (3, 3)
        or not np.isfinite(matrix).all()
        or abs(np.linalg.det(matrix)) < np.finfo(float).tiny
    ):
        raise DatasetError(f"intrinsics {matrix.tolist()}; expected a finite invertible 3 x 3 K")
    return lift(uvd, matrix).astype(np.float32)


@dataclass(frozen=True)
class PointSource:
    """A clip's stored tracks.

    Attributes:
        file: the ``points.zarr`` or ``points_uvd.zarr`` array.
        form: ``"xyz"`` or ``"uvd"``, what ``file`` holds.
        intrinsics: (3, 3) K [px] to lift ``uvd`` with; None for ``xyz``.
    """

    file: Path
    form: Literal["xyz", "uvd"]
    intrinsics: np.ndarray | None = None

    def load(self, num_points: int | None = None) -> np.ndarray:
        """(T, n, 3) float32 camera-frame xyz [m]; ``num_points`` checks n when given.

        Raises:
            DatasetError: the array is missing, malformed, of another n, or not finite.
        """
        values = read_array(self.file, np.float32, (None, num_points, 3))
        if not np.isfinite(values).all():
            raise DatasetError(f"{self.file}: holds non-finite values")
        return values if self.form == "xyz" else uvd_to_xyz(values, self.intrinsics)


def point_source(clip: Path, form: PointsForm, tracks: dict | None) -> PointSource:
    """The tracks of the clip directory ``clip`` to read in ``form``.

    Args:
        clip: the clip (episode) directory.
        form: ``"xyz"``, ``"uvd"`` or ``"auto"`` (see ``POINTS_FORMS``).
        tracks: the ``tracks`` entry of the clip's ``meta.json``, if any; ``uvd`` needs its
            ``intrinsics``.

    Raises:
        DatasetError: the array of that form is missing, or ``uvd`` has no intrinsics.
    """
    if form == "auto":
        form = "xyz" if (clip / POINTS_FILE).is_dir() else "uvd"
    if form == "xyz":
        source = PointSource(clip / POINTS_FILE, "xyz")
    else:
        intrinsics = (tracks or {}).get("intrinsics")
        if intrinsics is None:
            raise DatasetError(
                f"{clip / META_FILE}: no tracks intrinsics to lift {POINTS_UVD_FILE} with"
            )
        try:
            matrix = np.asarray(intrinsics, dtype=float)
        except (TypeError, ValueError) as error:
            raise DatasetError(f"{clip / META_FILE}: tracks intrinsics ({error})") from error
        source = PointSource(clip / POINTS_UVD_FILE, "uvd", matrix)
    if not source.file.is_dir():
        raise DatasetError(f"{source.file}: missing; the clip has no {form} point tracks")
    return source
