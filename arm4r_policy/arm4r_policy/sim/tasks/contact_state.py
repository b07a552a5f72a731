"""Who touches whom in a cell, from geometry alone: the building blocks of the success predicates.

Two things touch when the signed distance between their closest geoms is below ``TOUCH_TOLERANCE``
(negative while they press into each other). Distances are computed from the current positions by
``mj_geomDistance``, not read from the solver's contact list, so a state set by hand is judged
without a physics step and reading changes nothing in a rollout.
"""

from __future__ import annotations

import mujoco
import numpy as np

from arm4r_policy.sim.names import FINGER_BODIES, GRIPPER_BODY, TABLE_GEOM
from arm4r_policy.sim.sim_cell import SimCell

TOUCH_TOLERANCE = 1e-3
"""[m] closest-geom distance under which two things count as touching."""

TABLE = TABLE_GEOM
"""Name accepted for the table top (a world geom, not a body) wherever a body name is."""

_DISTANCE_CAP = 0.05  # [m] mj_geomDistance stops searching beyond this


def _geoms(cell: SimCell, name: str) -> np.ndarray:
    """Geom ids of the table, or of a body and the bodies attached below it (a button's cap)."""
    model = cell.model
    if name == TABLE:
        return np.array([model.geom(TABLE_GEOM).id])
    root = model.body(name).id
    bodies = [b for b in range(model.nbody) if b == root or model.body_parentid[b] == root]
    first, count = model.body_geomadr, model.body_geomnum
    return np.concatenate([np.arange(first[b], first[b] + count[b]) for b in bodies])


def distance(cell: SimCell, first: str, second: str) -> float:
    """Smallest signed distance [m] between two bodies' geoms (capped at 5 cm)."""
    model, data = cell.model, cell.data
    cell.update_kinematics()
    return min(
        mujoco.mj_geomDistance(model, data, int(a), int(b), _DISTANCE_CAP, None)
        for a in _geoms(cell, first)
        for b in _geoms(cell, second)
    )


def is_touching(cell: SimCell, first: str, second: str) -> bool:
    """Whether two bodies (or a body and ``TABLE``) touch."""
    return distance(cell, first, second) < TOUCH_TOLERANCE


def is_held(cell: SimCell, name: str) -> bool:
    """Whether both fingers touch the object: it is pinched between the jaws."""
    return all(is_touching(cell, finger, name) for finger in FINGER_BODIES)


def is_released(cell: SimCell, name: str) -> bool:
    """Whether neither finger nor the gripper housing touches the object."""
    return not any(is_touching(cell, part, name) for part in (GRIPPER_BODY, *FINGER_BODIES))
