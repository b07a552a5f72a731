"""Task objects added to a cell before compilation: boxes, cylinders, spheres, containers, buttons.

Every object is described by a frozen dataclass (sizes in metres, full extents, mass in kg, colour
RGBA in [0, 1]) and an initial pose in the world frame. Boxes, cylinders, spheres and containers are
free bodies (joint ``<name>_free``); a button is a base pinned to the world (a mocap body, so it can
be moved between episodes) with a spring-loaded cap on a slide joint ``<name>_press``. Body name =
object name; geoms are ``<name>`` or ``<name>_<i>``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import mujoco
import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.contacts import make_scene_geom
from arm4r_policy.sim.transforms import matrix_to_quat, rot_z

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]
Rgba = tuple[float, float, float, float]

# Inertia added to a button cap's slide so its end stop stays stiff under a pushing gripper [kg].
_CAP_ARMATURE = 0.2


def free_joint_name(object_name: str) -> str:
    return f"{object_name}_free"


def press_joint_name(button_name: str) -> str:
    return f"{button_name}_press"


def _require_positive(owner: str, **values: float) -> None:
    for field, value in values.items():
        if not value > 0.0:
            raise ConfigError(f"{owner}.{field} = {value}; expected > 0")


@dataclass(frozen=True, kw_only=True)
class TaskObject(ABC):
    """Fields shared by every object; subclasses add their sizes and build their bodies.

    An object that is not a ``FreeObject`` is pinned to the world as a mocap body named ``name``,
    which ``SimCell.set_object_pose`` moves.
    """

    name: str
    rgba: Rgba
    mass: float  # [kg]
    position: Vec3 = (0.0, 0.0, 0.0)  # [m] world frame, body origin (the geometric centre)
    quat: Quat = (1.0, 0.0, 0.0, 0.0)  # (w, x, y, z), world frame

    def __post_init__(self) -> None:
        owner = f"{type(self).__name__}({self.name!r})"
        if not self.name:
            raise ConfigError(f"{type(self).__name__}.name is empty; expected a unique object name")
        _require_positive(owner, mass=self.mass)
        if len(self.rgba) != 4 or not all(0.0 <= c <= 1.0 for c in self.rgba):
            raise ConfigError(f"{owner}.rgba = {self.rgba}; expected 4 values in [0, 1]")

    @abstractmethod
    def add_to(self, world: mujoco.MjsBody) -> None:
        """Create this object's bodies under the world body."""


@dataclass(frozen=True, kw_only=True)
class FreeObject(TaskObject):
    """A rigid object moving freely (joint ``<name>_free``), built from one or more geoms."""

    def add_to(self, world: mujoco.MjsBody) -> None:
        body = world.add_body(name=self.name, pos=self.position, quat=self.quat)
        body.add_freejoint(name=free_joint_name(self.name))
        shapes = self.shapes()
        volume = sum(volume for _, volume in shapes)
        for index, (geom_args, _) in enumerate(shapes):
            geom_name = self.name if len(shapes) == 1 else f"{self.name}_{index}"
            geom = body.add_geom(
                name=geom_name, rgba=self.rgba, density=self.mass / volume, **geom_args
            )
            make_scene_geom(geom)

    @abstractmethod
    def shapes(self) -> list[tuple[dict, float]]:
        """Geom keyword arguments (type, size, pos, quat) and volumes [m^3] of the object."""


@dataclass(frozen=True, kw_only=True)
class Box(FreeObject):
    """A cuboid of full extents ``size`` (3,) [m]; a 4-5 cm cube fits both grippers."""

    size: Vec3

    def __post_init__(self) -> None:
        super().__post_init__()
        _require_positive(
            f"Box({self.name!r})", size_x=self.size[0], size_y=self.size[1], size_z=self.size[2]
        )

    def shapes(self) -> list[tuple[dict, float]]:
        half = np.asarray(self.size) / 2
        return [({"type": mujoco.mjtGeom.mjGEOM_BOX, "size": half}, float(np.prod(self.size)))]


@dataclass(frozen=True, kw_only=True)
class Cylinder(FreeObject):
    """An upright cylinder, ``radius`` and ``height`` [m]."""

    radius: float
    height: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _require_positive(f"Cylinder({self.name!r})", radius=self.radius, height=self.height)

    def shapes(self) -> list[tuple[dict, float]]:
        size = (self.radius, self.height / 2, 0.0)
        return [
            (
                {"type": mujoco.mjtGeom.mjGEOM_CYLINDER, "size": size},
                math.pi * self.radius**2 * self.height,
            )
        ]


@dataclass(frozen=True, kw_only=True)
class Sphere(FreeObject):
    """A ball of ``radius`` [m]."""

    radius: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _require_positive(f"Sphere({self.name!r})", radius=self.radius)

    def shapes(self) -> list[tuple[dict, float]]:
        size = (self.radius, 0.0, 0.0)
        return [
            (
                {"type": mujoco.mjtGeom.mjGEOM_SPHERE, "size": size},
                4.0 / 3.0 * math.pi * self.radius**3,
            )
        ]


@dataclass(frozen=True, kw_only=True)
class Container(FreeObject):
    """An open container built from boxes: a floor and ``sides`` walls on a regular polygon.

    ``sides = 4`` is a square basket, 8 or more reads as a bowl. ``radius`` [m] is the outer
    apothem (centre to the outside of a wall), ``height`` [m] the overall height, ``wall`` [m] the
    wall and floor thickness. The body origin is the centre of the floor's underside.
    """

    radius: float
    height: float
    wall: float = 0.006
    sides: int = 12

    def __post_init__(self) -> None:
        super().__post_init__()
        owner = f"Container({self.name!r})"
        _require_positive(owner, radius=self.radius, height=self.height, wall=self.wall)
        if self.sides < 4:
            raise ConfigError(f"{owner}.sides = {self.sides}; expected >= 4")
        if not self.wall < min(self.radius, self.height) / 2:
            raise ConfigError(f"{owner}.wall = {self.wall}; expected < half of radius and height")

    def _floor(self) -> tuple[dict, float]:
        """A square slab under a basket, a disc under a bowl."""
        centre = (0.0, 0.0, self.wall / 2)
        if self.sides == 4:
            size = (self.radius, self.radius, self.wall / 2)
            return {
                "type": mujoco.mjtGeom.mjGEOM_BOX,
                "size": size,
                "pos": centre,
            }, 4 * self.radius**2 * self.wall
        size = (self.radius, self.wall / 2, 0.0)
        volume = math.pi * self.radius**2 * self.wall
        return {"type": mujoco.mjtGeom.mjGEOM_CYLINDER, "size": size, "pos": centre}, volume

    def shapes(self) -> list[tuple[dict, float]]:
        half_length = self.radius * math.tan(math.pi / self.sides)
        half_height = (self.height - self.wall) / 2
        shapes = [self._floor()]
        for side in range(self.sides):
            angle = 2 * math.pi * side / self.sides
            centre = (self.radius - self.wall / 2) * np.array(
                [math.cos(angle), math.sin(angle), 0.0]
            )
            centre[2] = self.wall + half_height
            wall = {
                "type": mujoco.mjtGeom.mjGEOM_BOX,
                "size": (self.wall / 2, half_length, half_height),
                "pos": centre,
                "quat": matrix_to_quat(rot_z(angle)),
            }
            shapes.append((wall, 8 * (self.wall / 2) * half_length * half_height))
        return shapes


@dataclass(frozen=True, kw_only=True)
class Button(TaskObject):
    """A flat push button: a fixed round base and a cap that sinks ``travel`` [m] against a spring.

    ``radius`` and ``height`` [m] size the cap; the base is 1.4x wider and ``base_height`` tall.
    ``mass`` is the cap's. The body origin is the centre of the base's underside. A press is the cap
    sunk by more than half its travel (``SimCell.button_depth``).
    """

    radius: float
    height: float = 0.015
    base_height: float = 0.01
    travel: float = 0.008
    stiffness: float = 300.0  # [N/m]

    def __post_init__(self) -> None:
        super().__post_init__()
        values = {"radius": self.radius, "height": self.height, "base_height": self.base_height}
        _require_positive(
            f"Button({self.name!r})", travel=self.travel, stiffness=self.stiffness, **values
        )

    def add_to(self, world: mujoco.MjsBody) -> None:
        base = world.add_body(name=self.name, pos=self.position, quat=self.quat, mocap=True)
        base_geom = base.add_geom(
            name=f"{self.name}_base",
            type=mujoco.mjtGeom.mjGEOM_CYLINDER,
            size=(1.4 * self.radius, self.base_height / 2, 0.0),
            pos=(0.0, 0.0, self.base_height / 2),
            rgba=(0.2, 0.2, 0.2, 1.0),
        )
        make_scene_geom(base_geom)
        cap = base.add_body(
            name=f"{self.name}_cap",
            pos=(0.0, 0.0, self.base_height + self.height / 2),
            gravcomp=1.0,
        )
        cap.add_joint(
            name=press_joint_name(self.name),
            type=mujoco.mjtJoint.mjJNT_SLIDE,
            axis=(0.0, 0.0, 1.0),
            range=(-self.travel, 0.0),
            stiffness=self.stiffness,
            damping=2.0 * math.sqrt(self.stiffness * (self.mass + _CAP_ARMATURE)),
            armature=_CAP_ARMATURE,
            solref_limit=(0.005, 1.0),
        )
        cap_geom = cap.add_geom(
            name=f"{self.name}_cap",
            type=mujoco.mjtGeom.mjGEOM_CYLINDER,
            size=(self.radius, self.height / 2, 0.0),
            rgba=self.rgba,
            mass=self.mass,
        )
        make_scene_geom(cap_geom)
