import numpy as np
import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.planning import ArmModel
from arm4r_policy.sim import FLANGE_SITE, KINOVA_GEN3_2F85, ArmKinematics


def finite_difference_jacobian(fk, q, step=1e-6):
    """(6, 7): central differences of the position and of the rotation (as a rotation vector)."""
    columns = []
    for joint in range(len(q)):
        dq = np.zeros_like(q)
        dq[joint] = step
        ahead, behind = fk(q + dq), fk(q - dq)
        turn = ahead[:3, :3] @ behind[:3, :3].T
        angular = np.array(
            [turn[2, 1] - turn[1, 2], turn[0, 2] - turn[2, 0], turn[1, 0] - turn[0, 1]]
        )
        columns.append(np.r_[ahead[:3, 3] - behind[:3, 3], angular / 2.0] / (2.0 * step))
    return np.stack(columns, axis=1)


def test_mujoco_jacobian_matches_finite_differences_of_fk(arm):
    model, home = arm
    q = home + np.random.default_rng(2).normal(0.0, 0.3, size=home.shape)
    np.testing.assert_allclose(
        model.jacobian(q), finite_difference_jacobian(model.fk, q), atol=1e-7
    )


def test_mujoco_flange_jacobian_matches_finite_differences_of_the_flange_pose():
    kinematics = ArmKinematics(KINOVA_GEN3_2F85)
    q = np.linspace(-1.0, 1.0, 7)
    np.testing.assert_allclose(
        kinematics.jacobian(q, FLANGE_SITE),
        finite_difference_jacobian(lambda x: kinematics(x).flange, q),
        atol=1e-7,
    )


def test_model_arrays_are_read_only(kinova):
    with pytest.raises(ValueError, match="read-only"):
        kinova.joint_limits[0, 0] = 0.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"joint_limits": np.zeros((7, 3))}, "joint_limits"),
        ({"joint_limits": np.tile([1.0, -1.0], (7, 1))}, "joint_limits"),
        ({"max_velocities": np.zeros(7)}, "max_velocities"),
        ({"continuous_joints": np.zeros(6, bool)}, "continuous_joints"),
        ({"continuous_joints": np.ones(7, bool)}, "continuous_joints marks joint 2"),
    ],
)
def test_invalid_models_are_rejected_naming_the_field(kinova, changes, field):
    fields = {
        "fk": kinova.fk,
        "jacobian": kinova.jacobian,
        "joint_limits": kinova.joint_limits,
        "max_velocities": kinova.max_velocities,
        "continuous_joints": kinova.continuous_joints,
    }
    with pytest.raises(ConfigError, match=f"ArmModel.{field}"):
        ArmModel(**{**fields, **changes})
