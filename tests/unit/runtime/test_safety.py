import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from arm4r_policy.errors import ConfigError
from arm4r_policy.runtime.pose import euler_xyz_to_matrix, rotation_angle
from arm4r_policy.runtime.safety import SafetyLimits, guard_target

LIMITS = SafetyLimits(workspace_min=(0.2, -0.3, 0.0), workspace_max=(0.7, 0.3, 0.5))
HOME = np.array([0.45, 0.0, 0.25, np.pi, 0.0, 0.0, 0.0])
FRESH = {"image": 0.01, "state": 0.02}

poses = hnp.arrays(
    np.float64,
    (7,),
    elements=st.floats(-1.0, 1.0),
).map(lambda v: np.concatenate([v[:3] + np.array([0.45, 0.0, 0.25]), v[3:6] * np.pi, [v[6]]]))


def test_a_small_step_inside_the_workspace_passes_unchanged():
    target = HOME + np.array([0.01, -0.01, 0.005, 0.05, 0.0, 0.0, 1.0])
    decision = guard_target(LIMITS, HOME, target, FRESH)
    assert decision.allowed
    assert decision.adjustments == ()
    np.testing.assert_allclose(decision.target, target)


def test_a_target_outside_the_workspace_is_clamped_to_its_face():
    current = np.array([0.68, 0.0, 0.25, np.pi, 0.0, 0.0, 0.0])
    decision = guard_target(LIMITS, current, current + np.array([0.2, 0, 0, 0, 0, 0, 0]), FRESH)
    assert decision.target[0] == pytest.approx(0.7)
    assert "clamped into the workspace" in decision.adjustments


def test_a_stale_input_refuses_and_names_the_oldest():
    decision = guard_target(LIMITS, HOME, HOME, {"image/ego": 0.9, "image/side": 0.6, "state": 0.1})
    assert not decision.allowed
    assert "image/ego is 0.900 s old" in decision.refusal


@pytest.mark.parametrize("which", ["current", "target"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_refuse(which, bad):
    broken = HOME.copy()
    broken[2] = bad
    current, target = (broken, HOME) if which == "current" else (HOME, broken)
    decision = guard_target(LIMITS, current, target, FRESH)
    assert not decision.allowed
    assert ("current state" if which == "current" else "target") in decision.refusal


def test_the_gripper_command_is_clipped():
    assert (
        guard_target(LIMITS, HOME, HOME + np.array([0, 0, 0, 0, 0, 0, 3.0]), FRESH).target[6] == 1.0
    )


@given(poses, poses)
def test_limits_only_shorten_the_motion(current, target):
    current[:3] = np.clip(current[:3], LIMITS.workspace_min, LIMITS.workspace_max)
    safe = guard_target(LIMITS, current, target, FRESH).target
    step = np.linalg.norm(safe[:3] - current[:3])
    assert step <= LIMITS.max_translation + 1e-9
    assert np.all(safe[:3] >= np.array(LIMITS.workspace_min) - 1e-9)
    assert np.all(safe[:3] <= np.array(LIMITS.workspace_max) + 1e-9)
    r_current, r_safe, r_target = (euler_xyz_to_matrix(p[3:6]) for p in (current, safe, target))
    assert rotation_angle(r_current, r_safe) <= LIMITS.max_rotation + 1e-7
    assert rotation_angle(r_current, r_safe) <= rotation_angle(r_current, r_target) + 1e-7
    assert rotation_angle(r_safe, r_target) <= rotation_angle(r_current, r_target) + 1e-7


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_translation", 0.0), ("max_rotation", -1.0), ("stale_after", float("nan"))],
)
def test_invalid_limits_name_the_field(field, value):
    with pytest.raises(ConfigError, match=field):
        SafetyLimits(workspace_min=(0, 0, 0), workspace_max=(1, 1, 1), **{field: value})


def test_an_inverted_workspace_is_refused():
    with pytest.raises(ConfigError, match="must be below"):
        SafetyLimits(workspace_min=(0, 0, 1), workspace_max=(1, 1, 0.5))
