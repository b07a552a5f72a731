"""The scene the cube tasks share (pick, stack, destack): a yellow, a cyan and a green cube.

Cubes stand upright at random yaws in [-45, 45) deg (a cube looks the same every 90 deg), their
footprints at least ``CUBE_MARGIN`` apart, so an open gripper (85 mm) fits around any one of them.
"""

from __future__ import annotations

import numpy as np

from arm4r_policy.sim.objects import Box
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import GraspTarget
from arm4r_policy.sim.tasks.layout import Layout, ObjectPose, Workspace, scatter, yaw_quat
from arm4r_policy.sim.tasks.props import (
    CUBE_COLOURS,
    CUBE_EDGE,
    cube_name,
    footprint_radius,
    make_cube,
)
from arm4r_policy.sim.transforms import quat_to_matrix

CUBE_MARGIN = 0.03
"""[m] between cube footprints (and the destack place spot): room for the open jaws."""
STACK_YAW_JITTER = np.radians(10.0)
"""[rad] largest yaw of a stacked cube relative to the one below."""


def cube_objects() -> tuple[Box, ...]:
    """The three cubes, in ``CUBE_COLOURS`` order."""
    return tuple(make_cube(colour) for colour in CUBE_COLOURS)


def cube_layout(
    rng: np.random.Generator,
    workspace: Workspace,
    stacked: tuple[str, str] | None = None,
    place_spot: bool = False,
) -> Layout:
    """Cubes at random spots and yaws on the table.

    Args:
        rng: the only source of randomness.
        workspace: region of the cube centres.
        stacked: ``(top, bottom)`` colours: the top cube starts on the bottom one.
        place_spot: also reserve a free spot for a cube (``Layout.place_spot``).
    """
    standing = [c for c in CUBE_COLOURS if stacked is None or c != stacked[0]]
    radius = footprint_radius(make_cube(CUBE_COLOURS[0]))
    centres = scatter(rng, workspace, [radius] * (len(standing) + place_spot), CUBE_MARGIN)
    yaws = rng.uniform(-np.pi / 4, np.pi / 4, size=len(standing))
    table = workspace.table_height
    poses = {
        cube_name(colour): ObjectPose(np.array([*xy, table + CUBE_EDGE / 2]), yaw_quat(yaw))
        for colour, xy, yaw in zip(standing, centres[: len(standing)], yaws, strict=True)
    }
    if stacked is not None:
        top, bottom = stacked
        below = poses[cube_name(bottom)]
        yaw = 2 * np.arctan2(below.quat[3], below.quat[0]) + rng.uniform(
            -STACK_YAW_JITTER, STACK_YAW_JITTER
        )
        position = below.position + np.array([0.0, 0.0, CUBE_EDGE])
        poses[cube_name(top)] = ObjectPose(position, yaw_quat(yaw))
    spot = np.array([*centres[-1], table]) if place_spot else None
    return Layout(poses=poses, place_spot=spot)


def cube_grasp(cell: SimCell, colour: str) -> GraspTarget:
    """Grasp the cube of ``colour`` at its centre, across either pair of side faces."""
    name = cube_name(colour)
    position, quat = cell.object_pose(name)
    rotation = quat_to_matrix(quat)
    return GraspTarget(
        name=name,
        position=position,
        closing_axes=(rotation[:, 0].copy(), rotation[:, 1].copy()),
        width=CUBE_EDGE,
    )
