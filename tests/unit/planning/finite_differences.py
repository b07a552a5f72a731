"""Velocities and accelerations of a trajectory played piecewise-linearly, from rest to rest."""

import numpy as np


def segment_velocities(times, positions):
    """(N - 1, n): (q_{k+1} - q_k) / (t_{k+1} - t_k)."""
    return np.diff(positions, axis=0) / np.diff(times)[:, None]


def accelerations(times, positions):
    """(N, n): change of velocity between consecutive segment midpoints (rest at both ends)."""
    velocities = segment_velocities(times, positions)
    rest = np.zeros((1, positions.shape[1]))
    sample_times = np.r_[times[0], (times[:-1] + times[1:]) / 2.0, times[-1]]
    return np.diff(np.vstack([rest, velocities, rest]), axis=0) / np.diff(sample_times)[:, None]
