"""Predicted point tracks for drawing: each point's recent positions, and their move out of the
camera frame into the robot base frame."""

from __future__ import annotations

from collections import deque

import numpy as np

from arm4r_policy.errors import ConfigError, ObservationError


class TrackHistory:
    """The last ``length`` positions of each of n points.

    ``add`` takes one (n, 3) set of positions per step; positions of another n start the history
    anew (another checkpoint, or another camera's grid).
    """

    def __init__(self, length: int) -> None:
        if not isinstance(length, int) or isinstance(length, bool) or length < 1:
            raise ConfigError(f"TrackHistory.length: expected a positive int, got {length!r}")
        self.length = length
        self._steps: deque[np.ndarray] = deque(maxlen=length)

    def __len__(self) -> int:
        return len(self._steps)

    def reset(self) -> None:
        self._steps.clear()

    def add(self, points: np.ndarray) -> np.ndarray:
        """Keep (n, 3) positions; returns the tracks with them, as ``tracks``."""
        points = np.array(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3:
            raise ObservationError(f"track positions: expected shape (n, 3), got {points.shape}")
        if self._steps and self._steps[-1].shape != points.shape:
            self._steps.clear()
        self._steps.append(points)
        return self.tracks

    @property
    def tracks(self) -> np.ndarray:
        """(n, L, 3) each point's last L <= ``length`` positions, oldest first."""
        if not self._steps:
            return np.zeros((0, 0, 3))
        return np.stack(self._steps, axis=1)


def camera_to_base(points: np.ndarray, base_from_camera: np.ndarray) -> np.ndarray:
    """(..., 3) camera-frame points [m] -> (..., 3) in the robot base frame.

    ``base_from_camera``: the (4, 4) camera-to-base pose (the camera's extrinsics, OpenCV axes).
    """
    pose = np.asarray(base_from_camera, dtype=np.float64)
    return np.asarray(points, dtype=np.float64) @ pose[:3, :3].T + pose[:3, 3]
