import math

import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.planning import solve_ik

from .geometry import rotation_angle

TWO_PI = 2.0 * math.pi


def random_configurations(model, count, seed, margin=0.2):
    """(count, 7) joint angles drawn uniformly inside the limits (continuous joints: one turn)."""
    lower, upper = model.joint_limits.T
    lower, upper = np.maximum(lower, -math.pi) + margin, np.minimum(upper, math.pi) - margin
    return np.random.default_rng(seed).uniform(lower, upper, size=(count, len(lower)))


def test_ik_recovers_random_poses_from_perturbed_seeds(arm):
    model, _ = arm
    rng = np.random.default_rng(7)
    for q in random_configurations(model, 50, seed=3):
        target = model.fk(q)
        result = solve_ik(model, target, q + rng.normal(0.0, 0.15, size=q.shape))
        reached = model.fk(result.q)
        assert result.converged, result
        assert np.linalg.norm(reached[:3, 3] - target[:3, 3]) <= 1e-3
        assert rotation_angle(reached[:3, :3], target[:3, :3]) <= math.radians(1.0)
        assert result.position_error <= 1e-4
        assert result.rotation_error <= 1e-3


def test_ik_reports_the_residual_it_reached(arm):
    model, home = arm
    target = model.fk(home)
    target[:3, 3] += (0.02, -0.01, 0.03)
    result = solve_ik(model, target, home)
    reached = model.fk(result.q)
    assert result.position_error == pytest.approx(np.linalg.norm(reached[:3, 3] - target[:3, 3]))
    assert result.rotation_error == pytest.approx(
        rotation_angle(reached[:3, :3], target[:3, :3]), abs=1e-9
    )
    assert 0 < result.iterations < 20


def test_ik_keeps_a_redundant_arm_near_its_seed(kinova, kinova_home):
    """The null-space pull keeps the elbow where the seed had it: no branch change."""
    target = kinova.fk(kinova_home)
    target[:3, 3] += (0.01, 0.01, 0.0)
    result = solve_ik(kinova, target, kinova_home)
    assert result.converged
    assert np.max(np.abs(result.q - kinova_home)) < 0.1


def test_ik_of_an_unreachable_pose_stays_within_the_limits_and_says_so(arm):
    model, home = arm
    target = model.fk(home)
    target[:3, 3] += (2.0, 0.0, 0.0)
    result = solve_ik(model, target, home, max_iterations=50)
    assert not result.converged
    assert result.iterations == 50
    assert result.position_error > 0.5
    assert np.all(result.q >= model.joint_limits[:, 0])
    assert np.all(result.q <= model.joint_limits[:, 1])


def test_ik_answers_a_continuous_joint_on_the_turn_of_its_seed(kinova):
    """Kinova joint 1 at q and at q + 2 pi is the same arm; the answer stays on the seed's turn."""
    q = random_configurations(kinova, 1, seed=11)[0]
    q[0] = -2.0
    seed = q.copy()
    seed[0] += TWO_PI
    target = kinova.fk(q)
    target[:3, 3] += (0.0, 0.0, 0.02)
    result = solve_ik(kinova, target, seed)
    assert result.converged
    assert abs(result.q[0] - seed[0]) < 0.2


def test_ik_wraps_a_continuous_joint_at_its_limit_instead_of_stopping(kinova):
    """From joint 1 at 6.2 rad (limit 2 pi), a pose needing 6.4 rad is reached at 6.4 - 2 pi."""
    q = random_configurations(kinova, 1, seed=5)[0]
    q[0] = 6.4 - TWO_PI
    seed = q.copy()
    seed[0] = 6.2
    result = solve_ik(kinova, kinova.fk(q), seed)
    assert result.converged
    assert 0.0 < result.q[0] < 0.3  # one turn below 2 pi + (0 .. 0.3), the seed's neighbourhood


def test_ik_is_deterministic(franka, franka_home):
    target = franka.fk(franka_home)
    target[:3, 3] += (0.05, 0.05, -0.05)
    first = solve_ik(franka, target, franka_home)
    second = solve_ik(franka, target, franka_home)
    np.testing.assert_array_equal(first.q, second.q)
    assert first.iterations == second.iterations


@pytest.mark.parametrize(
    ("pose", "seed", "message"),
    [
        (np.eye(3), np.zeros(7), "shape"),
        (np.diag([1.0, 1.0, 2.0, 1.0]), np.zeros(7), "not a rigid transform"),
        (np.eye(4), np.zeros(6), "q_seed"),
        (np.eye(4), np.full(7, np.nan), "q_seed"),
    ],
)
def test_ik_rejects_malformed_input(franka, pose, seed, message):
    with pytest.raises(CommandError, match=message):
        solve_ik(franka, pose, seed)
