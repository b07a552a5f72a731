"""Parallel-jaw grippers: the Robotiq 2F-85 and the Franka Hand as prismatic two-finger models.

Gripper frame: origin on the flange, z along the approach direction (out of the flange), the jaws
move along y. Each finger frame sits at the centre of its pad's contact face, its +y pointing away
from the other finger; a slide joint moves it inwards by ``q`` in ``[0, stroke / 2]`` (0 = open).
The two finger joints are tied by a joint equality and driven through one fixed tendon
``q_left + q_right`` by one position actuator whose control is the normalised closure in [0, 1]
(0 open, 1 closed), so the jaw width is ``stroke - q_left - q_right`` [m].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mujoco
import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.contacts import make_finger_pad, make_robot_geom
from arm4r_policy.sim.menagerie import BodyMeshes, add_visual_meshes
from arm4r_policy.sim.names import (
    FINGER_BODIES,
    FINGER_JOINTS,
    GRIPPER_ACTUATOR,
    GRIPPER_BODY,
    GRIPPER_TENDON,
    TCP_SITE,
)
from arm4r_policy.sim.transforms import matrix_to_quat, rot_z

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class BoxShape:
    """A box primitive: half extents [m] and centre [m] in its body frame."""

    half_size: Vec3
    pos: Vec3


@dataclass(frozen=True)
class GripperDescription:
    """Geometry, mass and drive of a parallel-jaw gripper (see the module docstring for frames)."""

    name: str
    stroke: float  # [m] pad-to-pad opening at closure 0
    mount_yaw: float  # [rad] rotation of the gripper frame about the flange z axis
    tcp_depth: float  # [m] TCP (pad centre, between the fingertips) along gripper z
    housing: tuple[BoxShape, ...]  # in the gripper frame
    housing_mass: float  # [kg]
    finger_link: BoxShape  # in the finger frame, connecting the pad to the housing
    # [m] (across, thickness, along z); the pad lies on the finger frame's +y side.
    pad_half_size: Vec3
    finger_mass: float  # [kg] per finger
    kp: float  # [N/m] on the closing tendon
    kv: float  # [N s/m]
    force_limit: float  # [N] per finger

    def __post_init__(self) -> None:
        for field in (
            "stroke",
            "tcp_depth",
            "housing_mass",
            "finger_mass",
            "kp",
            "kv",
            "force_limit",
        ):
            if not getattr(self, field) > 0.0:
                raise ConfigError(
                    f"GripperDescription.{field} = {getattr(self, field)}; expected > 0"
                )

    @property
    def tcp_in_flange(self) -> np.ndarray:
        """(4, 4) pose of the TCP in the flange frame."""
        pose = np.eye(4)
        pose[:3, :3] = rot_z(self.mount_yaw)
        pose[:3, 3] = pose[:3, :3] @ np.array([0.0, 0.0, self.tcp_depth])
        return pose


ROBOTIQ_2F85 = GripperDescription(
    name="robotiq_2f85",
    stroke=0.085,
    mount_yaw=0.0,
    tcp_depth=0.14,
    housing=(
        BoxShape((0.0375, 0.0375, 0.007), (0.0, 0.0, 0.007)),  # coupling
        BoxShape((0.0235, 0.045, 0.035), (0.0, 0.0, 0.049)),  # body
    ),
    housing_mass=0.8,
    finger_link=BoxShape((0.011, 0.006, 0.028), (0.0, 0.01, -0.045)),
    pad_half_size=(0.011, 0.004, 0.019),
    finger_mass=0.06,
    kp=2000.0,
    kv=100.0,
    force_limit=100.0,
)
"""Robotiq 2F-85: 0-85 mm stroke, TCP at the pad centre 0.14 m below ``end_effector_link``."""

FRANKA_HAND = GripperDescription(
    name="franka_hand",
    stroke=0.08,
    mount_yaw=-math.pi / 4,
    tcp_depth=0.1034,
    housing=(BoxShape((0.03, 0.1, 0.029), (0.0, 0.0, 0.029)),),
    housing_mass=0.73,
    finger_link=BoxShape((0.0085, 0.006, 0.022), (0.0, 0.008, -0.023)),
    pad_half_size=(0.0085, 0.004, 0.009),
    finger_mass=0.015,
    kp=2000.0,
    kv=100.0,
    force_limit=70.0,
)
"""Franka Hand: 0-80 mm, mounted -45 deg about the flange z, TCP 0.1034 m beyond ``panda_link8``."""


def _add_box(body: mujoco.MjsBody, shape: BoxShape, name: str, visible: bool) -> mujoco.MjsGeom:
    geom = body.add_geom(
        name=name, type=mujoco.mjtGeom.mjGEOM_BOX, size=shape.half_size, pos=shape.pos
    )
    make_robot_geom(geom, visible)
    return geom


def _add_finger(
    spec: mujoco.MjSpec,
    housing: mujoco.MjsBody,
    gripper: GripperDescription,
    side: int,
    meshes: BodyMeshes,
) -> None:
    index = 0 if side > 0 else 1
    name = FINGER_BODIES[index]
    yaw = 0.0 if side > 0 else math.pi
    finger = housing.add_body(
        name=name,
        pos=(0.0, side * gripper.stroke / 2, gripper.tcp_depth),
        quat=matrix_to_quat(rot_z(yaw)),
        gravcomp=1.0,
    )
    finger.add_joint(
        name=FINGER_JOINTS[index],
        type=mujoco.mjtJoint.mjJNT_SLIDE,
        axis=(0.0, -1.0, 0.0),
        range=(0.0, gripper.stroke / 2),
        armature=0.01,
    )
    visible = name not in meshes
    pad = finger.add_geom(
        name=f"{name}_pad",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=gripper.pad_half_size,
        pos=(0.0, gripper.pad_half_size[1], 0.0),
    )
    make_finger_pad(pad)
    link = _add_box(finger, gripper.finger_link, f"{name}_link", visible)
    volume = np.prod(gripper.pad_half_size) + np.prod(gripper.finger_link.half_size)
    pad.density = link.density = gripper.finger_mass / (8.0 * volume)
    add_visual_meshes(spec, finger, meshes.get(name, ()))


def add_gripper(
    spec: mujoco.MjSpec, flange: mujoco.MjsBody, gripper: GripperDescription, meshes: BodyMeshes
) -> None:
    """Attach ``gripper`` to the ``flange`` body: housing, fingers, coupling, actuator, TCP site.

    Args:
        spec: the model under construction; receives the tendon, equality and actuator.
        flange: body of the tool flange frame.
        gripper: what to build.
        meshes: optional visual meshes by body name (``menagerie``); bodies listed there hide their
            primitives, except the finger pads, which always stay visible.
    """
    housing = flange.add_body(
        name=GRIPPER_BODY, quat=matrix_to_quat(rot_z(gripper.mount_yaw)), gravcomp=1.0
    )
    visible = GRIPPER_BODY not in meshes
    geoms = [
        _add_box(housing, shape, f"{GRIPPER_BODY}_{i}", visible)
        for i, shape in enumerate(gripper.housing)
    ]
    volume = sum(8.0 * np.prod(shape.half_size) for shape in gripper.housing)
    for geom in geoms:
        geom.density = gripper.housing_mass / volume
    add_visual_meshes(spec, housing, meshes.get(GRIPPER_BODY, ()))
    housing.add_site(name=TCP_SITE, pos=(0.0, 0.0, gripper.tcp_depth), size=(0.005, 0.005, 0.005))
    for side in (1, -1):
        _add_finger(spec, housing, gripper, side, meshes)

    tendon = spec.add_tendon(name=GRIPPER_TENDON)
    for joint in FINGER_JOINTS:
        tendon.wrap_joint(joint, 1.0)
    spec.add_equality(
        name="gripper_symmetry",
        type=mujoco.mjtEq.mjEQ_JOINT,
        name1=FINGER_JOINTS[1],
        name2=FINGER_JOINTS[0],
    )  # default polynomial: q_right = q_left
    actuator = spec.add_actuator(
        name=GRIPPER_ACTUATOR,
        trntype=mujoco.mjtTrn.mjTRN_TENDON,
        target=GRIPPER_TENDON,
        gaintype=mujoco.mjtGain.mjGAIN_FIXED,
        biastype=mujoco.mjtBias.mjBIAS_AFFINE,
        ctrlrange=(0.0, 1.0),
        forcerange=(-gripper.force_limit, gripper.force_limit),
    )
    # force = kp * stroke * closure - kp * (q_left + q_right) - kv * velocity: a position servo
    # whose control is the closure, so ``data.ctrl`` reads the same as the public command.
    actuator.gainprm[0] = gripper.kp * gripper.stroke
    actuator.biasprm[:3] = (0.0, -gripper.kp, -gripper.kv)
    actuator.ctrllimited = mujoco.mjtLimited.mjLIMITED_TRUE
    actuator.forcelimited = mujoco.mjtLimited.mjLIMITED_TRUE
