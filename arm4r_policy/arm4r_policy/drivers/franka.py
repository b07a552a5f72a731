"""Franka Panda / FR3 + Franka Hand through franky (``pip install franky-control``; no ROS).

franky wraps libfranka's 1 kHz control loop (it needs a PREEMPT_RT kernel on the control PC);
this backend is its thin Python user. franky is imported only inside the functions that use it.

Frames (libfranka's names): ``O`` the base (``panda_link0``), ``F`` the flange
(``panda_link8``), ``NE`` the nominal end effector set in Desk (the Franka Hand's TCP when the
hand is configured there: 0.1034 m along the flange z, turned -pi/4 about z), ``EE`` = ``NE``
moved by ``NE_T_EE`` (identity unless ``set_ee`` was called). franky reports ``O_T_EE`` (as
``state.O_T_EE`` and ``current_cartesian_state.pose.end_effector_pose``), i.e. the EE frame, not
the flange, and ``state.F_T_EE`` says where EE sits on the flange. This backend reads
``F_T_EE`` at connect, so the flange and our TCP (``tcp_in_flange``, the hand's TCP by default,
as in the simulation) come out right whatever Desk is set to, and motions are given for our TCP
through the motion's ``ee_frame`` (``EE_T_TCP``), so franky interpolates the TCP itself.

Speed: ``dynamics_factor`` scales franky's velocity, acceleration and jerk limits. It can only be
lowered: the constructor clamps it into (0, 1] (0.1 for first runs) and ``reduce_dynamics``
never raises it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arm4r_policy.drivers.hardware_robot import (
    ArmState,
    HardwareRobot,
    MountedCamera,
    wait_serving_sampler,
)
from arm4r_policy.errors import CommandError, ConfigError, HardwareError
from arm4r_policy.planning.cartesian import checked_pose
from arm4r_policy.runtime.pose import matrix_to_quat_xyzw, quat_xyzw_to_matrix
from arm4r_policy.runtime.robot import Sampler

__all__ = [
    "FRANKA_HAND_STROKE",
    "FRANKA_READY_JOINTS",
    "FrankaConfig",
    "FrankaRobot",
    "affine_from_matrix",
    "cartesian_motion",
    "ee_to_tcp",
    "franka_hand_tcp_in_flange",
    "gripper_command",
    "limit_dynamics_factor",
    "matrix_from_affine",
]

_log = logging.getLogger(__name__)

FRANKA_HAND_STROKE = 0.08
"""[m] the Franka Hand's finger opening at closure 0."""
FRANKA_READY_JOINTS = (0.0, -math.pi / 4, 0.0, -3 * math.pi / 4, 0.0, math.pi / 2, math.pi / 4)
"""[rad] Franka's "ready" pose, the start pose of the simulated Franka cell too."""
_HAND_TCP_DEPTH = 0.1034  # [m] flange to the TCP along the flange z axis
_HAND_YAW = -math.pi / 4  # [rad] the hand's mounting rotation about the flange z axis


def franka_hand_tcp_in_flange() -> np.ndarray:
    """(4, 4) TCP of the Franka Hand in the flange frame (``panda_link8`` -> ``panda_hand_tcp``)."""
    pose = np.eye(4)
    c, s = math.cos(_HAND_YAW), math.sin(_HAND_YAW)
    pose[:2, :2] = [[c, -s], [s, c]]
    pose[2, 3] = _HAND_TCP_DEPTH
    return pose


def limit_dynamics_factor(requested: float, ceiling: float = 1.0) -> float:
    """``requested`` clamped to at most ``ceiling`` (itself at most 1): speed only goes down.

    Raises:
        ConfigError: ``requested`` is not a positive finite number.
    """
    if not (math.isfinite(requested) and requested > 0.0):
        raise ConfigError(f"dynamics factor = {requested}; expected a number in (0, 1]")
    return min(requested, ceiling, 1.0)


# --------------------------------------------------------------------------------------------
# Conversions between our (4, 4) poses and franky's objects
# --------------------------------------------------------------------------------------------


def affine_from_matrix(pose: np.ndarray) -> Any:
    """(4, 4) pose -> ``franky.Affine(translation, quaternion)``, quaternion ``(x, y, z, w)``."""
    import franky

    pose = np.asarray(pose, dtype=float)
    return franky.Affine(pose[:3, 3], matrix_to_quat_xyzw(pose[:3, :3]))


def matrix_from_affine(affine: Any) -> np.ndarray:
    """``franky.Affine`` -> (4, 4) pose, from its translation and ``(x, y, z, w)`` quaternion."""
    pose = np.eye(4)
    pose[:3, :3] = quat_xyzw_to_matrix(np.asarray(affine.quaternion, dtype=float))
    pose[:3, 3] = affine.translation
    return pose


def ee_to_tcp(f_t_ee: np.ndarray, tcp_in_flange: np.ndarray) -> np.ndarray:
    """(4, 4) ``EE_T_TCP``: our TCP in franky's end-effector frame (``F_T_EE`` (4, 4) given)."""
    return np.linalg.inv(f_t_ee) @ tcp_in_flange


def cartesian_motion(target_tcp: np.ndarray, ee_t_tcp: np.ndarray, dynamics_factor: float) -> Any:
    """A franky motion taking the TCP to ``target_tcp`` (4, 4, base frame) and stopping there.

    Args:
        target_tcp: the TCP goal.
        ee_t_tcp: (4, 4) the TCP in franky's EE frame (``ee_to_tcp``); the target is for it.
        dynamics_factor: this motion's factor in (0, 1], on top of the robot's.
    """
    import franky

    return franky.CartesianMotion(
        affine_from_matrix(target_tcp),
        franky.ReferenceType.Absolute,
        franky.RelativeDynamicsFactor(limit_dynamics_factor(dynamics_factor)),
        True,
        affine_from_matrix(ee_t_tcp),
    )


def gripper_command(closure: float, stroke: float, grasp_from: float) -> tuple[str, float]:
    """What the hand does for a closure command: ``("open" | "move" | "grasp", width [m])``.

    0 opens fully; at or above ``grasp_from`` the fingers grasp (close until they hold something
    or reach the width); in between they move to ``(1 - closure) * stroke``.
    """
    if not 0.0 <= closure <= 1.0:
        raise CommandError(f"gripper closure = {closure}; expected 0 (open) .. 1 (closed)")
    width = (1.0 - closure) * stroke
    if closure == 0.0:
        return "open", stroke
    if closure >= grasp_from:
        return "grasp", width
    return "move", width


# --------------------------------------------------------------------------------------------
# The arm
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrankaConfig:
    """How to reach and drive one Franka arm with its hand.

    Attributes:
        ip: the control box (FCI) address.
        dynamics_factor: franky's relative dynamics factor, clamped into (0, 1].
        motion_timeout: the longest a linear motion may take [s]; the arm is stopped after it.
        gripper_timeout: the longest a gripper command may take [s].
        gripper_speed: finger speed [m/s].
        grasp_force: grasping force [N].
        grasp_from: closures at or above this grasp instead of moving to a width.
        tcp_in_flange: (4, 4) the gripper's TCP in the flange frame.
        hand_stroke: the hand's opening at closure 0 [m].
        home_joints: (7,) joint angles [rad] of the start pose ``home`` moves to.
    """

    ip: str
    dynamics_factor: float = 0.1
    motion_timeout: float = 30.0
    gripper_timeout: float = 10.0
    gripper_speed: float = 0.05
    grasp_force: float = 20.0
    grasp_from: float = 0.5
    tcp_in_flange: np.ndarray = field(default_factory=franka_hand_tcp_in_flange)
    hand_stroke: float = FRANKA_HAND_STROKE
    home_joints: tuple[float, ...] = FRANKA_READY_JOINTS

    def __post_init__(self) -> None:
        if not self.ip:
            raise ConfigError("FrankaConfig.ip is empty; expected the control box address")
        object.__setattr__(self, "dynamics_factor", limit_dynamics_factor(self.dynamics_factor))
        for name in ("motion_timeout", "gripper_timeout", "gripper_speed", "grasp_force"):
            if not getattr(self, name) > 0.0:
                raise ConfigError(f"FrankaConfig.{name} = {getattr(self, name)}; expected > 0")
        if not 0.0 < self.grasp_from <= 1.0:
            raise ConfigError(f"FrankaConfig.grasp_from = {self.grasp_from}; expected (0, 1]")
        if len(self.home_joints) != 7:
            raise ConfigError(
                f"FrankaConfig.home_joints has {len(self.home_joints)} angles; expected 7"
            )
        tcp = checked_pose(self.tcp_in_flange, "FrankaConfig.tcp_in_flange")
        object.__setattr__(self, "tcp_in_flange", tcp)


class FrankaRobot(HardwareRobot):
    """A Franka arm with its hand and mounted cameras behind the ``Robot`` interface.

    Motions run asynchronously in franky while samplers are served on the wall clock; a failed
    motion (a reflex, a limit) triggers ``recover_from_errors`` and raises ``HardwareError``.

    Args:
        config: the arm.
        cameras: camera name -> mounted camera.
        frame_timeout: the longest wait for a frame in ``observe`` [s].
    """

    cell_name = "franka"
    name = "franka_panda+franka_hand"

    def __init__(
        self,
        config: FrankaConfig,
        cameras: Mapping[str, MountedCamera],
        frame_timeout: float = 0.5,
    ) -> None:
        super().__init__(cameras, frame_timeout)
        self.config = config
        self.dynamics_factor = config.dynamics_factor
        self._robot: Any = None
        self._gripper: Any = None
        self._f_t_ee = np.eye(4)

    def connect_arm(self) -> None:
        import franky

        try:
            self._robot = franky.Robot(
                self.config.ip,
                relative_dynamics_factor=franky.RelativeDynamicsFactor(self.dynamics_factor),
            )
            self._gripper = franky.Gripper(self.config.ip)
            self._f_t_ee = matrix_from_affine(self._robot.state.F_T_EE)
        except (franky.Exception, franky.GripperException, RuntimeError) as error:
            self.disconnect_arm()
            raise HardwareError(f"Franka {self.config.ip}: cannot connect: {error}") from error

    def disconnect_arm(self) -> None:
        self._robot = None
        self._gripper = None

    def reduce_dynamics(self, factor: float) -> float:
        """Lower the dynamics factor to ``factor`` (a higher value leaves it); returns it."""
        self.dynamics_factor = limit_dynamics_factor(factor, ceiling=self.dynamics_factor)
        if self._robot is not None:
            import franky

            self._robot.relative_dynamics_factor = franky.RelativeDynamicsFactor(
                self.dynamics_factor
            )
        return self.dynamics_factor

    def arm_state(self) -> ArmState:
        robot, gripper = self._connected()
        state = robot.state  # one snapshot: measured q and O_T_EE of the same control cycle
        flange = matrix_from_affine(state.O_T_EE) @ np.linalg.inv(self._f_t_ee)
        width = float(gripper.width)
        return ArmState(
            joint_positions=np.asarray(state.q, dtype=float),
            flange_pose=flange,
            tcp_pose=flange @ self.config.tcp_in_flange,
            gripper_closure=float(np.clip(1.0 - width / self.config.hand_stroke, 0.0, 1.0)),
            gripper_width=width,
        )

    def move_linear(self, target_pose: np.ndarray, sampler: Sampler | None = None) -> None:
        robot, _ = self._connected()
        target = checked_pose(target_pose, "FrankaRobot.move_linear target_pose")
        motion = cartesian_motion(target, ee_to_tcp(self._f_t_ee, self.config.tcp_in_flange), 1.0)
        described = f"Cartesian motion to TCP {np.round(target[:3, 3], 4).tolist()} m"
        self._run_motion(lambda: robot.move(motion, asynchronous=True), sampler, described)

    def set_gripper(self, closure: float, sampler: Sampler | None = None) -> None:
        _, gripper = self._connected()
        config = self.config
        kind, width = gripper_command(closure, config.hand_stroke, config.grasp_from)
        described = f"gripper {kind} to {width * 1e3:.1f} mm"
        if kind == "open":
            future = self._franky_call(described, gripper.open_async, config.gripper_speed)
        elif kind == "grasp":
            # Inner tolerance = width: holding anything narrower than the width counts.
            future = self._franky_call(
                described,
                gripper.grasp_async,
                width,
                config.gripper_speed,
                config.grasp_force,
                width,
                config.hand_stroke,
            )
        else:
            future = self._franky_call(described, gripper.move_async, width, config.gripper_speed)
        if not wait_serving_sampler(future.wait, sampler, config.gripper_timeout):
            self._franky_call("gripper stop", gripper.stop)
            raise HardwareError(
                f"Franka {config.ip}: {described} did not finish within {config.gripper_timeout}"
                " s; the fingers were stopped"
            )
        if not self._franky_call(described, future.get):
            _log.info("Franka %s: %s ended without success (nothing held)", config.ip, described)

    def home(self, seed: int) -> None:
        """Move to ``config.home_joints`` and open the hand; ``seed`` is unused on hardware."""
        import franky

        robot, _ = self._connected()
        motion = franky.JointMotion(np.asarray(self.config.home_joints, dtype=float))
        self._run_motion(lambda: robot.move(motion, asynchronous=True), None, "joint motion home")
        self.set_gripper(0.0)

    def stop(self) -> None:
        robot, _ = self._connected()
        self._franky_call("stop", robot.stop)

    def _run_motion(
        self, start: Callable[[], object], sampler: Sampler | None, described: str
    ) -> None:
        """Start an asynchronous motion and join it, serving ``sampler``; recover on failure."""
        import franky

        robot, _ = self._connected()
        try:
            start()
            finished = wait_serving_sampler(
                lambda seconds: robot.join_motion(timeout=seconds),
                sampler,
                self.config.motion_timeout,
            )
        except franky.Exception as error:
            recovered = robot.recover_from_errors()
            raise HardwareError(
                f"Franka {self.config.ip}: {described} failed: {error} "
                f"({'recovered' if recovered else 'error recovery FAILED'})"
            ) from error
        if not finished:
            robot.stop()
            raise HardwareError(
                f"Franka {self.config.ip}: {described} did not finish within "
                f"{self.config.motion_timeout} s; the arm was stopped"
            )

    def _franky_call(self, described: str, call: Callable[..., Any], *args: Any) -> Any:
        """``call(*args)``, its franky errors raised as ``HardwareError`` naming the arm."""
        import franky

        try:
            return call(*args)
        except (franky.Exception, franky.GripperException) as error:
            raise HardwareError(f"Franka {self.config.ip}: {described} failed: {error}") from error

    def _connected(self) -> tuple[Any, Any]:
        if self._robot is None or self._gripper is None:
            raise HardwareError(f"Franka {self.config.ip} is not connected; call connect()")
        return self._robot, self._gripper
