"""``arm4r calibrate``: run a calibration on an image folder, print its errors, write its file.

``intrinsics`` writes the ``camera_calibration`` YAML the camera node reads; ``extrinsics`` sets
the camera's entry of the extrinsics YAML (other cameras' entries are kept). A refused calibration
writes nothing. Limits left out on the command line are the modules' defaults; the extrinsics
limits are given in millimetres and degrees there.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from arm4r_policy.calibration.boards import Board, make_board
from arm4r_policy.calibration.extrinsics import (
    MAX_POSITION_RESIDUAL,
    MAX_ROTATION_RESIDUAL,
    calibrate_extrinsics,
)
from arm4r_policy.calibration.extrinsics_file import save_extrinsics
from arm4r_policy.calibration.intrinsics import MAX_REPROJECTION_ERROR, calibrate_intrinsics
from arm4r_policy.drivers.calibration import load_calibration, save_calibration
from arm4r_policy.errors import ARM4RError
from arm4r_policy.runtime.pose import matrix_to_quat_xyzw

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """Exit codes: 0 done, 1 a file system error (e.g. an output directory that does not exist),
    2 refused; the reason on stderr, nothing written."""
    try:
        if args.step == "intrinsics":
            _intrinsics(args)
        else:
            _extrinsics(args)
    except ARM4RError as refusal:
        print(f"arm4r calibrate {args.step}: {refusal}", file=sys.stderr)
        return 2
    except OSError as failure:
        print(f"arm4r calibrate {args.step}: {failure}", file=sys.stderr)
        return 1
    return 0


def _board(args: argparse.Namespace) -> Board:
    return make_board(args.board, args.cols, args.rows, args.square, args.marker, args.dictionary)


def _print_skipped(skipped: tuple[str, ...]) -> None:
    if skipped:
        print(f"board not found in {len(skipped)} images: {', '.join(skipped)}")


def _intrinsics(args: argparse.Namespace) -> None:
    max_error = getattr(args, "max_error", MAX_REPROJECTION_ERROR)
    result = calibrate_intrinsics(args.images, _board(args), args.camera_name, max_error)
    print("reprojection error per image [px]:")
    for name, error in result.view_errors.items():
        print(f"  {name}  {error:.3f}")
    _print_skipped(result.skipped)
    calibration = result.calibration
    (fx, _, cx), (_, fy, cy), _ = calibration.camera_matrix
    print(f"{calibration.width}x{calibration.height}: fx {fx:.2f}, fy {fy:.2f}, cx {cx:.2f}, "
          f"cy {cy:.2f} px; plumb_bob {np.round(calibration.distortion, 5).tolist()}")  # fmt: skip
    print(f"RMS reprojection error {result.rms_error:.3f} px over {len(result.view_errors)} images")
    save_calibration(calibration, args.out)
    print(f"wrote {args.out}")


def _extrinsics(args: argparse.Namespace) -> None:
    result = calibrate_extrinsics(
        args.images,
        args.poses if args.poses is not None else args.images / "poses.yaml",
        load_calibration(args.intrinsics),
        _board(args),
        args.mount,
        getattr(args, "max_position_error", 1000.0 * MAX_POSITION_RESIDUAL) / 1000.0,
        math.radians(getattr(args, "max_rotation_error", math.degrees(MAX_ROTATION_RESIDUAL))),
    )
    print("residual per image [mm, deg]:")
    for name, position in result.position_residuals.items():
        rotation = math.degrees(result.rotation_residuals[name])
        print(f"  {name}  {1000.0 * position:.2f}  {rotation:.3f}")
    _print_skipped(result.skipped)
    print(f"RMS reprojection error {result.reprojection_rms:.3f} px over "
          f"{len(result.position_residuals)} images")  # fmt: skip
    frame = "base" if args.mount == "fixed" else "end effector"
    position = np.round(result.camera_pose[:3, 3], 4).tolist()
    quaternion = np.round(matrix_to_quat_xyzw(result.camera_pose[:3, :3]), 5).tolist()
    print(f"camera {args.camera!r} in the {frame} frame: position {position} m, orientation "
          f"(x, y, z, w) {quaternion}")  # fmt: skip
    save_extrinsics(args.out, args.camera, result.camera_pose)
    print(f"wrote {args.out}")
