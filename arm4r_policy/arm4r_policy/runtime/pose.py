"""End-effector pose mathematics of the ARM4R runtime, in plain NumPy.

Conventions (all pinned by ``tests/unit/runtime/test_pose.py``):

Rotation matrices
    ``R`` acts on column vectors and maps tool-frame coordinates to base-frame coordinates:
    ``p_base = R @ p_tool + t``. Its columns are the tool axes expressed in the base frame.

Euler angles, sequence "XYZ"
    The public ARM4R implementation (``arm4r/data/utils.py``: ``euler_to_rot_6d``,
    ``rot_6d_to_euler``, ``euler_to_quat``, all with ``format="XYZ"``) converts with
    ``scipy.spatial.transform.Rotation.from_euler("XYZ", ...)`` / ``.as_euler("XYZ")``. Upper case
    means INTRINSIC rotations in scipy: rotate by ``a`` about X, then by ``b`` about the new Y,
    then by ``c`` about the newest Z, i.e.::

        R = Rx(a) @ Ry(b) @ Rz(c)

    (the same matrix as extrinsic rotations about the fixed axes Z by ``c``, then Y by ``b``,
    then X by ``a``). It is NOT scipy's lower-case extrinsic ``"xyz"``, which is
    ``Rz(c) @ Ry(b) @ Rx(a)``. ``matrix_to_euler_xyz`` returns ``a, c`` in ``[-pi, pi]`` and ``b``
    in ``[-pi/2, pi/2]``. At gimbal lock (``cos b <= GIMBAL_LOCK_COS``, i.e. ``b = +-pi/2``) only
    ``a + c`` (``b = +pi/2``) or ``a - c`` (``b = -pi/2``) is defined; we then return ``c = 0``
    and put the whole angle into ``a``, as scipy does. Close to the lock the extraction stays
    exact in the sense that matters: the returned triple reproduces the matrix to rounding.

6D rotation
    The FIRST TWO ROWS of ``R``, flattened row-major:
    ``[R00, R01, R02, R10, R11, R12]``. Decoding (``rot6d_to_matrix``) applies Gram-Schmidt to the
    two 3-vectors ``a1 = v[0:3]``, ``a2 = v[3:6]``: ``b1 = a1/|a1|``,
    ``b2 = (a2 - (b1.a2) b1)/|...|``, ``b3 = b1 x b2``; rows ``(b1, b2, b3)``. This is what the
    public model applies to its decoded actions (numerically the projection is done twice, so
    ``b2`` stays orthogonal to ``b1`` to rounding even for nearly parallel rows). The decoder is
    invariant to positive scaling of either row, and degenerate input still yields a proper
    rotation, deterministically: if ``a2`` is numerically parallel to ``a1`` (its residual after
    removing the ``b1`` component is at most ``DEGENERATE_RATIO * |a2|``, which includes
    ``a2 = 0``), ``b1`` keeps the direction of ``a1`` and ``b2`` is a fixed unit vector orthogonal
    to it; if ``a1 = 0``, ``b2`` keeps the direction of ``a2`` and ``b1`` is a fixed unit vector
    orthogonal to it; ``a1 = a2 = 0`` decodes to the identity. A tiny but non-zero ``a1`` still
    defines ``b1`` (rows are rescaled before normalising, so nothing underflows). Non-finite
    input gives non-finite output.

Quaternions
    ``(x, y, z, w)``, Hamilton convention, as in ``geometry_msgs/Quaternion`` and scipy's
    ``as_quat()``. Input is normalised; a zero-norm (below ``QUAT_MIN_NORM``) or non-finite
    quaternion raises ``ObservationError``. Output is unit-norm with ``w >= 0``.

States and actions
    7-D (on disk): ``xyz [m], Euler XYZ (a, b, c) [rad], gripper (0 open .. 1 closed)``.
    10-D (network): ``xyz (3), 6D rotation (6), gripper (1)``.
    Relative actions (the public code's ``convert_delta_action`` / ``convert_abs_action``) with
    respect to the current state ``(p_t, R_t)``: ``dp = R_t^T (p_target - p_t)``,
    ``dR = R_t^T R_target`` (stored as 6D), gripper absolute (copied).

Arrays
    Every function takes arbitrary leading batch dimensions. Floating input keeps its dtype
    (float32 stays float32); integer input gives float64. Computation is done in float64.
    A malformed input (wrong trailing shape, non-real dtype) raises ``ObservationError``, which
    derives from ``ValueError``.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from arm4r_policy.errors import ObservationError

__all__ = [
    "DEGENERATE_RATIO",
    "GIMBAL_LOCK_COS",
    "QUAT_MIN_NORM",
    "STATE7_DIM",
    "STATE10_DIM",
    "absolute_to_relative",
    "euler_xyz_to_matrix",
    "matrix_to_euler_xyz",
    "matrix_to_quat_xyzw",
    "matrix_to_rot6d",
    "orthonormalize_rot6d",
    "quat_xyzw_to_matrix",
    "relative_to_absolute",
    "rot6d_to_matrix",
    "rotation_angle",
    "slerp_matrix",
    "state7_to_state10",
    "state10_to_state7",
]

STATE7_DIM = 7
STATE10_DIM = 10

# Below this value of cos(b) = hypot(R00, R01) the Euler extraction treats the matrix as locked.
GIMBAL_LOCK_COS = 1e-12
# The second 6D row counts as parallel to the first when its residual after removing the first
# row's direction is at most this fraction of its own norm.
DEGENERATE_RATIO = 1e-12
# Quaternions with a smaller norm are rejected: they carry no orientation.
QUAT_MIN_NORM = 1e-12

_F64 = np.float64


def _prepare(x: ArrayLike, trailing: tuple[int, ...], name: str) -> tuple[NDArray, np.dtype]:
    """Validate the trailing shape, return (float64 view/copy, dtype to hand back)."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise ObservationError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim < len(trailing) or arr.shape[arr.ndim - len(trailing) :] != trailing:
        dims = ", ".join(str(d) for d in trailing)
        raise ObservationError(f"{name} must have shape (..., {dims}), got {arr.shape}")
    out_dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(_F64)
    return arr.astype(_F64, copy=False), out_dtype


def _direction(v: NDArray) -> tuple[NDArray, NDArray]:
    """Unit vectors along the rows of ``v`` and their norms; zero rows give zeros and norm 0.

    The rows are scaled by their largest entry first, so neither huge nor tiny (even subnormal)
    input overflows, underflows or comes back with a norm other than 1.
    """
    scale = np.max(np.abs(v), axis=-1)
    w = v / np.where(scale > 0, scale, 1.0)[..., None]
    nw = np.sqrt(np.sum(w * w, axis=-1))
    return w / np.where(nw > 0, nw, 1.0)[..., None], scale * nw


def _any_orthogonal(u: NDArray) -> NDArray:
    """A fixed unit vector orthogonal to the unit vector ``u``: ``u x e_k``, k = argmin |u_k|."""
    k = np.argmin(np.abs(u), axis=-1)
    axis = np.eye(3, dtype=_F64)[k]
    return _direction(np.cross(u, axis))[0]


# --------------------------------------------------------------------------------------------
# Euler "XYZ" (intrinsic) <-> matrix
# --------------------------------------------------------------------------------------------


def euler_xyz_to_matrix(euler: ArrayLike) -> NDArray:
    """Euler angles ``(a, b, c)`` [rad], intrinsic "XYZ", ``(..., 3)`` -> ``Rx(a) Ry(b) Rz(c)``."""
    e, dtype = _prepare(euler, (3,), "euler")
    ca, sa = np.cos(e[..., 0]), np.sin(e[..., 0])
    cb, sb = np.cos(e[..., 1]), np.sin(e[..., 1])
    cc, sc = np.cos(e[..., 2]), np.sin(e[..., 2])
    r = np.empty((*e.shape[:-1], 3, 3), dtype=_F64)
    r[..., 0, 0] = cb * cc
    r[..., 0, 1] = -cb * sc
    r[..., 0, 2] = sb
    r[..., 1, 0] = ca * sc + sa * sb * cc
    r[..., 1, 1] = ca * cc - sa * sb * sc
    r[..., 1, 2] = -sa * cb
    r[..., 2, 0] = sa * sc - ca * sb * cc
    r[..., 2, 1] = sa * cc + ca * sb * sc
    r[..., 2, 2] = ca * cb
    return r.astype(dtype, copy=False)


def matrix_to_euler_xyz(matrix: ArrayLike) -> NDArray:
    """Rotation matrices ``(..., 3, 3)`` -> intrinsic "XYZ" Euler angles ``(..., 3)`` [rad].

    ``b = atan2(R02, hypot(R00, R01))`` in ``[-pi/2, pi/2]``; ``a = atan2(-R12, R22)``; ``c`` is
    then solved from the rows 1 and 2 rotated back by ``a`` (well conditioned near the lock).
    At gimbal lock ``c = 0`` and ``a = atan2(R21, R11)``.
    """
    m, dtype = _prepare(matrix, (3, 3), "matrix")
    cos_b = np.hypot(m[..., 0, 0], m[..., 0, 1])
    b = np.arctan2(m[..., 0, 2], cos_b)
    a = np.arctan2(-m[..., 1, 2], m[..., 2, 2])
    ca, sa = np.cos(a), np.sin(a)
    c = np.arctan2(
        ca * m[..., 1, 0] + sa * m[..., 2, 0],
        ca * m[..., 1, 1] + sa * m[..., 2, 1],
    )
    locked = cos_b <= GIMBAL_LOCK_COS
    a = np.where(locked, np.arctan2(m[..., 2, 1], m[..., 1, 1]), a)
    c = np.where(locked, 0.0, c)
    return np.stack([a, b, c], axis=-1).astype(dtype, copy=False)


# --------------------------------------------------------------------------------------------
# 6D rotation <-> matrix
# --------------------------------------------------------------------------------------------


def matrix_to_rot6d(matrix: ArrayLike) -> NDArray:
    """Rotation matrices ``(..., 3, 3)`` -> their first two rows, row-major, ``(..., 6)``."""
    m, dtype = _prepare(matrix, (3, 3), "matrix")
    return m[..., :2, :].reshape(*m.shape[:-2], 6).astype(dtype, copy=True)


def rot6d_to_matrix(rot6d: ArrayLike) -> NDArray:
    """6D rotations ``(..., 6)`` -> proper rotation matrices ``(..., 3, 3)`` by Gram-Schmidt.

    See the module docstring for the handling of degenerate input.
    """
    v, dtype = _prepare(rot6d, (6,), "rot6d")
    a1, a2 = v[..., 0:3], v[..., 3:6]
    with np.errstate(invalid="ignore", over="ignore"):  # non-finite input: non-finite output
        b1, n1 = _direction(a1)
        u2, n2 = _direction(a2)
        # Regular case. The projection is applied twice ("twice is enough"): one pass leaves an
        # error of eps / sin(angle(a1, a2)) in the orthogonality when a2 is nearly parallel.
        r = u2 - np.sum(b1 * u2, axis=-1, keepdims=True) * b1
        r = r - np.sum(b1 * r, axis=-1, keepdims=True) * b1
        b2, nr = _direction(r)
        # nr is relative to |a2| already (u2 is a unit vector); a2 = 0 gives nr = 0.
        a2_parallel = nr <= DEGENERATE_RATIO
        a1_zero = n1 == 0
        all_zero = a1_zero & (n2 == 0)

        # a2 numerically parallel to a1 (or zero): keep b1, pick a fixed b2 orthogonal to it.
        b2 = np.where(a2_parallel[..., None], _any_orthogonal(b1), b2)

        # a1 zero: keep the direction of a2 as b2, pick a fixed b1 orthogonal to it.
        b1 = np.where(a1_zero[..., None], _any_orthogonal(u2), b1)
        b2 = np.where(a1_zero[..., None], u2, b2)

        # Both zero: identity.
        eye = np.eye(3, dtype=_F64)
        b1 = np.where(all_zero[..., None], eye[0], b1)
        b2 = np.where(all_zero[..., None], eye[1], b2)

    b3 = np.cross(b1, b2)
    return np.stack([b1, b2, b3], axis=-2).astype(dtype, copy=False)


def orthonormalize_rot6d(rot6d: ArrayLike) -> NDArray:
    """Make 6D rotations ``(..., 6)`` valid: ``matrix_to_rot6d(rot6d_to_matrix(x))``."""
    return matrix_to_rot6d(rot6d_to_matrix(rot6d))


# --------------------------------------------------------------------------------------------
# Quaternion (x, y, z, w) <-> matrix
# --------------------------------------------------------------------------------------------


def quat_xyzw_to_matrix(quat_xyzw: ArrayLike) -> NDArray:
    """Quaternions ``(..., 4)`` as ``(x, y, z, w)``, normalised first -> rotation matrices.

    Raises ``ObservationError`` when any quaternion is non-finite or has a norm below
    ``QUAT_MIN_NORM``.
    """
    q, dtype = _prepare(quat_xyzw, (4,), "quat_xyzw")
    finite = np.all(np.isfinite(q), axis=-1)
    q, n = _direction(np.where(finite[..., None], q, 0.0))
    bad = ~finite | (n < QUAT_MIN_NORM)
    if np.any(bad):
        first = np.asarray(quat_xyzw, dtype=_F64)[bad][0]
        raise ObservationError(
            f"quaternion (x, y, z, w) must be finite with norm >= {QUAT_MIN_NORM}: "
            f"{int(np.count_nonzero(bad))} of {bad.size} rejected, first {first.tolist()}"
        )
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    r = np.empty((*q.shape[:-1], 3, 3), dtype=_F64)
    r[..., 0, 0] = 1.0 - 2.0 * (y * y + z * z)
    r[..., 0, 1] = 2.0 * (x * y - z * w)
    r[..., 0, 2] = 2.0 * (x * z + y * w)
    r[..., 1, 0] = 2.0 * (x * y + z * w)
    r[..., 1, 1] = 1.0 - 2.0 * (x * x + z * z)
    r[..., 1, 2] = 2.0 * (y * z - x * w)
    r[..., 2, 0] = 2.0 * (x * z - y * w)
    r[..., 2, 1] = 2.0 * (y * z + x * w)
    r[..., 2, 2] = 1.0 - 2.0 * (x * x + y * y)
    return r.astype(dtype, copy=False)


def matrix_to_quat_xyzw(matrix: ArrayLike) -> NDArray:
    """Rotation matrices ``(..., 3, 3)`` -> unit quaternions ``(x, y, z, w)`` with ``w >= 0``.

    Shepperd's method: of the four algebraically equivalent formulas, the one built on the largest
    of ``4x^2, 4y^2, 4z^2, 4w^2`` (always >= 1) is used, so no branch divides by a small number.
    """
    m, dtype = _prepare(matrix, (3, 3), "matrix")
    r00, r01, r02 = m[..., 0, 0], m[..., 0, 1], m[..., 0, 2]
    r10, r11, r12 = m[..., 1, 0], m[..., 1, 1], m[..., 1, 2]
    r20, r21, r22 = m[..., 2, 0], m[..., 2, 1], m[..., 2, 2]
    # Row k is 4 q_k * (x, y, z, w) for k = x, y, z, w.
    candidates = np.stack(
        [
            np.stack([1.0 + r00 - r11 - r22, r01 + r10, r02 + r20, r21 - r12], axis=-1),
            np.stack([r01 + r10, 1.0 - r00 + r11 - r22, r12 + r21, r02 - r20], axis=-1),
            np.stack([r02 + r20, r12 + r21, 1.0 - r00 - r11 + r22, r10 - r01], axis=-1),
            np.stack([r21 - r12, r02 - r20, r10 - r01, 1.0 + r00 + r11 + r22], axis=-1),
        ],
        axis=-2,
    )
    diagonal = np.diagonal(candidates, axis1=-2, axis2=-1)
    best = np.argmax(diagonal, axis=-1)
    q = np.take_along_axis(candidates, best[..., None, None], axis=-2)[..., 0, :]
    q = _direction(q)[0]
    q = np.where(q[..., 3:4] < 0, -q, q)
    return q.astype(dtype, copy=False)


def rotation_angle(r_from: ArrayLike, r_to: ArrayLike) -> NDArray:
    """Geodesic angle [rad] in ``[0, pi]`` between rotations ``(..., 3, 3)``."""
    a, _ = _prepare(r_from, (3, 3), "r_from")
    b, _ = _prepare(r_to, (3, 3), "r_to")
    relative = matrix_to_quat_xyzw(np.swapaxes(a, -1, -2) @ b)
    return 2.0 * np.arctan2(np.linalg.norm(relative[..., :3], axis=-1), relative[..., 3])


def slerp_matrix(r_from: ArrayLike, r_to: ArrayLike, fraction: ArrayLike) -> NDArray:
    """Rotation ``fraction`` of the way along the shortest arc from ``r_from`` to ``r_to``.

    ``fraction`` 0 gives ``r_from``, 1 gives ``r_to``; it broadcasts against the leading dims.
    """
    a, dtype = _prepare(r_from, (3, 3), "r_from")
    b, _ = _prepare(r_to, (3, 3), "r_to")
    relative = matrix_to_quat_xyzw(np.swapaxes(a, -1, -2) @ b)  # w >= 0: the shorter arc
    half = np.arctan2(np.linalg.norm(relative[..., :3], axis=-1), relative[..., 3])
    axis = _direction(relative[..., :3])[0]
    scaled = np.asarray(fraction, dtype=_F64) * half
    step = np.concatenate([axis * np.sin(scaled)[..., None], np.cos(scaled)[..., None]], axis=-1)
    return (a @ quat_xyzw_to_matrix(step)).astype(dtype, copy=False)


# --------------------------------------------------------------------------------------------
# States and relative actions
# --------------------------------------------------------------------------------------------


def state7_to_state10(state7: ArrayLike) -> NDArray:
    """``(..., 7)`` xyz + Euler XYZ + gripper -> ``(..., 10)`` xyz + 6D rotation + gripper."""
    s, dtype = _prepare(state7, (STATE7_DIM,), "state7")
    rot6d = matrix_to_rot6d(euler_xyz_to_matrix(s[..., 3:6]))
    return np.concatenate([s[..., 0:3], rot6d, s[..., 6:7]], axis=-1).astype(dtype, copy=False)


def state10_to_state7(state10: ArrayLike) -> NDArray:
    """``(..., 10)`` xyz + 6D rotation (Gram-Schmidt first) + gripper -> ``(..., 7)``."""
    s, dtype = _prepare(state10, (STATE10_DIM,), "state10")
    euler = matrix_to_euler_xyz(rot6d_to_matrix(s[..., 3:9]))
    return np.concatenate([s[..., 0:3], euler, s[..., 9:10]], axis=-1).astype(dtype, copy=False)


def _pose_parts(state10: NDArray) -> tuple[NDArray, NDArray]:
    return state10[..., 0:3], rot6d_to_matrix(state10[..., 3:9])


def absolute_to_relative(state10_t: ArrayLike, targets10: ArrayLike) -> NDArray:
    """Absolute 10-D targets -> actions relative to the current 10-D state.

    ``dp = R_t^T (p_target - p_t)``, ``dR = R_t^T R_target`` (as 6D), gripper copied from the
    target. Both 6D rotations are Gram-Schmidt-normalised first. Leading dimensions broadcast
    the NumPy way: a ``(10,)`` state goes with ``(K, 10)`` targets as it is; for a ``(B, 10)``
    state and ``(B, K, 10)`` targets pass ``state[:, None]``.
    """
    s, dtype_s = _prepare(state10_t, (STATE10_DIM,), "state10_t")
    t, dtype_t = _prepare(targets10, (STATE10_DIM,), "targets10")
    p_t, r_t = _pose_parts(s)
    p_g, r_g = _pose_parts(t)
    r_t_inv = np.swapaxes(r_t, -1, -2)
    dp = np.matmul(r_t_inv, (p_g - p_t)[..., None])[..., 0]
    dr = matrix_to_rot6d(np.matmul(r_t_inv, r_g))
    gripper = np.broadcast_to(t[..., 9:10], (*dp.shape[:-1], 1))
    out = np.concatenate([dp, dr, gripper], axis=-1)
    return out.astype(np.result_type(dtype_s, dtype_t), copy=False)


def relative_to_absolute(state10_t: ArrayLike, relative10: ArrayLike) -> NDArray:
    """Inverse of ``absolute_to_relative``: ``p = p_t + R_t dp``, ``R = R_t dR``, gripper copied.

    Broadcasting as in ``absolute_to_relative``.
    """
    s, dtype_s = _prepare(state10_t, (STATE10_DIM,), "state10_t")
    d, dtype_d = _prepare(relative10, (STATE10_DIM,), "relative10")
    p_t, r_t = _pose_parts(s)
    dp, dr = _pose_parts(d)
    p = p_t + np.matmul(r_t, dp[..., None])[..., 0]
    rot = matrix_to_rot6d(np.matmul(r_t, dr))
    gripper = np.broadcast_to(d[..., 9:10], (*p.shape[:-1], 1))
    out = np.concatenate([p, rot, gripper], axis=-1)
    return out.astype(np.result_type(dtype_s, dtype_d), copy=False)
