"""The published joint chains of the Kinova Gen3 7-DoF and the Franka Panda, as plain data.

Numbers are those of ``/work/shared/KINEMATICS.md``: the Gen3 from ros2_kortex ``gen3_macro.xacro``
(URDF origins), the Panda from Franka's modified Denavit-Hartenberg table (Craig's convention).
Both chains are stored the URDF way, a child frame per joint given in its parent frame at q = 0 with
the joint rotating about the child's z axis, so one converter (``origin_to_pos_quat``) turns either
into MuJoCo body ``pos`` / ``quat``. Lengths in metres, angles in radians, masses in kilograms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from arm4r_policy.sim.transforms import matrix_to_quat, rpy_to_matrix

Vec3 = tuple[float, float, float]

GEN3_CONTINUOUS_RANGE = 2.0 * math.pi
"""Range [rad] of the Gen3's continuous joints (1, 3, 5, 7): +-2 pi, one full turn each way."""


@dataclass(frozen=True)
class ChainLink:
    """One revolute joint and the link it moves: the child frame in the parent frame at q = 0.

    ``xyz`` [m] and ``rpy`` [rad] follow URDF ``<origin>``; the joint axis is the child's z axis.
    """

    joint: str
    link: str
    xyz: Vec3
    rpy: Vec3
    lower: float
    upper: float
    max_velocity: float  # [rad/s]
    mass: float  # [kg]


@dataclass(frozen=True)
class FixedFrame:
    """A frame rigidly attached to its parent, URDF ``<origin>`` style."""

    name: str
    xyz: Vec3
    rpy: Vec3


@dataclass(frozen=True)
class ArmChain:
    """A 7-DoF serial chain from the base link to the tool flange."""

    name: str
    base_link: str
    base_mass: float  # [kg]
    links: tuple[ChainLink, ...]
    flange: FixedFrame

    @property
    def joint_names(self) -> tuple[str, ...]:
        return tuple(link.joint for link in self.links)

    @property
    def joint_limits(self) -> np.ndarray:
        """(7, 2) lower / upper joint limits [rad]."""
        return np.array([(link.lower, link.upper) for link in self.links])

    @property
    def max_velocities(self) -> np.ndarray:
        """(7,) joint speed limits [rad/s]."""
        return np.array([link.max_velocity for link in self.links])


def origin_to_pos_quat(xyz: Vec3, rpy: Vec3) -> tuple[np.ndarray, np.ndarray]:
    """MuJoCo body ``pos`` (3,) [m] and ``quat`` (4,) (w, x, y, z) of a URDF ``xyz`` / ``rpy``."""
    return np.asarray(xyz, dtype=float), matrix_to_quat(rpy_to_matrix(rpy))


def modified_dh_origin(a: float, d: float, alpha: float) -> tuple[Vec3, Vec3]:
    """URDF ``(xyz, rpy)`` of a modified-DH (Craig) row ``(a [m], d [m], alpha [rad])``, theta = 0.

    Craig's link transform is ``RotX(alpha) TransX(a) RotZ(theta) TransZ(d)``. At theta = 0 the
    child
    origin sits at ``(a, 0, 0) + RotX(alpha) (0, 0, d)`` with orientation ``RotX(alpha)``, and theta
    turns about the child's z axis, exactly a URDF revolute joint.
    """
    xyz = (a, -math.sin(alpha) * d, math.cos(alpha) * d)
    return xyz, (alpha, 0.0, 0.0)


def _gen3_link(joint: int, link: str, xyz: Vec3, roll: float, limit: float | None, mass: float):
    lower, upper = (
        (-limit, limit) if limit is not None else (-GEN3_CONTINUOUS_RANGE, GEN3_CONTINUOUS_RANGE)
    )
    max_velocity = 1.3963 if joint <= 4 else 1.2218
    return ChainLink(
        f"joint_{joint}", link, xyz, (roll, 0.0, 0.0), lower, upper, max_velocity, mass
    )


_HALF_PI = math.pi / 2

KINOVA_GEN3 = ArmChain(
    name="kinova_gen3",
    base_link="base_link",
    base_mass=1.697,
    links=(
        _gen3_link(1, "shoulder_link", (0.0, 0.0, 0.15643), math.pi, None, 1.3773),
        _gen3_link(2, "half_arm_1_link", (0.0, 0.005375, -0.12838), _HALF_PI, 1.4, 1.1636),
        _gen3_link(3, "half_arm_2_link", (0.0, -0.21038, -0.006375), -_HALF_PI, None, 1.1636),
        _gen3_link(4, "forearm_link", (0.0, 0.006375, -0.21038), _HALF_PI, 2.66, 0.9302),
        _gen3_link(
            5, "spherical_wrist_1_link", (0.0, -0.20843, -0.006375), -_HALF_PI, None, 0.6781
        ),
        _gen3_link(
            6, "spherical_wrist_2_link", (0.0, 0.00017505, -0.10593), _HALF_PI, 2.23, 0.6781
        ),
        # The bracelet mass is the one with the vision module (0.364 kg without it).
        _gen3_link(7, "bracelet_link", (0.0, -0.10593, -0.00017505), -_HALF_PI, None, 0.5),
    ),
    flange=FixedFrame("end_effector_link", (0.0, 0.0, -0.061525), (math.pi, 0.0, 0.0)),
)
"""Kinova Gen3 7-DoF; the flange is ``end_effector_link``, the end of MoveIt's ``manipulator``."""

# Franka's modified-DH rows (a, d, alpha), the limits, and the link masses of franka_description.
_PANDA_DH = (
    (0.0, 0.333, 0.0),
    (0.0, 0.0, -_HALF_PI),
    (0.0, 0.316, _HALF_PI),
    (0.0825, 0.0, _HALF_PI),
    (-0.0825, 0.384, -_HALF_PI),
    (0.0, 0.0, _HALF_PI),
    (0.088, 0.0, _HALF_PI),
)
_PANDA_LIMITS = (
    (-2.8973, 2.8973),
    (-1.7628, 1.7628),
    (-2.8973, 2.8973),
    (-3.0718, -0.0698),
    (-2.8973, 2.8973),
    (-0.0175, 3.7525),
    (-2.8973, 2.8973),
)
_PANDA_MAX_VELOCITY = (2.175, 2.175, 2.175, 2.175, 2.61, 2.61, 2.61)
_PANDA_MASS = (4.970684, 0.646926, 3.228604, 3.587895, 1.225946, 1.666555, 0.735522)
_PANDA_FLANGE_DH = (0.0, 0.107, 0.0)


def _panda_links() -> tuple[ChainLink, ...]:
    links = []
    for index, (dh, (lower, upper), speed, mass) in enumerate(
        zip(_PANDA_DH, _PANDA_LIMITS, _PANDA_MAX_VELOCITY, _PANDA_MASS, strict=True), start=1
    ):
        xyz, rpy = modified_dh_origin(*dh)
        links.append(
            ChainLink(
                f"panda_joint{index}", f"panda_link{index}", xyz, rpy, lower, upper, speed, mass
            )
        )
    return tuple(links)


FRANKA_PANDA = ArmChain(
    name="franka_panda",
    base_link="panda_link0",
    base_mass=0.629769,
    links=_panda_links(),
    flange=FixedFrame("panda_link8", *modified_dh_origin(*_PANDA_FLANGE_DH)),
)
"""Franka Panda; the flange is ``panda_link8``, where MoveIt's ``panda_arm`` group ends."""
