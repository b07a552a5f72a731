import numpy as np
import pytest

from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.runtime.tracks import TrackHistory, camera_to_base


def positions(step: int, n: int = 4) -> np.ndarray:
    return np.arange(3 * n, dtype=float).reshape(n, 3) + 10.0 * step


def test_the_history_keeps_each_points_last_positions_oldest_first():
    history = TrackHistory(3)
    for step in range(5):
        tracks = history.add(positions(step))
    assert tracks.shape == (4, 3, 3)
    for age, step in enumerate((2, 3, 4)):
        np.testing.assert_array_equal(tracks[:, age], positions(step))
    assert len(history) == 3


def test_positions_of_another_point_count_start_the_history_anew():
    history = TrackHistory(3)
    history.add(positions(0))
    history.add(positions(1))
    tracks = history.add(positions(2, n=2))
    assert tracks.shape == (2, 1, 3)


def test_reset_forgets_every_position():
    history = TrackHistory(2)
    history.add(positions(0))
    history.reset()
    assert len(history) == 0
    assert history.tracks.shape == (0, 0, 3)


def test_a_history_needs_a_positive_length_and_n_by_3_positions():
    with pytest.raises(ConfigError, match="positive int"):
        TrackHistory(0)
    with pytest.raises(ObservationError, match=r"expected shape \(n, 3\), got \(12,\)"):
        TrackHistory(2).add(positions(0).ravel())


def test_camera_points_are_rotated_then_moved_into_the_base_frame():
    # a camera 1 m above the base origin looking straight down: x right = base x, y down = -y
    base_from_camera = np.array(
        [[1.0, 0.0, 0.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, -1.0, 1.0], [0.0, 0, 0, 1]]
    )
    in_camera = np.array([[0.0, 0.0, 1.0], [0.1, 0.2, 0.5]])
    expected = np.array([[0.0, 0.0, 0.0], [0.1, -0.2, 0.5]])
    np.testing.assert_allclose(camera_to_base(in_camera, base_from_camera), expected, atol=1e-12)
    tracks = np.stack([in_camera, in_camera], axis=1)  # (n, L, 3) keeps its shape
    np.testing.assert_allclose(camera_to_base(tracks, base_from_camera)[:, 1], expected, atol=1e-12)
