"""Camera intrinsics in the ROS ``camera_calibration`` YAML format, read, written and rescaled.

The format is the one ``camera_calibration`` (``cameracalibrator``) writes and
``camera_calibration_parsers`` / ``camera_info_manager`` read::

    image_width: 640
    image_height: 480
    camera_name: ego
    camera_matrix: {rows: 3, cols: 3, data: [fx, 0, cx, 0, fy, cy, 0, 0, 1]}
    distortion_model: plumb_bob
    distortion_coefficients: {rows: 1, cols: 5, data: [k1, k2, p1, p2, k3]}
    rectification_matrix: {rows: 3, cols: 3, data: [1, 0, 0, 0, 1, 0, 0, 0, 1]}
    projection_matrix: {rows: 3, cols: 4, data: [fx', 0, cx', Tx, 0, fy', cy', Ty, 0, 0, 1, 0]}

Matrices are row-major, in pixels, with pixel centres at integer coordinates (OpenCV's
convention, the one every intrinsic matrix of this package uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from arm4r_policy.atomic_file import replace_file
from arm4r_policy.errors import ConfigError

__all__ = [
    "DISTORTION_COEFFICIENT_COUNTS",
    "CameraCalibration",
    "load_calibration",
    "pixel_scaling",
    "save_calibration",
]

DISTORTION_COEFFICIENT_COUNTS = {"plumb_bob": 5, "rational_polynomial": 8, "equidistant": 4}
"""Coefficients each distortion model of ``sensor_msgs/CameraInfo`` takes."""

_MATRIX_FIELDS = {
    "camera_matrix": (3, 3),
    "rectification_matrix": (3, 3),
    "projection_matrix": (3, 4),
}


def pixel_scaling(from_size: tuple[int, int], to_size: tuple[int, int]) -> np.ndarray:
    """(3, 3) map of pixel coordinates of an image resized from ``from_size`` to ``to_size``.

    Sizes are (width, height) [px]. With pixel centres at integer coordinates a resize by ``s``
    maps ``u -> (u + 0.5) s - 0.5``; applied on the left of K (3, 3) or P (3, 4) it scales the
    focal lengths and ``Tx, Ty`` by ``s`` and moves the principal point accordingly.
    """
    sx, sy = (to / original for to, original in zip(to_size, from_size, strict=True))
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class CameraCalibration:
    """The intrinsics of one camera at one image size (``sensor_msgs/CameraInfo`` content).

    Attributes:
        camera_name: the camera's name.
        width, height: image size the matrices belong to [px].
        camera_matrix: (3, 3) K [px].
        distortion_model: ``plumb_bob``, ``rational_polynomial``, ``equidistant``, ...
        distortion: (n,) coefficients of that model.
        rectification: (3, 3) R, identity for a monocular camera.
        projection: (3, 4) P [px]; ``[K | 0]`` for a monocular camera.
    """

    camera_name: str
    width: int
    height: int
    camera_matrix: np.ndarray
    distortion_model: str
    distortion: np.ndarray
    rectification: np.ndarray
    projection: np.ndarray

    @classmethod
    def monocular(
        cls,
        camera_name: str,
        width: int,
        height: int,
        camera_matrix: np.ndarray,
        distortion_model: str = "plumb_bob",
        distortion: np.ndarray | None = None,
    ) -> CameraCalibration:
        """A single camera: R = I, P = [K | 0], no distortion unless given."""
        k = np.asarray(camera_matrix, dtype=float)
        coefficients = DISTORTION_COEFFICIENT_COUNTS.get(distortion_model, 0)
        return cls(
            camera_name=camera_name,
            width=width,
            height=height,
            camera_matrix=k,
            distortion_model=distortion_model,
            distortion=np.zeros(coefficients) if distortion is None else distortion,
            rectification=np.eye(3),
            projection=np.hstack([k, np.zeros((3, 1))]) if k.shape == (3, 3) else k,
        )

    def __post_init__(self) -> None:
        where = f"calibration of camera {self.camera_name!r}"
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{where}: {name} = {value!r}; expected a positive integer")
        k = _matrix(self.camera_matrix, (3, 3), f"{where}: camera_matrix")
        if not (k[0, 0] > 0 and k[1, 1] > 0 and np.allclose(k[2], (0.0, 0.0, 1.0))):
            raise ConfigError(
                f"{where}: camera_matrix = {k.tolist()}; expected fx, fy > 0 and a last row "
                "(0, 0, 1)"
            )
        distortion = np.asarray(self.distortion, dtype=float).reshape(-1)
        expected = DISTORTION_COEFFICIENT_COUNTS.get(self.distortion_model)
        if expected is not None and distortion.size != expected:
            raise ConfigError(
                f"{where}: distortion model {self.distortion_model} takes {expected} "
                f"coefficients; got {distortion.size}"
            )
        if not np.all(np.isfinite(distortion)):
            raise ConfigError(f"{where}: distortion {distortion.tolist()} is not finite")
        rectification = _matrix(self.rectification, (3, 3), f"{where}: rectification")
        projection = _matrix(self.projection, (3, 4), f"{where}: projection")
        object.__setattr__(self, "camera_matrix", k)
        object.__setattr__(self, "distortion", distortion)
        object.__setattr__(self, "rectification", rectification)
        object.__setattr__(self, "projection", projection)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) [px]."""
        return self.width, self.height

    def scaled(self, width: int, height: int) -> CameraCalibration:
        """The same camera for images resized to ``width`` x ``height`` [px].

        K and P are mapped by ``pixel_scaling``; distortion coefficients (functions of
        normalised coordinates) and the rectification rotation stay as they are.
        """
        scaling = pixel_scaling(self.size, (width, height))
        return CameraCalibration(
            camera_name=self.camera_name,
            width=width,
            height=height,
            camera_matrix=scaling @ self.camera_matrix,
            distortion_model=self.distortion_model,
            distortion=self.distortion,
            rectification=self.rectification,
            projection=scaling @ self.projection,
        )

    def camera_info_fields(self) -> dict[str, Any]:
        """The fields of a ``sensor_msgs/CameraInfo`` (without header), as plain Python values."""
        return {
            "width": self.width,
            "height": self.height,
            "distortion_model": self.distortion_model,
            "d": self.distortion.tolist(),
            "k": self.camera_matrix.reshape(-1).tolist(),
            "r": self.rectification.reshape(-1).tolist(),
            "p": self.projection.reshape(-1).tolist(),
        }

    def to_yaml_dict(self) -> dict[str, Any]:
        """The ``camera_calibration`` YAML content."""

        def block(matrix: np.ndarray) -> dict[str, Any]:
            rows, cols = (1, matrix.size) if matrix.ndim == 1 else matrix.shape
            return {"rows": rows, "cols": cols, "data": matrix.reshape(-1).tolist()}

        return {
            "image_width": self.width,
            "image_height": self.height,
            "camera_name": self.camera_name,
            "camera_matrix": block(self.camera_matrix),
            "distortion_model": self.distortion_model,
            "distortion_coefficients": block(self.distortion),
            "rectification_matrix": block(self.rectification),
            "projection_matrix": block(self.projection),
        }

    @classmethod
    def from_yaml_dict(cls, content: Mapping[str, Any], source: str) -> CameraCalibration:
        """Parse ``camera_calibration`` YAML content; ``source`` names it in errors.

        Raises:
            ConfigError: a field is missing or malformed; the message names ``source`` and it.
        """
        if not isinstance(content, Mapping):
            raise ConfigError(f"{source}: expected a YAML mapping, got {type(content).__name__}")
        missing = [
            key
            for key in ("image_width", "image_height", "camera_matrix", "distortion_coefficients")
            if key not in content
        ]
        if missing:
            raise ConfigError(f"{source}: missing field(s) {missing}")
        matrices = {
            name: _block(content[name], shape, f"{source}: field {name}")
            for name, shape in _MATRIX_FIELDS.items()
            if name in content
        }
        coefficients = content["distortion_coefficients"]
        distortion = _block(coefficients, None, f"{source}: field distortion_coefficients")
        k = matrices["camera_matrix"]
        try:
            return cls(
                camera_name=str(content.get("camera_name", "")),
                width=content["image_width"],
                height=content["image_height"],
                camera_matrix=k,
                distortion_model=str(content.get("distortion_model", "plumb_bob")),
                distortion=distortion,
                rectification=matrices.get("rectification_matrix", np.eye(3)),
                projection=matrices.get("projection_matrix", np.hstack([k, np.zeros((3, 1))])),
            )
        except ConfigError as error:
            raise ConfigError(f"{source}: {error}") from error


def _matrix(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    try:
        matrix = np.array(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{what}: not a matrix of numbers ({error})") from error
    if matrix.shape != shape:
        raise ConfigError(f"{what} has shape {matrix.shape}; expected {shape}")
    if not np.all(np.isfinite(matrix)):
        raise ConfigError(f"{what} = {matrix.tolist()} is not finite")
    return matrix


def _block(value: Any, shape: tuple[int, int] | None, what: str) -> np.ndarray:
    """A ``{rows, cols, data}`` block as an array of ``shape`` ((n,) for None: a 1 x n row)."""
    if not isinstance(value, Mapping) or not {"rows", "cols", "data"} <= value.keys():
        raise ConfigError(f"{what}: expected a mapping with rows, cols and data; got {value!r}")
    rows, cols, data = value["rows"], value["cols"], value["data"]
    if not isinstance(data, list) or not all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in data
    ):
        raise ConfigError(f"{what}: data must be a list of numbers; got {data!r}")
    if not isinstance(rows, int) or not isinstance(cols, int) or rows * cols != len(data):
        raise ConfigError(
            f"{what}: rows = {rows!r} and cols = {cols!r} do not fit {len(data)} numbers"
        )
    if shape is None:
        if rows != 1:
            raise ConfigError(f"{what}: rows = {rows}; expected 1")
        return _matrix(data, (cols,), what)
    if (rows, cols) != shape:
        raise ConfigError(
            f"{what}: rows x cols = {rows} x {cols}; expected {shape[0]} x {shape[1]}"
        )
    return _matrix(data, (rows * cols,), what).reshape(shape)


def load_calibration(path: str | Path) -> CameraCalibration:
    """Read a ``camera_calibration`` YAML file.

    Raises:
        ConfigError: the file is missing, not YAML, or a field is missing or malformed; the
            message names the file and the field.
    """
    path = Path(path)
    source = f"calibration file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{source} cannot be read: {error}") from error
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}") from error
    return CameraCalibration.from_yaml_dict(content, source)


def save_calibration(calibration: CameraCalibration, path: str | Path) -> None:
    """Write ``calibration`` as ``camera_calibration`` YAML, atomically.

    Readers see the old file or the new one, never a partial one.
    """
    text = yaml.safe_dump(calibration.to_yaml_dict(), sort_keys=False, default_flow_style=None)
    replace_file(Path(path), text)
