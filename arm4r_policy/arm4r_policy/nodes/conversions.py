"""ROS messages <-> the arrays of the core: camera frames, 7-D end-effector states, stamps.

Images decode the way cv_bridge's ``imgmsg_to_cv2(msg, "rgb8")`` does: rows are ``step`` bytes
apart (padding after ``width * channels`` bytes is skipped) and the channels are reordered to RGB.
States are ``xyz [m], Euler XYZ [rad], gripper (0 open .. 1 closed)`` (runtime/pose.py);
ROS quaternions are ``(x, y, z, w)``. Stamps are integer nanoseconds in the core.
A malformed message raises ``ObservationError`` naming the field, the value seen and the expected.
"""

from __future__ import annotations

import re

import numpy as np
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticStatus, KeyValue
from geometry_msgs.msg import Point, Pose, PoseStamped, Quaternion
from nav_msgs.msg import Path
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Header

from arm4r_policy.errors import ObservationError
from arm4r_policy.runtime.pose import (
    euler_xyz_to_matrix,
    matrix_to_euler_xyz,
    matrix_to_quat_xyzw,
    quat_xyzw_to_matrix,
)
from arm4r_policy.runtime.sync import NS_PER_S

GRIPPER_JOINT = "gripper"  # the one joint of /arm4r/gripper_state, position = closure 0..1
TARGET_STAMP_KEY = "target_stamp"  # motion result value naming the target it answers

# encoding -> (bytes per pixel, which of them are R, G, B)
_RGB_CHANNELS = {
    "rgb8": (3, (0, 1, 2)),
    "bgr8": (3, (2, 1, 0)),
    "rgba8": (4, (0, 1, 2)),
    "bgra8": (4, (2, 1, 0)),
    "mono8": (1, (0, 0, 0)),
}
_STAMP_TEXT = re.compile(r"(\d+)\.(\d{9})")


def stamp_to_ns(stamp: Time) -> int:
    return stamp.sec * NS_PER_S + stamp.nanosec


def ns_to_stamp(stamp_ns: int) -> Time:
    return Time(sec=stamp_ns // NS_PER_S, nanosec=stamp_ns % NS_PER_S)


def format_stamp(stamp_ns: int) -> str:
    """``"<sec>.<nanosec, 9 digits>"``: the stamp as exact decimal seconds."""
    return f"{stamp_ns // NS_PER_S}.{stamp_ns % NS_PER_S:09d}"


def parse_stamp(text: str) -> int:
    """Inverse of ``format_stamp``."""
    match = _STAMP_TEXT.fullmatch(text.strip())
    if match is None:
        raise ObservationError(f"stamp: expected '<sec>.<9-digit nanosec>', got {text!r}")
    return int(match[1]) * NS_PER_S + int(match[2])


def image_to_rgb(msg: Image, source: str = "image") -> np.ndarray:
    """An Image in one of ``rgb8, bgr8, rgba8, bgra8, mono8`` -> (height, width, 3) uint8 RGB.

    The result owns its memory. ``source`` (e.g. the topic) starts every error message.
    """
    if msg.encoding not in _RGB_CHANNELS:
        raise ObservationError(
            f"{source}: encoding {msg.encoding!r} is not one of {sorted(_RGB_CHANNELS)}"
        )
    channels, rgb = _RGB_CHANNELS[msg.encoding]
    row_bytes = msg.width * channels
    if msg.height == 0 or msg.width == 0 or msg.step < row_bytes:
        raise ObservationError(
            f"{source}: expected a non-empty image with step >= width * {channels} = "
            f"{row_bytes}, got {msg.width}x{msg.height} with step {msg.step}"
        )
    data = np.frombuffer(msg.data, dtype=np.uint8)
    if data.size != msg.step * msg.height:
        raise ObservationError(
            f"{source}: expected step * height = {msg.step * msg.height} bytes of data, "
            f"got {data.size}"
        )
    pixels = data.reshape(msg.height, msg.step)[:, :row_bytes].reshape(msg.height, msg.width, -1)
    return np.ascontiguousarray(pixels[:, :, list(rgb)])


def rgb_to_image(rgb: np.ndarray, header: Header | None = None) -> Image:
    """(H, W, 3) uint8 RGB -> an rgb8 Image without row padding."""
    frame = np.asarray(rgb)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ObservationError(
            f"rgb: expected an (H, W, 3) uint8 array, got {frame.shape} {frame.dtype}"
        )
    height, width, _ = frame.shape
    msg = Image(height=height, width=width, encoding="rgb8", step=width * 3)
    msg.header = header or Header()
    msg.data = np.ascontiguousarray(frame).tobytes()
    return msg


def gripper_closure(msg: JointState, joint: str = GRIPPER_JOINT) -> float:
    """The closure (0 open .. 1 closed) of ``joint`` in a JointState."""
    names = list(msg.name)
    if joint not in names or names.index(joint) >= len(msg.position):
        raise ObservationError(
            f"gripper state: expected a position for joint {joint!r}, got names {names} "
            f"with {len(msg.position)} positions"
        )
    return float(msg.position[names.index(joint)])


def pose_to_state7(msg: PoseStamped, gripper: float, frame_id: str) -> np.ndarray:
    """A pose in ``frame_id`` and the gripper closure -> (7,) float64 state."""
    if msg.header.frame_id != frame_id:
        raise ObservationError(
            f"end-effector pose: expected frame {frame_id!r}, got {msg.header.frame_id!r}"
        )
    p, q = msg.pose.position, msg.pose.orientation
    euler = matrix_to_euler_xyz(quat_xyzw_to_matrix(np.array([q.x, q.y, q.z, q.w])))
    return np.array([p.x, p.y, p.z, *euler, gripper], dtype=np.float64)


def state7_to_pose(state7: np.ndarray, header: Header) -> PoseStamped:
    """(7,) state -> PoseStamped (the gripper value is not part of a pose)."""
    return states_to_path(np.asarray(state7)[None], header).poses[0]


def states_to_path(states7: np.ndarray, header: Header) -> Path:
    """(K, 7) states -> a Path of K poses, each with ``header``."""
    states = np.asarray(states7, dtype=np.float64)
    quaternions = matrix_to_quat_xyzw(euler_xyz_to_matrix(states[:, 3:6]))
    path = Path(header=header)
    for state, q in zip(states, quaternions, strict=True):
        pose = Pose(
            position=Point(x=float(state[0]), y=float(state[1]), z=float(state[2])),
            orientation=Quaternion(x=float(q[0]), y=float(q[1]), z=float(q[2]), w=float(q[3])),
        )
        path.poses.append(PoseStamped(header=header, pose=pose))
    return path


def motion_result(
    target_stamp_ns: int, succeeded: bool, message: str, executor: str
) -> DiagnosticStatus:
    """The status ``executor`` publishes on /arm4r/motion_result when a target's motion ended."""
    return DiagnosticStatus(
        level=DiagnosticStatus.OK if succeeded else DiagnosticStatus.ERROR,
        name=executor,
        message=message,
        values=[KeyValue(key=TARGET_STAMP_KEY, value=format_stamp(target_stamp_ns))],
    )


def motion_result_target_ns(status: DiagnosticStatus) -> int:
    """The stamp of the target a motion result answers."""
    for pair in status.values:
        if pair.key == TARGET_STAMP_KEY:
            return parse_stamp(pair.value)
    keys = [pair.key for pair in status.values]
    raise ObservationError(f"motion result: expected a value {TARGET_STAMP_KEY!r}, got keys {keys}")
