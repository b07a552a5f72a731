"""Arm + gripper descriptions and their MJCF bodies built from the published chains.

Bodies carry the URDF link names of ``kinematics.py``; each joint sits at its body origin and turns
about the body z axis, so MuJoCo's kinematics is the published chain exactly. Geometry is primitive:
per link a capsule along the joint axis (the actuator housing) and a capsule from the joint to the
next joint (the link), the link mass spread uniformly over both, which gives plausible inertias.
Sites named ``base``, ``flange`` and ``tcp`` mark the robot base frame, the tool flange (Gen3
``end_effector_link``, Panda ``panda_link8``) and the point between the fingertips.

Joints are driven by MuJoCo position servos with gravity compensation on every robot body, as the
real arms run joint position control on top of their own gravity model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mujoco
import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.contacts import make_robot_geom
from arm4r_policy.sim.grippers import FRANKA_HAND, ROBOTIQ_2F85, GripperDescription, add_gripper
from arm4r_policy.sim.kinematics import FRANKA_PANDA, KINOVA_GEN3, ArmChain, origin_to_pos_quat
from arm4r_policy.sim.menagerie import (
    BodyMeshes,
    add_visual_meshes,
    franka_panda_meshes,
    kinova_gen3_meshes,
)
from arm4r_policy.sim.names import BASE_SITE, FLANGE_SITE

FloatTuple7 = tuple[float, float, float, float, float, float, float]


@dataclass(frozen=True)
class RobotDescription:
    """An arm chain, its gripper, how its joints are driven, and how it is drawn.

    Per-joint tuples have 7 entries; ``link_radii`` has 8 (base link first).
    """

    chain: ArmChain
    gripper: GripperDescription
    link_radii: tuple[float, ...]  # [m]
    kp: FloatTuple7  # [N m/rad]
    kv: FloatTuple7  # [N m s/rad]
    torque_limits: FloatTuple7  # [N m]
    armature: float  # [kg m^2] reflected rotor inertia per joint
    menagerie_meshes: Callable[[Path], BodyMeshes]

    def __post_init__(self) -> None:
        for field in ("kp", "kv", "torque_limits"):
            if len(getattr(self, field)) != len(self.chain.links):
                raise ConfigError(
                    f"RobotDescription.{field} has {len(getattr(self, field))} entries; "
                    f"expected {len(self.chain.links)} (one per joint of {self.chain.name})"
                )
        if len(self.link_radii) != len(self.chain.links) + 1:
            raise ConfigError(
                f"RobotDescription.link_radii has {len(self.link_radii)} entries; "
                f"expected {len(self.chain.links) + 1} (base link + one per joint)"
            )

    @property
    def name(self) -> str:
        return f"{self.chain.name}+{self.gripper.name}"

    @property
    def tcp_in_flange(self) -> np.ndarray:
        """(4, 4) constant pose of the TCP site in the flange frame."""
        return self.gripper.tcp_in_flange


KINOVA_GEN3_2F85 = RobotDescription(
    chain=KINOVA_GEN3,
    gripper=ROBOTIQ_2F85,
    link_radii=(0.045, 0.045, 0.045, 0.045, 0.04, 0.035, 0.035, 0.035),
    kp=(2000.0, 2000.0, 2000.0, 2000.0, 500.0, 500.0, 500.0),
    kv=(100.0, 100.0, 100.0, 100.0, 50.0, 50.0, 50.0),
    torque_limits=(105.0, 105.0, 105.0, 105.0, 52.0, 52.0, 52.0),
    armature=0.1,
    menagerie_meshes=kinova_gen3_meshes,
)
"""Kinova Gen3 7-DoF + Robotiq 2F-85, the ARM4R Kinova cell's robot.

Torque limits are the Gen3 user guide's actuator "maximum torque" hard limits (large 105 N m,
small 52 N m); gains follow the usual large / small actuator split.
"""

FRANKA_PANDA_HAND = RobotDescription(
    chain=FRANKA_PANDA,
    gripper=FRANKA_HAND,
    link_radii=(0.07, 0.06, 0.06, 0.055, 0.055, 0.05, 0.045, 0.04),
    kp=(4500.0, 4500.0, 3500.0, 3500.0, 2000.0, 2000.0, 2000.0),
    kv=(450.0, 450.0, 350.0, 350.0, 200.0, 200.0, 200.0),
    torque_limits=(87.0, 87.0, 87.0, 87.0, 12.0, 12.0, 12.0),
    armature=0.1,
    menagerie_meshes=franka_panda_meshes,
)
"""Franka Panda + Franka Hand, the ARM4R Franka cell's robot; Franka's 87 / 12 N m torque limits."""


def _capsule_volume(radius: float, length: float) -> float:
    return math.pi * radius**2 * length + 4.0 / 3.0 * math.pi * radius**3


def _add_link_geometry(
    body: mujoco.MjsBody, next_origin: np.ndarray, radius: float, mass: float, visible: bool
) -> None:
    """A joint-housing capsule along z and one to ``next_origin`` (3,) [m], sharing ``mass``."""
    segments = [(np.array([0.0, 0.0, -radius]), np.array([0.0, 0.0, radius]))]
    if np.linalg.norm(next_origin) > 1e-6:
        segments.append((np.zeros(3), next_origin))
    volume = sum(
        _capsule_volume(radius, float(np.linalg.norm(end - start))) for start, end in segments
    )
    for index, (start, end) in enumerate(segments):
        geom = body.add_geom(
            name=f"{body.name}_{index}",
            type=mujoco.mjtGeom.mjGEOM_CAPSULE,
            fromto=np.r_[start, end],
            size=(radius, 0.0, 0.0),
            density=mass / volume,
        )
        geom.rgba = (0.72, 0.74, 0.76, 1.0)
        make_robot_geom(geom, visible)


def add_robot(
    spec: mujoco.MjSpec, parent: mujoco.MjsBody, robot: RobotDescription, meshes: BodyMeshes
) -> None:
    """Build ``robot`` into ``spec`` with its base link at the origin of ``parent``.

    Adds the bodies, joints (limits, armature), position actuators (kp, kv, torque limits; control =
    joint target [rad]), gravity compensation, the gripper and the ``base``, ``flange`` and ``tcp``
    sites.

    Args:
        spec: the model under construction.
        parent: body whose frame is the robot base frame (the world body, or a mount).
        robot: what to build.
        meshes: optional visual meshes by body name; see ``menagerie``.
    """
    chain = robot.chain
    parent.add_site(name=BASE_SITE, size=(0.01, 0.01, 0.01))
    body = parent.add_body(name=chain.base_link)
    next_origins = [np.asarray(link.xyz) for link in chain.links] + [np.asarray(chain.flange.xyz)]
    _add_link_geometry(
        body, next_origins[0], robot.link_radii[0], chain.base_mass, chain.base_link not in meshes
    )
    add_visual_meshes(spec, body, meshes.get(chain.base_link, ()))
    for index, link in enumerate(chain.links):
        pos, quat = origin_to_pos_quat(link.xyz, link.rpy)
        body = body.add_body(name=link.link, pos=pos, quat=quat, gravcomp=1.0)
        body.add_joint(
            name=link.joint,
            axis=(0.0, 0.0, 1.0),
            range=(link.lower, link.upper),
            armature=robot.armature,
        )
        _add_link_geometry(
            body,
            next_origins[index + 1],
            robot.link_radii[index + 1],
            link.mass,
            link.link not in meshes,
        )
        add_visual_meshes(spec, body, meshes.get(link.link, ()))
        actuator = spec.add_actuator(
            name=link.joint, trntype=mujoco.mjtTrn.mjTRN_JOINT, target=link.joint
        )
        actuator.set_to_position(kp=robot.kp[index], kv=robot.kv[index])
        actuator.forcerange = (-robot.torque_limits[index], robot.torque_limits[index])
        actuator.forcelimited = mujoco.mjtLimited.mjLIMITED_TRUE
        actuator.ctrllimited = mujoco.mjtLimited.mjLIMITED_FALSE
    pos, quat = origin_to_pos_quat(chain.flange.xyz, chain.flange.rpy)
    flange = body.add_body(name=chain.flange.name, pos=pos, quat=quat, gravcomp=1.0)
    flange.add_site(name=FLANGE_SITE, size=(0.01, 0.01, 0.01))
    add_gripper(spec, flange, robot.gripper, meshes)
