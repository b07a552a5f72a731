"""Collision classes and contact materials shared by every geom the cells create.

Two classes: robot geoms (arm links, gripper) and scene geoms (table, stand, task objects). MuJoCo
collides two geoms when ``(contype1 & conaffinity2) or (contype2 & conaffinity1)``, so

- robot vs. robot never collides (no self-collision: the links are capsules that overlap at joints,
  and the fingers may touch when closed on nothing),
- robot vs. scene and scene vs. scene always collide.
"""

from __future__ import annotations

import mujoco

ROBOT_CONTYPE, ROBOT_CONAFFINITY = 2, 1
SCENE_CONTYPE, SCENE_CONAFFINITY = 1, 3

VISIBLE_GROUP = 0
"""Geom group drawn by the cameras (MuJoCo renders groups 0-2 by default)."""
MESH_GROUP = 2
"""Group of optional visual meshes; they never collide."""
HIDDEN_GROUP = 3
"""Group of collision primitives hidden behind visual meshes; not rendered."""

OBJECT_FRICTION = (1.0, 0.005, 0.0001)
"""Sliding, torsional, rolling friction of task objects and the table."""
PAD_FRICTION = (1.5, 0.01, 0.0001)
"""Finger pads: rubber-like; MuJoCo uses the larger coefficient of the two geoms in contact."""
PAD_SOLREF = (0.005, 1.0)
"""Stiff pad contacts (time constant 5 ms = 2.5 steps): a cube squeezed at 70-100 N sinks < 1 mm."""
PAD_SOLIMP = (0.95, 0.99, 0.001, 0.5, 2.0)
CONTACT_CONDIM = 4
"""Sliding plus torsional friction, so a pinched object does not spin about the grasp axis."""


def make_robot_geom(geom: mujoco.MjsGeom, visible: bool) -> None:
    """Put a geom in the robot collision class; hidden (group 3) when a visual mesh replaces it."""
    geom.contype, geom.conaffinity = ROBOT_CONTYPE, ROBOT_CONAFFINITY
    geom.group = VISIBLE_GROUP if visible else HIDDEN_GROUP


def make_scene_geom(geom: mujoco.MjsGeom) -> None:
    """Put a visible geom in the scene collision class with object friction."""
    geom.contype, geom.conaffinity = SCENE_CONTYPE, SCENE_CONAFFINITY
    geom.group = VISIBLE_GROUP
    geom.friction = OBJECT_FRICTION
    geom.condim = CONTACT_CONDIM


def make_finger_pad(geom: mujoco.MjsGeom) -> None:
    """A visible robot geom with the pad's friction and stiffness; priority 1 makes its contact
    parameters win over the object's instead of being averaged."""
    make_robot_geom(geom, visible=True)
    geom.friction, geom.condim = PAD_FRICTION, CONTACT_CONDIM
    geom.solref, geom.solimp, geom.priority = PAD_SOLREF, PAD_SOLIMP, 1


def make_visual_geom(geom: mujoco.MjsGeom) -> None:
    """A drawn-only geom (no contacts, no mass)."""
    geom.contype, geom.conaffinity = 0, 0
    geom.group = MESH_GROUP
    geom.density = 0.0
