"""Optional visual meshes from a local ``mujoco_menagerie`` checkout.

When the environment variable ``ARM4R_MENAGERIE`` points at a checkout of
github.com/google-deepmind/mujoco_menagerie, the arm links and gripper housings are drawn with its
meshes (``kinova_gen3/assets``, ``franka_emika_panda/assets``, ``robotiq_2f85/assets``); collision
stays primitive. Mesh frames in Menagerie are the URDF / DH link frames the bodies here are built
on, so each mesh sits at the body origin unless an offset is given. The 2F-85 fingers stay
primitive: the
real finger is a four-bar linkage, modelled here as a prismatic jaw.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import mujoco

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.contacts import make_visual_geom
from arm4r_policy.sim.names import FINGER_BODIES, GRIPPER_BODY

MENAGERIE_ENV = "ARM4R_MENAGERIE"

Vec3 = tuple[float, float, float]
_IDENTITY = (1.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class VisualMesh:
    """A mesh file drawn on a body: pose in the body frame, scale, colour."""

    file: Path
    pos: Vec3 = (0.0, 0.0, 0.0)
    quat: tuple[float, float, float, float] = _IDENTITY
    scale: float = 1.0
    rgba: tuple[float, float, float, float] = (0.75, 0.75, 0.75, 1.0)


BodyMeshes = Mapping[str, tuple[VisualMesh, ...]]
"""Body name -> meshes drawn on it; bodies absent from the mapping keep visible primitives."""

_GEN3_LINKS = (
    "base_link",
    "shoulder_link",
    "half_arm_1_link",
    "half_arm_2_link",
    "forearm_link",
    "spherical_wrist_1_link",
    "spherical_wrist_2_link",
)
_PANDA_PIECES = {
    "panda_link0": tuple(f"link0_{i}" for i in (0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11)),
    "panda_link1": ("link1",),
    "panda_link2": ("link2",),
    "panda_link3": ("link3_0", "link3_1", "link3_2", "link3_3"),
    "panda_link4": ("link4_0", "link4_1", "link4_2", "link4_3"),
    "panda_link5": ("link5_0", "link5_1", "link5_2"),
    "panda_link6": tuple(f"link6_{i}" for i in range(17)),
    "panda_link7": tuple(f"link7_{i}" for i in range(8)),
    GRIPPER_BODY: ("hand_0", "hand_1", "hand_2", "hand_3", "hand_4"),
}
# The Panda finger mesh frame is 0.045 m above the pad centre, where the finger bodies have theirs.
_PANDA_FINGER_OFFSET = (0.0, 0.0, 0.0584 - 0.1034)
_PANDA_WHITE = (0.9, 0.92, 0.93, 1.0)
_ROBOTIQ_BLACK = (0.15, 0.15, 0.15, 1.0)
_MM = 0.001


def menagerie_root() -> Path | None:
    """The checkout named by ``ARM4R_MENAGERIE``, or None when the variable is unset or empty.

    Raises:
        ConfigError: the variable is set but names no directory.
    """
    value = os.environ.get(MENAGERIE_ENV, "")
    if not value:
        return None
    root = Path(value).expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"{MENAGERIE_ENV}={value!r} is not a directory; expected a mujoco_menagerie checkout "
            "(or unset the variable to draw primitive geometry)"
        )
    return root


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(
            f"{MENAGERIE_ENV}: mesh file {path} not found; expected the mujoco_menagerie layout "
            "(kinova_gen3/, franka_emika_panda/, robotiq_2f85/ with assets/)"
        )
    return path


def kinova_gen3_meshes(root: Path) -> dict[str, tuple[VisualMesh, ...]]:
    """Meshes of the Gen3 links (with vision bracelet) and the 2F-85 housing, by body name."""
    arm = root / "kinova_gen3" / "assets"
    meshes = {link: (VisualMesh(_existing(arm / f"{link}.stl")),) for link in _GEN3_LINKS}
    meshes["bracelet_link"] = (VisualMesh(_existing(arm / "bracelet_with_vision_link.stl")),)
    gripper = root / "robotiq_2f85" / "assets"
    half = math.sqrt(0.5)
    meshes[GRIPPER_BODY] = (
        VisualMesh(
            _existing(gripper / "base_mount.stl"),
            (0.0, 0.0, 0.007),
            (half, 0.0, 0.0, half),
            _MM,
            _ROBOTIQ_BLACK,
        ),
        VisualMesh(
            _existing(gripper / "base.stl"), (0.0, 0.0, 0.0108), _IDENTITY, _MM, _ROBOTIQ_BLACK
        ),
    )
    return meshes


def franka_panda_meshes(root: Path) -> dict[str, tuple[VisualMesh, ...]]:
    """Meshes of the Panda links, the hand and both fingers, by body name."""
    assets = root / "franka_emika_panda" / "assets"
    meshes = {
        body: tuple(
            VisualMesh(_existing(assets / f"{piece}.obj"), rgba=_PANDA_WHITE) for piece in pieces
        )
        for body, pieces in _PANDA_PIECES.items()
    }
    finger = tuple(
        VisualMesh(_existing(assets / f"{piece}.obj"), _PANDA_FINGER_OFFSET, rgba=_PANDA_WHITE)
        for piece in ("finger_0", "finger_1")
    )
    meshes.update(dict.fromkeys(FINGER_BODIES, finger))
    return meshes


def add_visual_meshes(
    spec: mujoco.MjSpec, body: mujoco.MjsBody, meshes: tuple[VisualMesh, ...]
) -> None:
    """Draw mesh files on a body (no contacts, no mass); mesh assets are named after the geom."""
    for index, mesh in enumerate(meshes):
        asset = f"{body.name}_mesh{index}"
        # Visual meshes carry no mass; "shell" inertia skips MuJoCo's volume check on thin parts.
        spec.add_mesh(
            name=asset,
            file=str(mesh.file),
            scale=[mesh.scale] * 3,
            inertia=mujoco.mjtMeshInertia.mjMESH_INERTIA_SHELL,
        )
        geom = body.add_geom(
            type=mujoco.mjtGeom.mjGEOM_MESH, meshname=asset, pos=mesh.pos, quat=mesh.quat
        )
        geom.rgba = mesh.rgba
        make_visual_geom(geom)
