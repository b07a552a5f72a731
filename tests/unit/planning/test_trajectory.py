import numpy as np
import pytest

from arm4r_policy.errors import CommandError
from arm4r_policy.planning import JointTrajectory


def test_trajectory_reports_its_duration_and_stores_read_only_arrays():
    trajectory = JointTrajectory([0.0, 0.5, 1.25], np.zeros((3, 7)), np.zeros((3, 7)))
    assert trajectory.duration == 1.25
    with pytest.raises(ValueError, match="read-only"):
        trajectory.positions[0, 0] = 1.0


def test_trajectory_copies_its_input():
    positions = np.zeros((2, 7))
    trajectory = JointTrajectory([0.0, 1.0], positions, np.zeros((2, 7)))
    positions[1] = 1.0
    assert np.all(trajectory.positions == 0.0)


@pytest.mark.parametrize(
    ("times", "positions", "velocities", "message"),
    [
        ([0.1, 1.0], np.zeros((2, 7)), np.zeros((2, 7)), "starts at 0.1"),
        ([0.0, 1.0, 1.0], np.zeros((3, 7)), np.zeros((3, 7)), "strictly increasing"),
        ([], np.zeros((0, 7)), np.zeros((0, 7)), "N >= 1"),
        ([0.0, 1.0], np.zeros((3, 7)), np.zeros((3, 7)), "positions"),
        ([0.0, 1.0], np.zeros((2, 7)), np.zeros((2, 6)), "velocities"),
        ([0.0, 1.0], np.full((2, 7), np.nan), np.zeros((2, 7)), "positions"),
    ],
)
def test_malformed_trajectories_are_rejected_naming_the_field(
    times, positions, velocities, message
):
    with pytest.raises(CommandError, match=message):
        JointTrajectory(times, positions, velocities)
