"""Randomised table layouts: the reachable region of each cell and non-overlapping placements.

A layout puts each object's body origin at a random point of the cell's ``Workspace`` (a rectangle
of allowed centres on the table, world frame) with a random yaw, upright at its rest height, such
that the footprint discs of any two objects stay ``margin`` apart. It is a pure function of the
random generator it is given.

Workspaces (object centres, world frame), checked with the TCP 5 cm above and at the grasp height
of objects, pointing down, at any grasp yaw:

- Kinova: x 0.35..0.65 m, y -0.2..0.2 m. The arm reaches x 0.30..0.65, y -0.3..0.3 at every yaw;
  the margin keeps the approach away from the stand and from the edge of the reach.
- Franka: x 0.35..0.60 m, y -0.2..0.2 m. The Panda reaches x 0.30..0.70, y -0.3..0.3 with the hand
  within +-45 deg of its home yaw (enough for cubes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.cells import CellConfig

CELL_CONFIGS = {"kinova": CellConfig.kinova, "franka": CellConfig.franka}
"""Cell name -> the preset constructor of its ``CellConfig``."""


class ObjectPose(NamedTuple):
    """A world-frame pose: body origin position (3,) [m], quaternion (4,) (w, x, y, z)."""

    position: np.ndarray
    quat: np.ndarray


@dataclass(frozen=True)
class Layout:
    """Where one episode starts: every task object's pose, and a free table spot if the task needs
    one (``place_spot`` (3,) [m], world frame, on the table top: the destack point B)."""

    poses: Mapping[str, ObjectPose]
    place_spot: np.ndarray | None = None


@dataclass(frozen=True)
class Workspace:
    """The table region of a cell where task objects are placed.

    Attributes:
        cell: ``"kinova"`` or ``"franka"``.
        x, y: (min, max) of allowed object centres [m], world frame.
    """

    cell: str
    x: tuple[float, float]
    y: tuple[float, float]

    def __post_init__(self) -> None:
        if self.cell not in CELL_CONFIGS:
            raise ConfigError(
                f"Workspace.cell = {self.cell!r}; expected one of {list(CELL_CONFIGS)}"
            )
        table = self.config().table
        for axis, (low, high), centre, size in zip(
            "xy", (self.x, self.y), table.center_xy, table.size_xy, strict=True
        ):
            if not centre - size / 2 <= low < high <= centre + size / 2:
                raise ConfigError(
                    f"Workspace.{axis} = {(low, high)}; expected an increasing range on the "
                    f"{self.cell} table, within {(centre - size / 2, centre + size / 2)} m"
                )

    def config(self) -> CellConfig:
        """The cell these tasks run in."""
        return CELL_CONFIGS[self.cell]()

    @property
    def table_height(self) -> float:
        """The table top [m] in the world."""
        return self.config().table.top_height

    def contains(self, xy: np.ndarray, tolerance: float = 1e-9) -> bool:
        """Whether a point (2,) [m] lies in the region."""
        return bool(
            self.x[0] - tolerance <= xy[0] <= self.x[1] + tolerance
            and self.y[0] - tolerance <= xy[1] <= self.y[1] + tolerance
        )


KINOVA_WORKSPACE = Workspace(cell="kinova", x=(0.35, 0.65), y=(-0.2, 0.2))
FRANKA_WORKSPACE = Workspace(cell="franka", x=(0.35, 0.6), y=(-0.2, 0.2))

_CANDIDATES_PER_OBJECT = 64
_RESTARTS = 200


def scatter(
    rng: np.random.Generator, workspace: Workspace, radii: Sequence[float], margin: float
) -> np.ndarray:
    """Random centres (N, 2) [m] in ``workspace`` for discs of ``radii`` (N,) [m], pairwise at least
    ``margin`` [m] apart (edge to edge).

    Discs are placed largest first, each at the first of a batch of uniform candidates that clears
    the ones already placed; a dead end starts the whole layout again.

    Raises:
        ConfigError: no layout found (the discs do not fit the region).
    """
    radii = np.asarray(radii, dtype=float)
    low = np.array([workspace.x[0], workspace.y[0]])
    high = np.array([workspace.x[1], workspace.y[1]])
    order = np.argsort(-radii, kind="stable")
    for _ in range(_RESTARTS):
        centres = np.full((len(radii), 2), np.nan)
        for index in order:
            candidates = rng.uniform(low, high, size=(_CANDIDATES_PER_OBJECT, 2))
            placed = ~np.isnan(centres[:, 0])
            gaps = np.linalg.norm(candidates[:, None] - centres[placed][None], axis=-1)
            clear = np.all(gaps >= radii[placed] + radii[index] + margin, axis=1)
            if not clear.any():
                break
            centres[index] = candidates[np.argmax(clear)]
        else:
            return centres
    raise ConfigError(
        f"scatter: radii {radii.round(3).tolist()} m with margin {margin} m do not fit the "
        f"{workspace.cell} region x {workspace.x}, y {workspace.y} after {_RESTARTS} tries"
    )


def yaw_quat(yaw: float) -> np.ndarray:
    """Quaternion (4,) (w, x, y, z) of a rotation by ``yaw`` [rad] about the world z axis."""
    return np.array([math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)])
