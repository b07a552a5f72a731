import math

import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.planning import time_parameterize

from .finite_differences import accelerations, segment_velocities

MAX_VELOCITIES = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0])
MAX_ACCELERATIONS = np.array([2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 4.0])


def curved_path(count=60):
    """(count, 7) waypoints [rad] along a smooth, curved joint path."""
    s = np.linspace(0.0, 1.0, count)[:, None]
    return 0.8 * np.sin(np.pi * s * np.arange(1, 8) / 4.0) + 0.3 * s


def limit_ratios(trajectory):
    velocity = np.max(
        np.abs(segment_velocities(trajectory.times, trajectory.positions)) / MAX_VELOCITIES
    )
    acceleration = np.max(
        np.abs(accelerations(trajectory.times, trajectory.positions)) / MAX_ACCELERATIONS
    )
    return velocity, acceleration


def test_finite_difference_velocities_and_accelerations_stay_within_the_limits():
    trajectory = time_parameterize(curved_path(), MAX_VELOCITIES, MAX_ACCELERATIONS)
    velocity, acceleration = limit_ratios(trajectory)
    assert velocity <= 1.0 + 1e-9
    assert acceleration <= 1.0 + 1e-9
    assert np.all(np.abs(trajectory.velocities) <= MAX_VELOCITIES * (1.0 + 1e-9))


def test_timing_reaches_the_tightest_limit():
    trajectory = time_parameterize(curved_path(), MAX_VELOCITIES, MAX_ACCELERATIONS)
    velocity, acceleration = limit_ratios(trajectory)
    assert max(velocity, math.sqrt(acceleration)) == pytest.approx(1.0, abs=1e-9)


def test_trajectory_starts_at_zero_and_rests_at_both_ends():
    trajectory = time_parameterize(curved_path(), MAX_VELOCITIES, MAX_ACCELERATIONS)
    assert trajectory.times[0] == 0.0
    np.testing.assert_array_equal(trajectory.velocities[[0, -1]], 0.0)
    np.testing.assert_array_equal(trajectory.positions, curved_path())


def test_waypoint_velocities_agree_with_the_positions():
    trajectory = time_parameterize(curved_path(200), MAX_VELOCITIES, MAX_ACCELERATIONS)
    central = np.gradient(trajectory.positions, trajectory.times, axis=0)
    np.testing.assert_allclose(trajectory.velocities[1:-1], central[1:-1], atol=1e-12)


def test_a_profile_with_room_cruises_at_the_velocity_limit():
    """A long straight joint move accelerates, cruises at the limit of joint 1, then brakes."""
    path = np.linspace(0.0, 3.0, 301)[:, None] * np.array([1.0, 0.5, 0, 0, 0, 0, 0])
    trajectory = time_parameterize(path, MAX_VELOCITIES, MAX_ACCELERATIONS)
    speeds = segment_velocities(trajectory.times, trajectory.positions)[:, 0]
    assert np.sum(speeds > 0.99) > 150
    # Trapezoid: 3 rad at 1 rad/s with 2 rad/s^2 ramps takes 3 + 1/2 s.
    assert trajectory.duration == pytest.approx(3.5, rel=0.02)


def test_a_single_segment_takes_the_rest_to_rest_minimum():
    step = np.array([0.5, 0, 0, 0, 0, 0, 0])
    trajectory = time_parameterize(np.stack([np.zeros(7), step]), MAX_VELOCITIES, MAX_ACCELERATIONS)
    # From rest to d / T and back within the half segment: 2 d / T^2 <= a.
    assert trajectory.duration == pytest.approx(math.sqrt(2.0 * 0.5 / 2.0))


def test_a_single_waypoint_is_a_trajectory_of_no_duration():
    trajectory = time_parameterize(np.zeros((1, 7)), MAX_VELOCITIES, MAX_ACCELERATIONS)
    assert trajectory.duration == 0.0
    assert trajectory.positions.shape == (1, 7)


def test_tcp_speed_limit_slows_the_motion_down():
    path = curved_path()
    tcp = np.linspace(0.0, 1.0, len(path))[:, None] * np.array([0.5, 0.0, 0.0])
    free = time_parameterize(path, MAX_VELOCITIES, MAX_ACCELERATIONS)
    limited = time_parameterize(path, MAX_VELOCITIES, MAX_ACCELERATIONS, tcp, max_tcp_speed=0.1)
    tcp_speeds = np.linalg.norm(np.diff(tcp, axis=0), axis=1) / np.diff(limited.times)
    assert tcp_speeds.max() <= 0.1 * (1.0 + 1e-9)
    assert limited.duration > free.duration


def test_lower_limits_never_shorten_the_motion():
    path = curved_path()
    fast = time_parameterize(path, MAX_VELOCITIES, MAX_ACCELERATIONS)
    slow = time_parameterize(path, 0.5 * MAX_VELOCITIES, MAX_ACCELERATIONS)
    assert slow.duration >= fast.duration


@pytest.mark.parametrize(
    ("positions", "velocities", "message"),
    [
        (np.zeros((3, 7)), MAX_VELOCITIES, "waypoints 0 and 1 are equal"),
        (np.zeros(7), MAX_VELOCITIES, "path positions"),
        (curved_path(), np.zeros(7), "max_velocities"),
        (curved_path(), np.ones(6), "max_velocities"),
    ],
)
def test_malformed_paths_and_limits_are_rejected(positions, velocities, message):
    with pytest.raises(CommandError, match=message):
        time_parameterize(positions, velocities, MAX_ACCELERATIONS)


def test_tcp_speed_limit_needs_tcp_positions():
    with pytest.raises(CommandError, match="TCP positions"):
        time_parameterize(curved_path(), MAX_VELOCITIES, MAX_ACCELERATIONS, None, 0.1)
