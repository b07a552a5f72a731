"""The objects of the ARM4R task families: coloured cubes, toy proxies, a bowl, a basket, buttons.

Every colour, size and mass of the task scenes lives here. Objects are built at the origin; a task
layout places them (``SimCell.set_object_pose``). Two geometric facts a layout needs for any of
them: the footprint radius (a disc around the body origin that holds the object's shadow at any
yaw) and the rest height (the body origin above the table top when the object stands upright).

Toys are proxies of the paper's toys built from primitives, each in its own colours and shape so
the four read apart in a 640x480 frame, and each graspable by the 2F-85 (<= 70 mm across the grasp):

- spiderman: a red figure with blue legs on a blue round stand (12 cm tall),
- penguin: a black upright body with a white belly, a black head and an orange beak,
- pig: a pink body lying on four legs, a pink head and a dark pink snout,
- basketball: an orange ball of 64 mm diameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import mujoco
import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.objects import (
    Box,
    Button,
    Container,
    Cylinder,
    FreeObject,
    Rgba,
    Sphere,
    TaskObject,
    Vec3,
)

COLOURS: dict[str, Rgba] = {
    "yellow": (1.0, 0.82, 0.0, 1.0),
    "cyan": (0.0, 0.78, 0.88, 1.0),
    "green": (0.1, 0.62, 0.18, 1.0),
    "red": (0.85, 0.08, 0.08, 1.0),
    "blue": (0.1, 0.22, 0.88, 1.0),
}
"""Named colours of cubes and buttons, RGBA in [0, 1]."""

CUBE_COLOURS = ("yellow", "cyan", "green")
"""The cubes of every cube scene (paper: pick cube yellow / cyan / green)."""
CUBE_EDGE = 0.045  # [m]
CUBE_MASS = 0.08  # [kg]

BUTTON_RADIUS = 0.025  # [m] cap radius; the base is 1.4x wider
BUTTON_MASS = 0.02  # [kg] cap

MAX_GRASP_WIDTH = 0.07
"""Widest extent across a grasp [m] a toy may have: the 2F-85 opens 85 mm, with 15 mm to spare."""

_BLACK = (0.08, 0.08, 0.1, 1.0)
_WHITE = (0.95, 0.95, 0.95, 1.0)
_ORANGE = (1.0, 0.45, 0.05, 1.0)
_PINK = (1.0, 0.6, 0.7, 1.0)
_DARK_PINK = (0.85, 0.35, 0.45, 1.0)


def cube_name(colour: str) -> str:
    return f"cube_{colour}"


def button_name(colour: str) -> str:
    return f"button_{colour}"


def make_cube(colour: str) -> Box:
    """A ``CUBE_EDGE`` cube of a ``COLOURS`` colour, named ``cube_<colour>``."""
    return Box(name=cube_name(colour), size=(CUBE_EDGE,) * 3, rgba=COLOURS[colour], mass=CUBE_MASS)


def make_button(colour: str) -> Button:
    """A push button with a cap of a ``COLOURS`` colour, named ``button_<colour>``."""
    return Button(
        name=button_name(colour), radius=BUTTON_RADIUS, rgba=COLOURS[colour], mass=BUTTON_MASS
    )


@dataclass(frozen=True)
class ToyPart:
    """One primitive of a toy, in the toy frame (origin under the toy on the table, z up).

    ``size``: box half extents (3,), cylinder ``(radius, half height)`` (upright), sphere
    ``(radius,)`` [m]; ``pos`` (3,) [m] the primitive's centre.
    """

    shape: Literal["box", "cylinder", "sphere"]
    size: tuple[float, ...]
    pos: Vec3
    rgba: Rgba

    def __post_init__(self) -> None:
        expected = {"box": 3, "cylinder": 2, "sphere": 1}[self.shape]
        if len(self.size) != expected or min(self.size) <= 0.0:
            raise ConfigError(
                f"ToyPart({self.shape}).size = {self.size}; expected {expected} positive values"
            )

    @property
    def volume(self) -> float:
        """[m^3]."""
        if self.shape == "box":
            return 8.0 * math.prod(self.size)
        if self.shape == "cylinder":
            return 2.0 * math.pi * self.size[0] ** 2 * self.size[1]
        return 4.0 / 3.0 * math.pi * self.size[0] ** 3

    @property
    def horizontal_radius(self) -> float:
        """Radius [m] of the disc around ``pos`` that holds the part's shadow at any yaw."""
        return math.hypot(*self.size[:2]) if self.shape == "box" else self.size[0]

    @property
    def bottom(self) -> float:
        """Lowest z [m] of the part in the toy frame."""
        half_height = {"box": self.size[-1], "cylinder": self.size[-1], "sphere": self.size[0]}
        return self.pos[2] - half_height[self.shape]

    def geom_args(self) -> dict:
        shape = {
            "box": mujoco.mjtGeom.mjGEOM_BOX,
            "cylinder": mujoco.mjtGeom.mjGEOM_CYLINDER,
            "sphere": mujoco.mjtGeom.mjGEOM_SPHERE,
        }[self.shape]
        size = (*self.size, 0.0, 0.0)[:3]
        return {"type": shape, "size": size, "pos": self.pos}


@dataclass(frozen=True, kw_only=True)
class Toy(FreeObject):
    """A rigid toy built from coloured primitives; ``rgba`` is its main colour.

    The body origin is on the table under the toy (rest height 0). ``grasp_point`` (3,) [m] is
    where the TCP closes on it and ``grasp_axis`` (3,) the unit direction the jaws close along, both
    in the toy frame; ``grasp_width`` [m] is the toy's extent along that axis at the grasp point.
    """

    parts: tuple[ToyPart, ...]
    grasp_point: Vec3
    grasp_axis: Vec3
    grasp_width: float

    def __post_init__(self) -> None:
        super().__post_init__()
        owner = f"Toy({self.name!r})"
        if not self.parts:
            raise ConfigError(f"{owner}.parts is empty; expected at least one ToyPart")
        if not 0.0 < self.grasp_width <= MAX_GRASP_WIDTH:
            raise ConfigError(
                f"{owner}.grasp_width = {self.grasp_width}; expected in (0, {MAX_GRASP_WIDTH}] m"
            )
        if not math.isclose(np.linalg.norm(self.grasp_axis), 1.0, abs_tol=1e-9):
            raise ConfigError(f"{owner}.grasp_axis = {self.grasp_axis}; expected a unit vector")
        if not math.isclose(min(part.bottom for part in self.parts), 0.0, abs_tol=1e-9):
            raise ConfigError(f"{owner}: lowest part bottom must be at z = 0 (the body origin)")

    def shapes(self) -> list[tuple[dict, float]]:
        return [(part.geom_args(), part.volume) for part in self.parts]

    def add_to(self, world: mujoco.MjsBody) -> None:
        super().add_to(world)
        geoms = world.find_child(self.name).geoms
        for geom, part in zip(geoms, self.parts, strict=True):
            geom.rgba = part.rgba

    @property
    def footprint_radius(self) -> float:
        """[m] disc around the body origin holding the toy's shadow at any yaw."""
        return max(math.hypot(*part.pos[:2]) + part.horizontal_radius for part in self.parts)


def _spiderman() -> Toy:
    red = COLOURS["red"]
    return Toy(
        name="spiderman",
        rgba=red,
        mass=0.06,
        parts=(
            ToyPart("cylinder", (0.025, 0.004), (0.0, 0.0, 0.004), COLOURS["blue"]),
            ToyPart("box", (0.014, 0.01, 0.018), (0.0, 0.0, 0.026), COLOURS["blue"]),
            ToyPart("box", (0.018, 0.012, 0.022), (0.0, 0.0, 0.066), red),
            ToyPart("sphere", (0.015,), (0.0, 0.0, 0.103), red),
        ),
        grasp_point=(0.0, 0.0, 0.066),
        grasp_axis=(0.0, 1.0, 0.0),
        grasp_width=0.024,
    )


def _penguin() -> Toy:
    return Toy(
        name="penguin",
        rgba=_BLACK,
        mass=0.06,
        parts=(
            ToyPart("cylinder", (0.026, 0.03), (0.0, 0.0, 0.03), _BLACK),
            ToyPart("box", (0.004, 0.017, 0.022), (0.025, 0.0, 0.032), _WHITE),
            ToyPart("sphere", (0.02,), (0.0, 0.0, 0.076), _BLACK),
            ToyPart("box", (0.01, 0.006, 0.004), (0.026, 0.0, 0.076), _ORANGE),
        ),
        grasp_point=(0.0, 0.0, 0.03),
        grasp_axis=(0.0, 1.0, 0.0),
        grasp_width=0.052,
    )


def _pig() -> Toy:
    legs = tuple(
        ToyPart("cylinder", (0.007, 0.005), (x, y, 0.005), _PINK)
        for x in (-0.038, 0.006)
        for y in (-0.015, 0.015)
    )
    return Toy(
        name="pig",
        rgba=_PINK,
        mass=0.05,
        parts=(
            ToyPart("box", (0.038, 0.024, 0.02), (-0.016, 0.0, 0.03), _PINK),
            *legs,
            ToyPart("sphere", (0.02,), (0.03, 0.0, 0.042), _PINK),
            ToyPart("box", (0.006, 0.01, 0.008), (0.052, 0.0, 0.04), _DARK_PINK),
        ),
        grasp_point=(-0.016, 0.0, 0.03),
        grasp_axis=(0.0, 1.0, 0.0),
        grasp_width=0.048,
    )


def _basketball() -> Toy:
    return Toy(
        name="basketball",
        rgba=_ORANGE,
        mass=0.04,
        parts=(ToyPart("sphere", (0.032,), (0.0, 0.0, 0.032), _ORANGE),),
        grasp_point=(0.0, 0.0, 0.032),
        grasp_axis=(1.0, 0.0, 0.0),
        grasp_width=0.064,
    )


TOYS: dict[str, Toy] = {toy.name: toy for toy in (_spiderman(), _penguin(), _pig(), _basketball())}
"""The pick & place toys by name (paper: spiderman, penguin, pig, basketball)."""

BOWL = Container(name="bowl", radius=0.09, height=0.07, sides=12, rgba=_WHITE, mass=0.3)
BASKET = Container(
    name="basket", radius=0.08, height=0.09, sides=4, rgba=(0.55, 0.36, 0.18, 1.0), mass=0.4
)


def footprint_radius(obj: TaskObject) -> float:
    """[m] a disc around the body origin that holds the object's shadow on the table at any yaw."""
    if isinstance(obj, Toy):
        return obj.footprint_radius
    if isinstance(obj, Box):
        return math.hypot(obj.size[0], obj.size[1]) / 2
    if isinstance(obj, Container):
        return obj.radius / math.cos(math.pi / obj.sides)
    if isinstance(obj, Button):
        return 1.4 * obj.radius
    if isinstance(obj, Cylinder | Sphere):
        return obj.radius
    raise ConfigError(f"footprint_radius: no footprint for a {type(obj).__name__}")


def rest_height(obj: TaskObject) -> float:
    """[m] height of the body origin above the table top when the object stands upright on it."""
    if isinstance(obj, Box):
        return obj.size[2] / 2
    if isinstance(obj, Cylinder):
        return obj.height / 2
    if isinstance(obj, Sphere):
        return obj.radius
    if isinstance(obj, Toy | Container | Button):
        return 0.0
    raise ConfigError(f"rest_height: no rest height for a {type(obj).__name__}")
