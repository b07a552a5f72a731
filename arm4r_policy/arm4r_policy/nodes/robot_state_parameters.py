"""The robot state node's parameters, and the arm connection or kinematics they configure.

The joint-state parameters (``joint_names``, ``gripper_joint`` and the gripper's open and closed
positions) default to the ROS 2 driver of the chosen ``robot`` (drivers/joint_state_layout.py),
so they are declared once ``robot`` is known: ``layout_parameters(robot)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from arm4r_policy.drivers.franka import FrankaConfig, FrankaRobot
from arm4r_policy.drivers.hardware_robot import ArmState
from arm4r_policy.drivers.joint_state_layout import DRIVER_LAYOUTS, JointStateLayout
from arm4r_policy.drivers.kortex import KortexConfig, KortexState
from arm4r_policy.errors import ConfigError, HardwareError
from arm4r_policy.nodes.parameter_checks import one_of
from arm4r_policy.nodes.parameters import ParameterSpec, non_empty, positive

PASSTHROUGH = "passthrough"
ARM_JOINTS = 7  # both arms

PARAMETERS = (
    ParameterSpec(
        "backend",
        PASSTHROUGH,
        "kortex: Kinova via kortex_api; franky: Franka via franky; passthrough: derive the "
        "state from /joint_states of ros2_kortex or franka_ros2",
        one_of(("kortex", "franky", PASSTHROUGH)),
    ),
    ParameterSpec(
        "robot", "kinova", "the arm: its kinematics and joint names", one_of(DRIVER_LAYOUTS)
    ),
    ParameterSpec("robot_ip", "", "kortex / franky: the arm's (or its control box's) address"),
    ParameterSpec("username", "admin", "kortex: a user of the arm"),
    ParameterSpec("password", "admin", "kortex: that user's password"),
    ParameterSpec("rate_hz", 50.0, "[Hz] kortex / franky: state reads per second", positive),
    ParameterSpec("frame_id", "base_link", "robot base frame of the end-effector pose", non_empty),
)


def _arm_joint_names(values: Sequence[str]) -> str | None:
    fits = len(values) == ARM_JOINTS and all(values) and len(set(values)) == ARM_JOINTS
    return None if fits else f"{ARM_JOINTS} distinct joint names, base to flange"


def _finite(value: float) -> str | None:
    return None if math.isfinite(value) else "a finite number"


def layout_parameters(robot: str) -> tuple[ParameterSpec, ...]:
    """The joint-state parameters, with the defaults of ``robot``'s ROS 2 driver."""
    driver = DRIVER_LAYOUTS[robot]
    return (
        ParameterSpec(
            "joint_names",
            list(driver.joint_names),
            "the arm's joints in /joint_states, base to flange",
            _arm_joint_names,
        ),
        ParameterSpec("gripper_joint", driver.gripper_joint, "the gripper joint", non_empty),
        ParameterSpec(
            "gripper_open_position",
            driver.gripper_open_position,
            "[rad or m] the gripper joint's position when open (closure 0)",
            _finite,
        ),
        ParameterSpec(
            "gripper_closed_position",
            driver.gripper_closed_position,
            "[rad or m] the gripper joint's position when closed (closure 1)",
            _finite,
        ),
    )


def joint_state_layout(values: Mapping[str, Any]) -> JointStateLayout:
    try:
        return JointStateLayout(
            tuple(values["joint_names"]),
            values["gripper_joint"],
            values["gripper_open_position"],
            values["gripper_closed_position"],
        )
    except ConfigError as error:
        raise ConfigError(f"parameters {error}") from error


def passthrough_kinematics(robot: str) -> Callable[[np.ndarray], np.ndarray]:
    """Joint angles (7,) [rad] -> the TCP pose (4, 4) in the base frame, by the published
    kinematics the simulation is built from (imported here: only this backend needs MuJoCo)."""
    from arm4r_policy.sim.forward_kinematics import ArmKinematics
    from arm4r_policy.sim.robots import FRANKA_PANDA_HAND, KINOVA_GEN3_2F85

    kinematics = ArmKinematics({"kinova": KINOVA_GEN3_2F85, "franka": FRANKA_PANDA_HAND}[robot])
    return lambda q: kinematics(q).tcp


@dataclass(frozen=True)
class ArmStateReader:
    """A connected arm: ``read()`` its state now (``HardwareError`` when that fails),
    ``close()`` the connection."""

    read: Callable[[], ArmState]
    close: Callable[[], None]


def _kortex(values: Mapping[str, Any]) -> ArmStateReader:
    config = KortexConfig(values["robot_ip"], values["username"], values["password"])
    state = KortexState(config)
    state.connect()
    return ArmStateReader(state.read, state.disconnect)


def _franky(values: Mapping[str, Any]) -> ArmStateReader:
    import franky

    robot = FrankaRobot(FrankaConfig(values["robot_ip"]), cameras={})
    robot.connect_arm()

    def read() -> ArmState:
        try:
            return robot.arm_state()
        except (franky.Exception, franky.GripperException) as error:
            raise HardwareError(f"Franka {robot.config.ip}: state read failed: {error}") from error

    return ArmStateReader(read, robot.disconnect_arm)


class _ArmBackend(NamedTuple):
    robot: str  # the arm it drives
    library: str  # the vendor library it needs
    connect: Callable[[Mapping[str, Any]], ArmStateReader]


_ARM_BACKENDS = {
    "kortex": _ArmBackend("kinova", "kortex_api (Kinova's Python wheel, not on PyPI)", _kortex),
    "franky": _ArmBackend("franka", "franky (PyPI: franky-control)", _franky),
}


def connect_arm(values: Mapping[str, Any]) -> ArmStateReader:
    """A connection to the arm of backend ``kortex`` or ``franky``.

    Raises:
        ConfigError: naming ``robot`` when the backend drives another arm, ``robot_ip`` when it
            is empty or the arm cannot be reached, ``backend`` when its vendor library cannot be
            imported.
    """
    backend, ip = _ARM_BACKENDS[values["backend"]], values["robot_ip"]
    if values["robot"] != backend.robot:
        raise ConfigError(
            f"parameter robot: backend {values['backend']!r} reads a {backend.robot} arm, got "
            f"{values['robot']!r}"
        )
    if not ip:
        raise ConfigError(
            f"parameter robot_ip: expected the arm's address for backend {values['backend']!r}, "
            "got ''"
        )
    try:
        return backend.connect(values)
    except ImportError as error:
        raise ConfigError(
            f"parameter backend: {values['backend']!r} needs {backend.library}, which cannot be "
            f"imported here ({error}); use backend {PASSTHROUGH!r} with the ROS 2 driver, or "
            "the docker image"
        ) from error
    except HardwareError as error:
        raise ConfigError(f"parameter robot_ip: cannot read the arm at {ip}: {error}") from error
