"""The simulated arms follow the published chains of KINEMATICS.md exactly.

The reference implementations below are written from the tables directly, in plain NumPy, and share
no code with the package.
"""

import math

import numpy as np
import pytest

from arm4r_policy.sim import FRANKA_PANDA_HAND, KINOVA_GEN3_2F85, forward_kinematics
from arm4r_policy.sim.kinematics import modified_dh_origin, origin_to_pos_quat
from arm4r_policy.sim.transforms import quat_to_matrix

PI = math.pi

# KINEMATICS.md, Kinova Gen3: (origin xyz, roll) per joint (every rpy is (roll, 0, 0)), then flange.
GEN3_ORIGINS = [
    ((0, 0, 0.15643), PI),
    ((0, 0.005375, -0.12838), PI / 2),
    ((0, -0.21038, -0.006375), -PI / 2),
    ((0, 0.006375, -0.21038), PI / 2),
    ((0, -0.20843, -0.006375), -PI / 2),
    ((0, 0.00017505, -0.10593), PI / 2),
    ((0, -0.10593, -0.00017505), -PI / 2),
]
GEN3_FLANGE = ((0, 0, -0.061525), PI)
GEN3_LIMITS = [
    (-2 * PI, 2 * PI),
    (-1.4, 1.4),
    (-2 * PI, 2 * PI),
    (-2.66, 2.66),
    (-2 * PI, 2 * PI),
    (-2.23, 2.23),
    (-2 * PI, 2 * PI),
]
GEN3_MASSES = [1.3773, 1.1636, 1.1636, 0.9302, 0.6781, 0.6781, 0.5]

# KINEMATICS.md, Franka Panda modified DH (a, d, alpha) and limits.
PANDA_DH = [
    (0, 0.333, 0),
    (0, 0, -PI / 2),
    (0, 0.316, PI / 2),
    (0.0825, 0, PI / 2),
    (-0.0825, 0.384, -PI / 2),
    (0, 0, PI / 2),
    (0.088, 0, PI / 2),
]
PANDA_FLANGE_D = 0.107
PANDA_TCP_DEPTH = 0.1034
PANDA_LIMITS = [
    (-2.8973, 2.8973),
    (-1.7628, 1.7628),
    (-2.8973, 2.8973),
    (-3.0718, -0.0698),
    (-2.8973, 2.8973),
    (-0.0175, 3.7525),
    (-2.8973, 2.8973),
]


def _rx(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[1, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1.0]])


def _ry(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, 0, s, 0], [0, 1, 0, 0], [-s, 0, c, 0], [0, 0, 0, 1.0]])


def _rz(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])


def _translate(x, y, z):
    pose = np.eye(4)
    pose[:3, 3] = (x, y, z)
    return pose


def gen3_flange_reference(q):
    """URDF chain: each joint is Trans(xyz) Rx(roll) Rz(q)."""
    pose = np.eye(4)
    for (xyz, roll), angle in zip(GEN3_ORIGINS, q, strict=True):
        pose = pose @ _translate(*xyz) @ _rx(roll) @ _rz(angle)
    return pose @ _translate(*GEN3_FLANGE[0]) @ _rx(GEN3_FLANGE[1])


def panda_flange_reference(q):
    """Craig's modified DH: each link is RotX(alpha) TransX(a) RotZ(theta) TransZ(d)."""
    pose = np.eye(4)
    for (a, d, alpha), theta in zip(PANDA_DH, q, strict=True):
        pose = pose @ _rx(alpha) @ _translate(a, 0, 0) @ _rz(theta) @ _translate(0, 0, d)
    return pose @ _translate(0, 0, PANDA_FLANGE_D)


def _random_configurations(limits, count, seed):
    limits = np.array(limits)
    return np.random.default_rng(seed).uniform(limits[:, 0], limits[:, 1], size=(count, 7))


@pytest.mark.parametrize(
    ("degrees", "expected"),
    [
        ((0, 0, 0, 0, 0, 0, 0), (0.0, -0.0249, 1.1874)),
        ((0, 15, 180, -130, 0, 55, 90), (0.4567, 0.0014, 0.4337)),
    ],
)
def test_gen3_flange_hits_the_published_check_points_within_1mm(degrees, expected):
    flange = forward_kinematics(KINOVA_GEN3_2F85, np.radians(degrees)).flange
    np.testing.assert_allclose(flange[:3, 3], expected, atol=1e-3)


def test_gen3_flange_matches_numpy_urdf_chain_for_random_angles():
    for q in _random_configurations(GEN3_LIMITS, 50, seed=1):
        np.testing.assert_allclose(
            forward_kinematics(KINOVA_GEN3_2F85, q).flange, gen3_flange_reference(q), atol=1e-9
        )


def test_panda_flange_matches_numpy_modified_dh_for_random_angles():
    for q in _random_configurations(PANDA_LIMITS, 50, seed=2):
        np.testing.assert_allclose(
            forward_kinematics(FRANKA_PANDA_HAND, q).flange, panda_flange_reference(q), atol=1e-9
        )


def test_panda_ready_pose_flange_and_tcp_match_hand_computation():
    # q1 = q3 = q5 = 0 keeps the arm in the x-z plane. At q = 0 the joint points are
    # joint 2 at (0, 0, 0.333), joint 4 at (0.0825, 0, 0.649), joint 6 at (0, 0, 1.033), flange at
    # (0.088, 0, 0.926); axes of joints 2 / 4 / 6 are +y / -y / -y. Rotating distal joint first,
    # with s = sin 45 deg: joint 6 (+90 deg about -y) turns the flange offset (0.088, -0.107) into
    # (0.107, 0.088); joint 4 (-135 deg about -y) then puts the flange at
    # (0.0825 + 0.4475 s, 0.649 - 0.4965 s); joint 2 (-45 deg about +y) gives
    # x = s (0.0825 + 0.4475 s - 0.316 + 0.4965 s) = 0.472 - 0.2335 s
    # z = 0.333 + s (0.0825 + 0.4475 s + 0.316 - 0.4965 s) = 0.333 + 0.3985 s - 0.0245.
    s = math.sqrt(0.5)
    expected_flange = np.array([0.472 - 0.2335 * s, 0.0, 0.333 + 0.3985 * s - 0.0245])
    ready = (0, -PI / 4, 0, -3 * PI / 4, 0, PI / 2, PI / 4)
    pose = forward_kinematics(FRANKA_PANDA_HAND, ready)
    np.testing.assert_allclose(pose.flange[:3, 3], expected_flange, atol=1e-6)
    np.testing.assert_allclose(pose.flange[:3, 2], (0, 0, -1), atol=1e-9)
    np.testing.assert_allclose(
        pose.tcp[:3, 3], expected_flange - (0, 0, PANDA_TCP_DEPTH), atol=1e-6
    )


def test_tcp_sits_at_the_gripper_depth_along_the_flange_z_axis():
    for robot in (KINOVA_GEN3_2F85, FRANKA_PANDA_HAND):
        q = _random_configurations(robot.chain.joint_limits, 1, seed=3)[0]
        pose = forward_kinematics(robot, q)
        np.testing.assert_allclose(pose.flange @ robot.tcp_in_flange, pose.tcp, atol=1e-9)
        offset = pose.tcp[:3, 3] - pose.flange[:3, 3]
        np.testing.assert_allclose(offset, robot.gripper.tcp_depth * pose.flange[:3, 2], atol=1e-9)


@pytest.mark.parametrize(
    ("cell_fixture", "limits"), [("kinova_cell", GEN3_LIMITS), ("franka_cell", PANDA_LIMITS)]
)
def test_compiled_joint_limits_match_the_published_tables(request, cell_fixture, limits):
    cell = request.getfixturevalue(cell_fixture)
    for name, expected in zip(cell.robot.chain.joint_names, limits, strict=True):
        joint = cell.model.joint(name)
        assert joint.limited[0]
        np.testing.assert_allclose(joint.range, expected, atol=1e-12)


def test_gen3_link_masses_match_the_published_values(kinova_cell):
    links = [link.link for link in kinova_cell.robot.chain.links]
    masses = [kinova_cell.model.body(name).mass[0] for name in links]
    np.testing.assert_allclose(masses, GEN3_MASSES, rtol=1e-6)


def test_origin_converter_turns_urdf_rpy_into_the_same_rotation():
    rpy = (0.3, -1.1, 2.5)
    pos, quat = origin_to_pos_quat((0.1, 0.2, 0.3), rpy)
    roll, pitch, yaw = rpy
    expected = (_rz(yaw) @ _ry(pitch) @ _rx(roll))[:3, :3]
    np.testing.assert_allclose(quat_to_matrix(quat), expected, atol=1e-12)
    np.testing.assert_allclose(pos, (0.1, 0.2, 0.3))


def test_modified_dh_row_becomes_an_origin_equal_to_craigs_transform():
    a, d, alpha = -0.0825, 0.384, -PI / 2
    xyz, rpy = modified_dh_origin(a, d, alpha)
    craig = _rx(alpha) @ _translate(a, 0, 0) @ _translate(0, 0, d)
    np.testing.assert_allclose(xyz, craig[:3, 3], atol=1e-12)
    np.testing.assert_allclose(_rx(rpy[0])[:3, :3], craig[:3, :3], atol=1e-12)
    assert rpy[1:] == (0.0, 0.0)
