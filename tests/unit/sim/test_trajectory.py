import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.sim.trajectory import (
    check_joint_positions,
    check_waypoint_times,
    sample_piecewise_linear,
)

LIMITS = np.tile([-1.0, 1.0], (7, 1))


def test_piecewise_linear_samples_positions_and_segment_velocities():
    times = np.array([0.0, 1.0, 3.0])
    positions = np.array([[0.0], [1.0], [0.0]])
    sampled, velocity = sample_piecewise_linear(times, positions, np.array([0.5, 1.0, 2.0, 3.0]))
    np.testing.assert_allclose(sampled[:, 0], [0.5, 1.0, 0.5, 0.0])
    np.testing.assert_allclose(velocity[:, 0], [1.0, -0.5, -0.5, -0.5])


def test_piecewise_linear_holds_still_after_the_last_waypoint():
    times, positions = np.array([0.0, 1.0]), np.array([[0.0, 2.0], [1.0, 0.0]])
    sampled, velocity = sample_piecewise_linear(times, positions, np.array([1.5, 9.0]))
    np.testing.assert_allclose(sampled, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(velocity, 0.0)


def test_joint_positions_outside_limits_are_rejected_with_the_joint_named():
    q = np.zeros(7)
    q[3] = 1.2
    with pytest.raises(CommandError, match="joint 4 = 1.2000"):
        check_joint_positions(q, LIMITS, "joint targets")


@pytest.mark.parametrize("bad", [np.zeros(6), np.full(7, np.nan), np.zeros((2, 8))])
def test_joint_positions_of_wrong_shape_or_not_finite_are_rejected(bad):
    with pytest.raises(CommandError, match="joint targets"):
        check_joint_positions(bad, LIMITS, "joint targets")


@pytest.mark.parametrize("times", [[0.5, 0.5], [-0.1, 1.0], [1.0]])
def test_waypoint_times_must_be_non_negative_increasing_and_one_per_waypoint(times):
    with pytest.raises(CommandError, match="trajectory times"):
        check_waypoint_times(np.array(times), count=2)
