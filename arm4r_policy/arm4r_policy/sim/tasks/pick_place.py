"""Pick & place toys / basketball (paper appendix E.3): "After picking up the toy described in the
instruction from point A, the robot moves and places the toy into a bowl or basket at point B."

The scene holds all four toys (the three not named are distractors), the bowl and the basket; the
figures go into the bowl, the basketball into the basket (the paper's "play basketball").
In place: the toy's centre of mass is inside the container, i.e. in the container's frame within
the inner face of every wall (the rim footprint) and between the floor and the rim top. Also needs
the toy picked and released (``placing``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arm4r_policy.sim.objects import Container, TaskObject
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.tasks.base import GraspTarget
from arm4r_policy.sim.tasks.layout import Layout, ObjectPose, scatter, yaw_quat
from arm4r_policy.sim.tasks.placing import PLACE_CLEARANCE, PlacingTask
from arm4r_policy.sim.tasks.props import BASKET, BOWL, TOYS, footprint_radius
from arm4r_policy.sim.transforms import invert_pose, make_pose, quat_to_matrix, transform_points

TOY_MARGIN = 0.03
"""[m] between the footprints of toys and containers."""

CONTAINER_OF_TOY = {"spiderman": BOWL, "penguin": BOWL, "pig": BOWL, "basketball": BASKET}


def is_inside(container: Container, pose: np.ndarray, point: np.ndarray) -> bool:
    """Whether a world point (3,) [m] lies inside ``container`` at ``pose`` (4, 4): within the inner
    faces of its walls and between the top of its floor and its rim."""
    local = transform_points(invert_pose(pose), point)
    angles = 2 * np.pi * np.arange(container.sides) / container.sides
    normals = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    within_walls = np.max(normals @ local[:2]) < container.radius - container.wall
    return bool(within_walls and container.wall < local[2] < container.height)


class PickPlace(PlacingTask):
    """Put the variation's toy into its container."""

    variations = tuple(CONTAINER_OF_TOY)
    max_seconds = 25.0

    @property
    def container(self) -> Container:
        return CONTAINER_OF_TOY[self.variation]

    @property
    def instruction(self) -> str:
        return f"place the {self.variation} into the {self.container.name}"

    @property
    def picked_object(self) -> str:
        return self.variation

    def scene_objects(self) -> Sequence[TaskObject]:
        return (*TOYS.values(), BOWL, BASKET)

    def sample_layout(self, rng: np.random.Generator) -> Layout:
        objects = self.scene_objects()
        radii = [footprint_radius(obj) for obj in objects]
        centres = scatter(rng, self.workspace, radii, TOY_MARGIN)
        yaws = rng.uniform(-np.pi, np.pi, size=len(objects))
        table = self.workspace.table_height
        return Layout(
            poses={
                obj.name: ObjectPose(np.array([*xy, table]), yaw_quat(yaw))
                for obj, xy, yaw in zip(objects, centres, yaws, strict=True)
            }
        )

    def in_place(self, cell: SimCell) -> bool:
        position, quat = cell.object_pose(self.container.name)
        cell.update_kinematics()
        centre_of_mass = cell.data.body(self.variation).xipos
        pose = make_pose(quat_to_matrix(quat), position)
        return is_inside(self.container, pose, centre_of_mass)

    def grasp_target(self, cell: SimCell) -> GraspTarget:
        toy = TOYS[self.variation]
        position, quat = cell.object_pose(toy.name)
        rotation = quat_to_matrix(quat)
        return GraspTarget(
            name=toy.name,
            position=position + rotation @ toy.grasp_point,
            closing_axes=(rotation @ toy.grasp_axis,),
            width=toy.grasp_width,
        )

    def place_target(self, cell: SimCell) -> np.ndarray:
        """Above the container's floor centre by the toy's grasp height, toy held upright."""
        position, quat = cell.object_pose(self.container.name)
        floor = position + quat_to_matrix(quat) @ (0.0, 0.0, self.container.wall)
        grasp_height = TOYS[self.variation].grasp_point[2]
        return floor + np.array([0.0, 0.0, grasp_height + PLACE_CLEARANCE])
