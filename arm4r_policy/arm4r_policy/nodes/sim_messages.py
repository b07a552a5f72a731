"""Messages of the simulated robot and of the bridge that drives it, to and from NumPy arrays.

Poses are (4, 4) matrices in the robot base frame [m]; ROS quaternions are ``(x, y, z, w)``.
Joint trajectories carry waypoint positions [rad] and ``time_from_start`` only: the simulator
interpolates linearly between waypoints, as ``SimCell.execute_joint_trajectory`` does.
A malformed message raises ``ObservationError`` (a reading) or ``CommandError`` (a command),
naming the field, the value seen and the one expected.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from builtin_interfaces.msg import Duration
from diagnostic_msgs.msg import DiagnosticStatus, KeyValue
from geometry_msgs.msg import Point, Pose, PoseStamped, Quaternion
from sensor_msgs.msg import CameraInfo, JointState
from std_msgs.msg import Header
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from arm4r_policy.errors import CommandError, ObservationError
from arm4r_policy.runtime.pose import matrix_to_quat_xyzw, quat_xyzw_to_matrix
from arm4r_policy.runtime.sync import NS_PER_S
from arm4r_policy.sim.names import FINGER_JOINTS
from arm4r_policy.sim.sim_cell import SimCell
from arm4r_policy.sim.stepper import GripperDone

CLOSURE_KEY = "closure"  # gripper completion value: the commanded closure, as repr(float)
REACHED_KEY = "reached"  # gripper completion value: the measured closure


def pose_to_matrix(msg: PoseStamped, frame_id: str) -> np.ndarray:
    """A pose in ``frame_id`` -> (4, 4); a non-finite or zero quaternion is refused."""
    if msg.header.frame_id != frame_id:
        raise ObservationError(f"pose: expected frame {frame_id!r}, got {msg.header.frame_id!r}")
    p, q = msg.pose.position, msg.pose.orientation
    pose = np.eye(4)
    pose[:3, :3] = quat_xyzw_to_matrix(np.array([q.x, q.y, q.z, q.w]))
    pose[:3, 3] = (p.x, p.y, p.z)
    return pose


def matrix_to_pose(pose: np.ndarray, header: Header) -> PoseStamped:
    """(4, 4) -> PoseStamped with ``header``."""
    x, y, z = (float(v) for v in pose[:3, 3])
    qx, qy, qz, qw = (float(v) for v in matrix_to_quat_xyzw(pose[:3, :3]))
    return PoseStamped(
        header=header,
        pose=Pose(position=Point(x=x, y=y, z=z), orientation=Quaternion(x=qx, y=qy, z=qz, w=qw)),
    )


def joint_trajectory(
    joint_names: Sequence[str], times: np.ndarray, positions: np.ndarray, header: Header
) -> JointTrajectory:
    """Waypoints ``positions`` (N, n) [rad] at ``times`` (N,) [s] -> a JointTrajectory."""
    msg = JointTrajectory(header=header, joint_names=list(joint_names))
    for time, position in zip(np.asarray(times), np.asarray(positions), strict=True):
        ns = round(float(time) * NS_PER_S)
        msg.points.append(
            JointTrajectoryPoint(
                positions=[float(v) for v in position],
                time_from_start=Duration(sec=ns // NS_PER_S, nanosec=ns % NS_PER_S),
            )
        )
    return msg


def trajectory_waypoints(
    msg: JointTrajectory, joint_names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """A JointTrajectory over exactly ``joint_names`` (in any order) -> times (N,) [s] and
    positions (N, n) [rad] in the order of ``joint_names``."""
    names = list(msg.joint_names)
    if sorted(names) != sorted(joint_names) or not msg.points:
        raise CommandError(
            f"joint trajectory: expected waypoints for the joints {list(joint_names)}, got "
            f"{len(msg.points)} waypoints for {names}"
        )
    order = [names.index(name) for name in joint_names]
    lengths = {len(point.positions) for point in msg.points}
    if lengths != {len(names)}:
        raise CommandError(
            f"joint trajectory: expected {len(names)} positions per waypoint, got {sorted(lengths)}"
        )
    times = [
        point.time_from_start.sec + point.time_from_start.nanosec / NS_PER_S for point in msg.points
    ]
    positions = np.array([point.positions for point in msg.points], dtype=float)[:, order]
    return np.array(times), positions


def joint_state(cell: SimCell, header: Header) -> JointState:
    """The arm joints [rad, rad/s] and the two finger slides [m, m/s] of ``cell``."""
    names = [*cell.robot.chain.joint_names, *FINGER_JOINTS]
    joints = [cell.data.joint(name) for name in names]
    return JointState(
        header=header,
        name=names,
        position=[float(joint.qpos[0]) for joint in joints],
        velocity=[float(joint.qvel[0]) for joint in joints],
    )


def joint_positions(msg: JointState, joint_names: Sequence[str]) -> np.ndarray:
    """The positions (n,) of ``joint_names`` in a JointState that may hold other joints too."""
    names = list(msg.name)
    missing = [name for name in joint_names if name not in names]
    if missing or len(msg.position) != len(names):
        raise ObservationError(
            f"joint state: expected positions for {list(joint_names)}, got {len(msg.position)} "
            f"positions for {names}"
        )
    return np.array([msg.position[names.index(name)] for name in joint_names], dtype=float)


def camera_info(intrinsics: np.ndarray, width: int, height: int, header: Header) -> CameraInfo:
    """An undistorted pinhole camera of ``intrinsics`` (3, 3) K [px] at ``width`` x ``height``."""
    k = [float(v) for v in np.asarray(intrinsics).ravel()]
    projection = np.hstack([np.asarray(intrinsics), np.zeros((3, 1))]).ravel()
    return CameraInfo(
        header=header,
        width=width,
        height=height,
        distortion_model="plumb_bob",
        d=[0.0] * 5,
        k=k,
        r=[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        p=[float(v) for v in projection],
    )


def gripper_done_status(done: GripperDone, executor: str) -> DiagnosticStatus:
    """OK when the fingers stopped, WARN when they were still moving at the timeout."""
    state = "stopped" if done.settled else "still moving at the timeout"
    message = f"gripper command {done.closure:.3f}: fingers {state} at closure {done.reached:.3f}"
    return DiagnosticStatus(
        level=DiagnosticStatus.OK if done.settled else DiagnosticStatus.WARN,
        name=executor,
        message=message,
        values=[
            KeyValue(key=CLOSURE_KEY, value=repr(done.closure)),
            KeyValue(key=REACHED_KEY, value=repr(done.reached)),
        ],
    )


def gripper_done_closure(status: DiagnosticStatus) -> float:
    """The commanded closure a gripper completion answers."""
    for pair in status.values:
        if pair.key == CLOSURE_KEY:
            try:
                return float(pair.value)
            except ValueError:
                raise ObservationError(
                    f"gripper completion: expected a number as {CLOSURE_KEY!r}, got {pair.value!r}"
                ) from None
    keys = [pair.key for pair in status.values]
    raise ObservationError(f"gripper completion: expected a value {CLOSURE_KEY!r}, got keys {keys}")
