"""Calibration boards: chessboard or ChArUco, their corners in 3D, and finding them in images.

Both boards are counted in INNER corners, ``cols`` x ``rows`` (a board printed with ``cols + 1`` x
``rows + 1`` squares). The board frame, in which ``object_points`` are given: origin at the first
inner corner, x along a row of ``cols`` corners, y across the rows, z into the board (away from
whoever looks at its printed face), so a board seen head-on has x right and y down like an image.

- Chessboard: seen from the front with its rows of ``cols`` corners running left to right and a
  dark square in its top-left corner, the first inner corner is the top-left one. Turned by 180
  deg, a board whose ``cols + rows`` is odd (e.g. 9 x 6) shows a light square there instead, so
  every detection is put in that order; one whose ``cols + rows`` is even looks the same either
  way: it calibrates intrinsics, not extrinsics.
- ChArUco: OpenCV's layout (``cv2.aruco.CharucoBoard`` with ``cols + 1`` x ``rows + 1`` squares,
  the current, non-legacy pattern); the markers name every corner, so a partly visible board
  counts and its orientation is never ambiguous.
"""

from __future__ import annotations

import functools
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from arm4r_policy.errors import ConfigError

__all__ = ["BOARD_KINDS", "Board", "BoardView", "CharucoBoard", "Chessboard", "make_board"]

_SUBPIX_CRITERIA = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.01)
MIN_CHARUCO_CORNERS = 6
"""Fewest ChArUco corners, over at least two rows and two columns, that make a view."""


class BoardView(NamedTuple):
    """The corners of a board found in one image."""

    image_points: np.ndarray  # (N, 2) float32 [px], pixel centres at integer coordinates
    object_points: np.ndarray  # (N, 3) float32 [m], board frame


@dataclass(frozen=True)
class Board(ABC):
    """A planar board of ``cols`` x ``rows`` inner corners, ``square`` [m] apart."""

    cols: int
    rows: int
    square: float

    def __post_init__(self) -> None:
        name = type(self).__name__
        for field in ("cols", "rows"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 3:
                raise ConfigError(f"{name}.{field} = {value!r}; expected an integer >= 3")
        if not self.square > 0.0:
            raise ConfigError(f"{name}.square = {self.square}; expected > 0 m")

    @property
    def object_points(self) -> np.ndarray:
        """(cols * rows, 3) float32 inner corners [m] in the board frame, row by row."""
        grid = np.mgrid[0 : self.cols, 0 : self.rows].T.reshape(-1, 2) * self.square
        return np.hstack([grid, np.zeros((len(grid), 1))]).astype(np.float32)

    @property
    @abstractmethod
    def has_unique_orientation(self) -> bool:
        """Whether a view fixes the board frame (extrinsics need it), not just the corners."""

    @abstractmethod
    def detect(self, gray: np.ndarray) -> BoardView | None:
        """The board's corners in a (H, W) uint8 image, or None where the board is not found."""


@dataclass(frozen=True)
class Chessboard(Board):
    """A black-and-white chessboard, found by ``cv2.findChessboardCornersSB`` and refined by
    ``cv2.cornerSubPix``."""

    @property
    def has_unique_orientation(self) -> bool:
        return (self.cols + self.rows) % 2 == 1

    def detect(self, gray: np.ndarray) -> BoardView | None:
        found, corners = cv2.findChessboardCornersSB(
            gray, (self.cols, self.rows), flags=cv2.CALIB_CB_NORMALIZE_IMAGE
        )
        if not found:
            return None
        # The positions findChessboardCornersSB returns are biased by a fraction of a pixel, in a
        # way that depends on the view (on rendered boards: focal lengths 0.5-2 % too long);
        # cornerSubPix over half the corner spacing, as ROS camera_calibration does, removes it.
        grid = corners.reshape(self.rows, self.cols, 2)
        spacing = min(np.linalg.norm(np.diff(grid, axis=axis), axis=-1).min() for axis in (0, 1))
        radius = max(1, math.ceil(spacing / 2))
        corners = cv2.cornerSubPix(gray, corners, (radius, radius), (-1, -1), _SUBPIX_CRITERIA)
        corners = corners.reshape(-1, 2)
        if self.has_unique_orientation and not self._starts_at_dark_square(gray, corners):
            corners = corners[::-1]  # the same grid, counted from the other end
        return BoardView(np.ascontiguousarray(corners), self.object_points)

    def _starts_at_dark_square(self, gray: np.ndarray, corners: np.ndarray) -> bool:
        """Whether the square inside the first two corners of the first two rows is darker than
        its neighbour along the rows."""
        grid = corners.reshape(self.rows, self.cols, 2)
        first = grid[:2, :2].reshape(-1, 2).mean(axis=0)
        second = grid[:2, 1:3].reshape(-1, 2).mean(axis=0)
        return _brightness(gray, first) < _brightness(gray, second)


@dataclass(frozen=True)
class CharucoBoard(Board):
    """A ChArUco board: ``marker`` [m] ArUco markers of ``dictionary`` in its light squares."""

    marker: float
    dictionary: str = "DICT_5X5_100"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 < self.marker < self.square:
            raise ConfigError(
                f"CharucoBoard.marker = {self.marker}; expected a marker side in (0, square = "
                f"{self.square}) m"
            )
        names = sorted(name for name in dir(cv2.aruco) if name.startswith("DICT_"))
        if self.dictionary not in names:
            raise ConfigError(
                f"CharucoBoard.dictionary = {self.dictionary!r}; expected one of {names}"
            )
        available = len(self._dictionary.bytesList)
        needed = (self.cols + 1) * (self.rows + 1) // 2
        if needed > available:
            raise ConfigError(
                f"CharucoBoard of {self.cols} x {self.rows} inner corners needs {needed} markers; "
                f"{self.dictionary} has {available}"
            )

    @property
    def has_unique_orientation(self) -> bool:
        return True

    @functools.cached_property
    def _dictionary(self) -> cv2.aruco.Dictionary:
        return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, self.dictionary))

    @functools.cached_property
    def _detector(self) -> cv2.aruco.CharucoDetector:
        board = cv2.aruco.CharucoBoard(
            (self.cols + 1, self.rows + 1), self.square, self.marker, self._dictionary
        )
        return cv2.aruco.CharucoDetector(board)

    def detect(self, gray: np.ndarray) -> BoardView | None:
        corners, ids, _, _ = self._detector.detectBoard(gray)
        if ids is None or len(ids) < MIN_CHARUCO_CORNERS:
            return None
        ids = ids.reshape(-1)
        if len(set(ids % self.cols)) < 2 or len(set(ids // self.cols)) < 2:
            return None  # all on one line: no plane to fit
        return BoardView(np.ascontiguousarray(corners.reshape(-1, 2)), self.object_points[ids])

    def image(self, pixels_per_square: int, margin_squares: float = 0.5) -> np.ndarray:
        """The board to print: (H, W) uint8, with a white margin of ``margin_squares`` squares."""
        margin = round(margin_squares * pixels_per_square)
        size = (
            (self.cols + 1) * pixels_per_square + 2 * margin,
            (self.rows + 1) * pixels_per_square + 2 * margin,
        )
        return self._detector.getBoard().generateImage(size, marginSize=margin)


def _brightness(gray: np.ndarray, point: np.ndarray) -> float:
    """Mean intensity of the 3 x 3 pixels around ``point`` (x, y) [px]."""
    patch = cv2.getRectSubPix(gray, (3, 3), (float(point[0]), float(point[1])))
    return float(patch.mean())


BOARD_KINDS = ("chessboard", "charuco")


def make_board(
    kind: str,
    cols: int,
    rows: int,
    square: float,
    marker: float | None = None,
    dictionary: str = "DICT_5X5_100",
) -> Board:
    """The board of a command line: ``kind`` is one of ``BOARD_KINDS``.

    Raises:
        ConfigError: an unknown kind, a ChArUco board without ``marker``, or a bad size.
    """
    if kind == "chessboard":
        return Chessboard(cols, rows, square)
    if kind == "charuco":
        if marker is None:
            raise ConfigError("a ChArUco board needs its marker side (--marker) [m]")
        return CharucoBoard(cols, rows, square, marker, dictionary)
    raise ConfigError(f"board kind {kind!r}; expected one of {list(BOARD_KINDS)}")
