"""Optional Menagerie meshes: loaded by their documented file names, clear errors otherwise."""

import struct

import mujoco
import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim import CellConfig, SimCell
from arm4r_policy.sim.contacts import HIDDEN_GROUP, MESH_GROUP
from arm4r_policy.sim.menagerie import MENAGERIE_ENV

TETRAHEDRON = ((0, 0, 0), (0.01, 0, 0), (0, 0.01, 0), (0, 0, 0.01))
FACES = ((0, 2, 1), (0, 1, 3), (0, 3, 2), (1, 2, 3))

GEN3_FILES = [
    f"kinova_gen3/assets/{name}.stl"
    for name in (
        "base_link",
        "shoulder_link",
        "half_arm_1_link",
        "half_arm_2_link",
        "forearm_link",
        "spherical_wrist_1_link",
        "spherical_wrist_2_link",
        "bracelet_with_vision_link",
    )
] + ["robotiq_2f85/assets/base_mount.stl", "robotiq_2f85/assets/base.stl"]
PANDA_PIECES = (
    [f"link0_{i}" for i in (0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11)]
    + ["link1", "link2"]
    + [f"link3_{i}" for i in range(4)]
    + [f"link4_{i}" for i in range(4)]
    + [f"link5_{i}" for i in range(3)]
    + [f"link6_{i}" for i in range(17)]
    + [f"link7_{i}" for i in range(8)]
    + [f"hand_{i}" for i in range(5)]
    + ["finger_0", "finger_1"]
)
PANDA_FILES = [f"franka_emika_panda/assets/{piece}.obj" for piece in PANDA_PIECES]


def _write_stl(path):
    triangles = [[TETRAHEDRON[i] for i in face] for face in FACES]
    corners = [[value for vertex in tri for value in vertex] for tri in triangles]
    body = b"".join(struct.pack("<12fH", 0, 0, 0, *values, 0) for values in corners)
    path.write_bytes(b"\0" * 80 + struct.pack("<I", len(triangles)) + body)


def _write_obj(path):
    vertices = "".join(f"v {x} {y} {z}\n" for x, y, z in TETRAHEDRON)
    faces = "".join(f"f {a + 1} {b + 1} {c + 1}\n" for a, b, c in FACES)
    path.write_text(vertices + faces)


@pytest.fixture
def fake_menagerie(tmp_path, monkeypatch):
    """A checkout with a tiny tetrahedron under every file name the cells look for."""
    for relative in GEN3_FILES + PANDA_FILES:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        (_write_stl if path.suffix == ".stl" else _write_obj)(path)
    monkeypatch.setenv(MENAGERIE_ENV, str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("config", "mesh_count"), [(CellConfig.kinova, 10), (CellConfig.franka, 58)]
)
def test_menagerie_meshes_replace_visible_primitives_and_keep_collision(
    fake_menagerie, config, mesh_count
):
    with SimCell(config()) as cell:
        model = cell.model
        assert model.nmesh == mesh_count
        mesh_geoms = [
            i for i in range(model.ngeom) if model.geom_type[i] == mujoco.mjtGeom.mjGEOM_MESH
        ]
        assert {int(model.geom_group[i]) for i in mesh_geoms} == {MESH_GROUP}
        assert all(model.geom_contype[i] == 0 for i in mesh_geoms)
        link = model.geom(f"{cell.robot.chain.links[2].link}_0")
        assert link.group[0] == HIDDEN_GROUP
        assert link.contype[0] != 0
        assert model.geom("gripper_finger_left_pad").group[0] != HIDDEN_GROUP


def test_without_the_variable_the_robots_are_primitive_only(monkeypatch):
    monkeypatch.delenv(MENAGERIE_ENV, raising=False)
    with SimCell(CellConfig.franka()) as cell:
        assert cell.model.nmesh == 0


def test_a_missing_menagerie_directory_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(MENAGERIE_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match=f"{MENAGERIE_ENV}=.*nowhere.*not a directory"):
        SimCell(CellConfig.kinova())


def test_a_checkout_without_the_meshes_names_the_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv(MENAGERIE_ENV, str(tmp_path))
    with pytest.raises(ConfigError, match="kinova_gen3/assets/base_link.stl not found"):
        SimCell(CellConfig.kinova())
