"""Properties and pinned conventions of arm4r_policy.runtime.pose."""

import math

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from arm4r_policy.errors import ObservationError
from arm4r_policy.runtime.pose import (
    absolute_to_relative,
    euler_xyz_to_matrix,
    matrix_to_euler_xyz,
    matrix_to_quat_xyzw,
    matrix_to_rot6d,
    orthonormalize_rot6d,
    quat_xyzw_to_matrix,
    relative_to_absolute,
    rot6d_to_matrix,
    rotation_angle,
    slerp_matrix,
    state7_to_state10,
    state10_to_state7,
)

TOL = 1e-9
PI = math.pi


# ------------------------------------------------------------------------------------------
# helpers and strategies
# ------------------------------------------------------------------------------------------


def rx(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def ry(b):
    c, s = math.cos(b), math.sin(b)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rz(c_):
    c, s = math.cos(c_), math.sin(c_)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def assert_rotation(r, tol=TOL):
    r = np.asarray(r, dtype=np.float64)
    eye = np.broadcast_to(np.eye(3), r.shape)
    np.testing.assert_allclose(r @ np.swapaxes(r, -1, -2), eye, atol=tol)
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=tol)


angle = st.floats(-2 * PI, 2 * PI, allow_nan=False, allow_infinity=False)
# b close to the gimbal lock as well as anywhere.
near_lock = st.sampled_from([PI / 2, -PI / 2]).flatmap(
    lambda b0: st.floats(-1e-6, 1e-6).map(lambda d: b0 + d)
)
eulers = st.tuples(angle, st.one_of(angle, near_lock, st.sampled_from([PI / 2, -PI / 2])), angle)

finite = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)
vec6 = hnp.arrays(np.float64, (6,), elements=finite)
quat_raw = hnp.arrays(np.float64, (4,), elements=finite).filter(lambda q: np.linalg.norm(q) > 1e-3)


@st.composite
def rotations(draw):
    q = draw(quat_raw)
    return quat_xyzw_to_matrix(q)


@st.composite
def states10(draw):
    p = draw(hnp.arrays(np.float64, (3,), elements=st.floats(-3.0, 3.0)))
    r6 = matrix_to_rot6d(draw(rotations()))
    g = draw(st.floats(0.0, 1.0))
    return np.concatenate([p, r6, [g]])


# ------------------------------------------------------------------------------------------
# Euler "XYZ" convention: intrinsic, R = Rx(a) Ry(b) Rz(c) (scipy "XYZ", the authors' choice)
# ------------------------------------------------------------------------------------------


@given(eulers)
def test_euler_is_intrinsic_xyz_product_of_elementary_rotations(e):
    a, b, c = e
    np.testing.assert_allclose(euler_xyz_to_matrix(np.array(e)), rx(a) @ ry(b) @ rz(c), atol=1e-12)


def test_euler_matches_scipy_upper_case_xyz_reference_values():
    # Produced once with scipy 1.17: Rotation.from_euler("XYZ", [0.3, -0.7, 2.1]).as_matrix()
    # and .as_quat(); the public ARM4R code converts its Euler states exactly that way.
    expected = np.array(
        [
            [-0.38612759888420867, -0.6602189400721825, -0.644217687237691],
            [0.9207676759633621, -0.3179606721017415, -0.22602632124962296],
            [-0.05560903057008509, -0.6804498234010886, 0.7306816499355123],
        ]
    )
    euler = np.array([0.3, -0.7, 2.1])
    np.testing.assert_allclose(euler_xyz_to_matrix(euler), expected, atol=1e-15)
    np.testing.assert_allclose(matrix_to_euler_xyz(expected), euler, atol=1e-12)
    quat = np.array(
        [-0.22424953917568066, -0.29046741506017276, 0.7801874647995606, 0.5066047223796779]
    )
    np.testing.assert_allclose(matrix_to_quat_xyzw(expected), quat, atol=1e-12)
    # Lower-case (extrinsic) "xyz" would be Rz Ry Rx: clearly a different matrix.
    assert not np.allclose(euler_xyz_to_matrix(euler), rz(2.1) @ ry(-0.7) @ rx(0.3), atol=1e-3)


def test_euler_single_axis_meaning():
    # +90 deg about X maps the y axis to z.
    np.testing.assert_allclose(
        euler_xyz_to_matrix([PI / 2, 0, 0]) @ [0, 1, 0], [0, 0, 1], atol=1e-15
    )
    # Intrinsic: after a = 90 deg about X, c rotates about the NEW z axis (= old -y).
    r = euler_xyz_to_matrix([PI / 2, 0.0, PI / 2])
    np.testing.assert_allclose(r @ [1, 0, 0], [0, 0, 1], atol=1e-15)


@given(eulers)
def test_euler_matrix_euler_matrix_round_trip(e):
    r = euler_xyz_to_matrix(np.array(e))
    e2 = matrix_to_euler_xyz(r)
    assert -PI <= e2[0] <= PI
    assert -PI / 2 <= e2[1] <= PI / 2
    assert -PI <= e2[2] <= PI
    np.testing.assert_allclose(euler_xyz_to_matrix(e2), r, atol=TOL)


@given(
    st.floats(-PI + 1e-6, PI - 1e-6),
    st.floats(-PI / 2 + 1e-3, PI / 2 - 1e-3),
    st.floats(-PI + 1e-6, PI - 1e-6),
)
def test_euler_angles_recovered_in_principal_range(a, b, c):
    e = np.array([a, b, c])
    np.testing.assert_allclose(matrix_to_euler_xyz(euler_xyz_to_matrix(e)), e, atol=TOL)


@given(angle, st.sampled_from([PI / 2, -PI / 2]), angle)
def test_gimbal_lock_gives_valid_triple_with_zero_third_angle(a, b, c):
    r = euler_xyz_to_matrix([a, b, c])
    e = matrix_to_euler_xyz(r)
    assert e[2] == 0.0
    np.testing.assert_allclose(e[1], b, atol=1e-7)
    np.testing.assert_allclose(euler_xyz_to_matrix(e), r, atol=TOL)


def test_gimbal_lock_matches_scipy_choice():
    # scipy: from_euler("XYZ", [0.4, pi/2, -0.3]).as_euler("XYZ") == [0.1, pi/2, 0] (a + c in a).
    e = matrix_to_euler_xyz(euler_xyz_to_matrix([0.4, PI / 2, -0.3]))
    np.testing.assert_allclose(e, [0.1, PI / 2, 0.0], atol=1e-12)
    # b = -pi/2: only a - c is defined.
    e = matrix_to_euler_xyz(euler_xyz_to_matrix([0.4, -PI / 2, -0.3]))
    np.testing.assert_allclose(e, [0.7, -PI / 2, 0.0], atol=1e-12)


# ------------------------------------------------------------------------------------------
# 6D rotation and Gram-Schmidt
# ------------------------------------------------------------------------------------------


def test_rot6d_is_first_two_rows_row_major():
    r = euler_xyz_to_matrix([0.3, -0.7, 2.1])
    np.testing.assert_array_equal(matrix_to_rot6d(r), np.concatenate([r[0], r[1]]))


@given(rotations())
def test_rot6d_round_trip_on_rotation_matrices(r):
    np.testing.assert_allclose(rot6d_to_matrix(matrix_to_rot6d(r)), r, atol=TOL)


@given(vec6)
@example(np.array([1.0, 4.39803313e-08, 0.0, 1.0, 0.0, 0.0]))  # nearly parallel rows
@example(np.full(6, 5e-324))  # subnormal rows
def test_gram_schmidt_gives_proper_rotation_for_any_finite_input(v):
    # Includes degenerate draws (zeros, parallel rows): the result is always a rotation.
    assert_rotation(rot6d_to_matrix(v))


@given(vec6)
def test_gram_schmidt_keeps_first_row_direction_and_second_row_half_plane(v):
    a1, a2 = v[:3], v[3:]
    assume(np.linalg.norm(a1) > 1e-3 and np.linalg.norm(np.cross(a1, a2)) > 1e-3)
    r = rot6d_to_matrix(v)
    np.testing.assert_allclose(r[0], a1 / np.linalg.norm(a1), atol=TOL)
    # b2 lies in span(a1, a2), on a2's side of a1.
    assert abs(np.dot(r[1], np.cross(a1, a2))) < TOL * np.linalg.norm(np.cross(a1, a2)) + 1e-12
    assert np.dot(r[1], a2) > 0
    np.testing.assert_allclose(r[2], np.cross(r[0], r[1]), atol=TOL)


@given(vec6, st.floats(1e-3, 1e3), st.floats(1e-3, 1e3))
def test_gram_schmidt_ignores_positive_row_scaling(v, s1, s2):
    a1, a2 = v[:3], v[3:]
    n1, n2 = np.linalg.norm(a1), np.linalg.norm(a2)
    # Well-conditioned pairs, or an exactly zero row (the fallbacks are scale-free too); no
    # entries so small that scaling them rounds (subnormals).
    assume(np.all((v == 0) | (np.abs(v) > 1e-290)))
    assume(n1 == 0 or n2 == 0 or np.linalg.norm(np.cross(a1, a2)) > 1e-3 * n1 * n2)
    scaled = np.concatenate([s1 * v[:3], s2 * v[3:]])
    np.testing.assert_allclose(rot6d_to_matrix(scaled), rot6d_to_matrix(v), atol=1e-8)


@pytest.mark.parametrize(
    "v",
    [
        np.zeros(6),
        np.array([0, 0, 0, 0.0, 2.0, 0.0]),
        np.array([1.0, 2.0, 3.0, 0, 0, 0]),
        np.array([1.0, 2.0, 3.0, 2.0, 4.0, 6.0]),
        np.array([1.0, 2.0, 3.0, -1.0, -2.0, -3.0]),
        np.array([1e-300, 0, 0, 0, 1e-300, 0]),
        np.array([1e200, 0, 0, 0, 1e200, 0]),
        np.array([1.0, 0, 0, 1.0, 1e-14, 0]),
        np.array([1.0, 4.39803313e-08, 0.0, 1.0, 0.0, 0.0]),
        np.full(6, 5e-324),
        np.array([0, 0, 0, 5e-324, 0, 0]),
    ],
)
def test_gram_schmidt_degenerate_inputs(v):
    r = rot6d_to_matrix(v)
    assert_rotation(r, tol=1e-12)
    # Directions computed at O(1) scale (the inputs span 1e200 down to subnormals).
    a1, a2 = (x / np.abs(x).max() if np.any(x) else x for x in (v[:3], v[3:]))
    n1, n2 = np.linalg.norm(a1), np.linalg.norm(a2)
    if n1 == 0 and n2 == 0:
        np.testing.assert_array_equal(r, np.eye(3))
    elif n1 == 0:
        np.testing.assert_allclose(r[1], a2 / n2, atol=1e-15)  # a2's direction survives
    else:
        np.testing.assert_allclose(r[0], a1 / n1, atol=1e-15)  # a1's direction survives
    np.testing.assert_array_equal(rot6d_to_matrix(v), r)  # deterministic


def test_gram_schmidt_scaled_identity_and_tiny_rows():
    np.testing.assert_allclose(rot6d_to_matrix([1e-300, 0, 0, 0, 1e-300, 0]), np.eye(3), atol=1e-15)
    np.testing.assert_allclose(rot6d_to_matrix([5.0, 0, 0, 3.0, 2.0, 0]), np.eye(3), atol=1e-15)


@given(vec6)
def test_orthonormalize_rot6d_is_idempotent(v):
    once = orthonormalize_rot6d(v)
    np.testing.assert_allclose(orthonormalize_rot6d(once), once, atol=TOL)


# ------------------------------------------------------------------------------------------
# quaternions (x, y, z, w)
# ------------------------------------------------------------------------------------------


@given(quat_raw)
def test_quaternion_round_trip_up_to_sign(q):
    unit = q / np.linalg.norm(q)
    q2 = matrix_to_quat_xyzw(quat_xyzw_to_matrix(q))
    np.testing.assert_allclose(np.linalg.norm(q2), 1.0, atol=1e-12)
    assert q2[3] >= 0
    assert min(np.abs(q2 - unit).max(), np.abs(q2 + unit).max()) < TOL


@given(rotations())
def test_matrix_quaternion_matrix_round_trip(r):
    assert_rotation(r)
    np.testing.assert_allclose(quat_xyzw_to_matrix(matrix_to_quat_xyzw(r)), r, atol=TOL)


@given(quat_raw, st.floats(1e-6, 1e6))
def test_quaternion_input_is_normalised(q, s):
    np.testing.assert_allclose(quat_xyzw_to_matrix(s * q), quat_xyzw_to_matrix(q), atol=TOL)
    assert_rotation(quat_xyzw_to_matrix(s * q))


@given(angle)
def test_quaternion_layout_is_xyzw(theta):
    h = theta / 2
    np.testing.assert_allclose(
        quat_xyzw_to_matrix([math.sin(h), 0, 0, math.cos(h)]), rx(theta), atol=1e-12
    )
    np.testing.assert_allclose(
        quat_xyzw_to_matrix([0, math.sin(h), 0, math.cos(h)]), ry(theta), atol=1e-12
    )
    np.testing.assert_allclose(
        quat_xyzw_to_matrix([0, 0, math.sin(h), math.cos(h)]), rz(theta), atol=1e-12
    )


@pytest.mark.parametrize(
    ("matrix", "quat"),
    [
        (np.eye(3), [0, 0, 0, 1]),
        (np.diag([1.0, -1.0, -1.0]), [1, 0, 0, 0]),
        (np.diag([-1.0, 1.0, -1.0]), [0, 1, 0, 0]),
        (np.diag([-1.0, -1.0, 1.0]), [0, 0, 1, 0]),
    ],
)
def test_quaternion_of_half_turns(matrix, quat):
    q = matrix_to_quat_xyzw(matrix)
    assert min(np.abs(q - quat).max(), np.abs(q + quat).max()) < 1e-15


@pytest.mark.parametrize(
    "bad",
    [
        [0.0, 0.0, 0.0, 0.0],
        [1e-13, 0.0, 0.0, 0.0],
        [np.nan, 0.0, 0.0, 1.0],
        [0.0, np.inf, 0.0, 1.0],
        [[0, 0, 0, 1.0], [0, 0, 0, 0.0]],
    ],
)
def test_degenerate_quaternion_is_rejected(bad):
    with pytest.raises(ObservationError, match="quaternion") as info:
        quat_xyzw_to_matrix(bad)
    assert isinstance(info.value, ValueError)


# ------------------------------------------------------------------------------------------
# 7-D <-> 10-D states
# ------------------------------------------------------------------------------------------


def test_state7_to_state10_layout():
    s7 = np.array([0.1, -0.2, 0.3, 0.3, -0.7, 2.1, 0.8])
    s10 = state7_to_state10(s7)
    r = rx(0.3) @ ry(-0.7) @ rz(2.1)
    np.testing.assert_allclose(s10, np.concatenate([s7[:3], r[0], r[1], [0.8]]), atol=1e-15)


@given(
    hnp.arrays(np.float64, (3,), elements=st.floats(-2.0, 2.0)),
    eulers,
    st.floats(0.0, 1.0),
)
def test_state_round_trip(p, e, g):
    s7 = np.concatenate([p, e, [g]])
    s10 = state7_to_state10(s7)
    back = state10_to_state7(s10)
    np.testing.assert_array_equal(back[:3], p)
    assert back[6] == g
    np.testing.assert_allclose(euler_xyz_to_matrix(back[3:6]), euler_xyz_to_matrix(e), atol=TOL)
    np.testing.assert_allclose(state7_to_state10(back), s10, atol=TOL)


# ------------------------------------------------------------------------------------------
# relative actions
# ------------------------------------------------------------------------------------------


@given(states10(), st.lists(states10(), min_size=1, max_size=16))
def test_absolute_relative_absolute_round_trip(state, targets):
    targets = np.stack(targets)
    rel = absolute_to_relative(state, targets)
    assert rel.shape == targets.shape
    np.testing.assert_allclose(relative_to_absolute(state, rel), targets, atol=TOL)


@given(states10(), st.lists(states10(), min_size=1, max_size=16))
def test_relative_absolute_relative_round_trip(state, relative):
    relative = np.stack(relative)
    np.testing.assert_allclose(
        absolute_to_relative(state, relative_to_absolute(state, relative)), relative, atol=TOL
    )


@given(states10())
def test_relative_of_current_state_is_identity(state):
    rel = absolute_to_relative(state, state)
    np.testing.assert_allclose(rel[:3], 0.0, atol=TOL)
    np.testing.assert_allclose(rel[3:9], [1, 0, 0, 0, 1, 0], atol=TOL)
    assert rel[9] == state[9]


def test_relative_action_formula():
    # Current tool frame: yawed +90 deg about the base z axis, at p_t = (1, 0, 0).
    r_t = rz(PI / 2)
    state = np.concatenate([[1.0, 0.0, 0.0], matrix_to_rot6d(r_t), [0.0]])
    r_goal = rz(PI / 2) @ rx(0.25)
    target = np.concatenate([[1.0, 2.0, 0.5], matrix_to_rot6d(r_goal), [1.0]])
    rel = absolute_to_relative(state, target)
    # base +y is the tool's +x after a +90 deg yaw: dp = R_t^T (p - p_t) = (2, 0, 0.5).
    np.testing.assert_allclose(rel[:3], [2.0, 0.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(rot6d_to_matrix(rel[3:9]), rx(0.25), atol=1e-15)  # R_t^T R_goal
    assert rel[9] == 1.0  # gripper absolute


def test_relative_broadcasts_over_batches():
    rng = np.random.default_rng(0)
    s7 = rng.uniform(-1, 1, (4, 7))
    t7 = rng.uniform(-1, 1, (4, 16, 7))
    state, targets = state7_to_state10(s7), state7_to_state10(t7)
    rel = absolute_to_relative(state[:, None], targets)
    assert rel.shape == (4, 16, 10)
    for b in range(4):
        np.testing.assert_allclose(rel[b], absolute_to_relative(state[b], targets[b]), atol=1e-15)
    np.testing.assert_allclose(relative_to_absolute(state[:, None], rel), targets, atol=TOL)


# ------------------------------------------------------------------------------------------
# batch shapes, dtypes, validation
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [(), (5,), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_dims_and_dtype_preserved(batch, dtype):
    rng = np.random.default_rng(1)
    e = rng.uniform(-3, 3, (*batch, 3)).astype(dtype)
    r = euler_xyz_to_matrix(e)
    assert r.shape == (*batch, 3, 3)
    assert r.dtype == dtype
    assert matrix_to_euler_xyz(r).shape == (*batch, 3)
    assert matrix_to_euler_xyz(r).dtype == dtype
    r6 = matrix_to_rot6d(r)
    assert r6.shape == (*batch, 6)
    assert r6.dtype == dtype
    assert rot6d_to_matrix(r6).dtype == dtype
    q = matrix_to_quat_xyzw(r)
    assert q.shape == (*batch, 4)
    assert q.dtype == dtype
    assert quat_xyzw_to_matrix(q).dtype == dtype
    s7 = rng.uniform(-1, 1, (*batch, 7)).astype(dtype)
    s10 = state7_to_state10(s7)
    assert s10.shape == (*batch, 10)
    assert s10.dtype == dtype
    assert state10_to_state7(s10).dtype == dtype
    rel = absolute_to_relative(s10, s10)
    assert rel.shape == (*batch, 10)
    assert rel.dtype == dtype
    assert relative_to_absolute(s10, rel).dtype == dtype
    # Batched results equal the per-element ones.
    flat_e = e.reshape(-1, 3)
    for i, ei in enumerate(flat_e):
        np.testing.assert_array_equal(r.reshape(-1, 3, 3)[i], euler_xyz_to_matrix(ei))


def test_float32_accuracy():
    rng = np.random.default_rng(2)
    s7 = rng.uniform(-1, 1, (100, 7)).astype(np.float32)
    back = state10_to_state7(state7_to_state10(s7))
    assert back.dtype == np.float32
    np.testing.assert_allclose(
        euler_xyz_to_matrix(back[:, 3:6].astype(np.float64)),
        euler_xyz_to_matrix(s7[:, 3:6].astype(np.float64)),
        atol=1e-6,
    )


def test_integer_input_gives_float64():
    assert euler_xyz_to_matrix([0, 0, 0]).dtype == np.float64
    np.testing.assert_array_equal(euler_xyz_to_matrix([0, 0, 0]), np.eye(3))


@pytest.mark.parametrize(
    ("fn", "arg"),
    [
        (euler_xyz_to_matrix, np.zeros(4)),
        (euler_xyz_to_matrix, np.float64(1.0)),
        (matrix_to_euler_xyz, np.zeros((3, 4))),
        (matrix_to_rot6d, np.zeros(9)),
        (rot6d_to_matrix, np.zeros((2, 5))),
        (quat_xyzw_to_matrix, np.zeros(3)),
        (matrix_to_quat_xyzw, np.zeros((4, 4))),
        (state7_to_state10, np.zeros(10)),
        (state10_to_state7, np.zeros(7)),
        (euler_xyz_to_matrix, np.array(["a", "b", "c"])),
        (euler_xyz_to_matrix, np.zeros(3, dtype=complex)),
    ],
)
def test_malformed_input_is_rejected(fn, arg):
    with pytest.raises(ObservationError):
        fn(arg)


def test_relative_rejects_wrong_width():
    with pytest.raises(ObservationError):
        absolute_to_relative(np.zeros(10), np.zeros((16, 7)))
    with pytest.raises(ObservationError):
        relative_to_absolute(np.zeros(9), np.zeros((16, 10)))


def test_inputs_are_not_modified():
    s = state7_to_state10(np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0]))
    t = state7_to_state10(np.array([0.3, 0.2, 0.1, -0.4, 0.2, 0.9, 0.0]))
    s_copy, t_copy = s.copy(), t.copy()
    relative_to_absolute(s, absolute_to_relative(s, t))
    rot6d_to_matrix(t[3:9])
    np.testing.assert_array_equal(s, s_copy)
    np.testing.assert_array_equal(t, t_copy)


@given(rotations(), rotations(), st.floats(0.0, 1.0))
def test_slerp_moves_the_given_fraction_of_the_angle(r_from, r_to, fraction):
    total = rotation_angle(r_from, r_to)
    partial = slerp_matrix(r_from, r_to, fraction)
    assert rotation_angle(r_from, partial) == pytest.approx(fraction * total, abs=1e-7)
    assert rotation_angle(partial, r_to) == pytest.approx((1 - fraction) * total, abs=1e-7)


@given(rotations(), rotations())
def test_slerp_ends_at_both_rotations(r_from, r_to):
    np.testing.assert_allclose(slerp_matrix(r_from, r_to, 0.0), r_from, atol=1e-9)
    np.testing.assert_allclose(slerp_matrix(r_from, r_to, 1.0), r_to, atol=1e-9)


def test_rotation_angle_of_a_quarter_turn():
    assert rotation_angle(np.eye(3), euler_xyz_to_matrix([0.0, 0.0, np.pi / 2])) == pytest.approx(
        np.pi / 2
    )
