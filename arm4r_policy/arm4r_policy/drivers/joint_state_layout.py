"""Where an arm and its gripper sit in the joint states of their ROS 2 driver (no ROS here).

A ``sensor_msgs/JointState`` names its joints; the arm's are read in chain order (base to
flange) and the gripper closure of the ARM4R state (0 open .. 1 closed) is linear in one gripper
joint between its open and closed positions:

- ros2_kortex (Kinova Gen3 + Robotiq 2F-85): ``joint_1`` .. ``joint_7`` [rad] and
  ``robotiq_85_left_knuckle_joint`` [rad], 0.0 open .. 0.8 closed;
- franka_ros2 (Franka Panda + Franka Hand): ``panda_joint1`` .. ``panda_joint7`` [rad] and
  ``panda_finger_joint1`` [m], the travel of one finger, 0.04 open .. 0.0 closed, so the closure
  is ``1 - width / 0.08`` for the pad-to-pad width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from arm4r_policy.drivers.franka import FRANKA_HAND_STROKE
from arm4r_policy.errors import ConfigError, ObservationError
from arm4r_policy.planning.gripper_action import ROBOTIQ_2F85_CLOSED_POSITION

__all__ = ["DRIVER_LAYOUTS", "FRANKA_ROS2", "ROS2_KORTEX", "JointStateLayout"]


@dataclass(frozen=True)
class JointStateLayout:
    """The joints of one arm and gripper in a JointState.

    Attributes:
        joint_names: the arm's joints in chain order, base to flange.
        gripper_joint: the joint whose position gives the gripper closure.
        gripper_open_position: its position at closure 0 [rad or m].
        gripper_closed_position: its position at closure 1 [rad or m].
    """

    joint_names: tuple[str, ...]
    gripper_joint: str
    gripper_open_position: float
    gripper_closed_position: float

    def __post_init__(self) -> None:
        names = (*self.joint_names, self.gripper_joint)
        if not all(names) or len(set(names)) != len(names):
            raise ConfigError(
                f"joint_names and gripper_joint: expected distinct non-empty names, got "
                f"{list(self.joint_names)} and {self.gripper_joint!r}"
            )
        positions = (self.gripper_open_position, self.gripper_closed_position)
        if not all(math.isfinite(p) for p in positions) or positions[0] == positions[1]:
            raise ConfigError(
                "gripper_open_position and gripper_closed_position: expected two different "
                f"finite positions, got {positions[0]!r} and {positions[1]!r}"
            )

    def closure(self, position: float) -> float:
        """The closure (0 open .. 1 closed) at a gripper joint ``position``, clipped to [0, 1]."""
        travel = self.gripper_closed_position - self.gripper_open_position
        return float(np.clip((position - self.gripper_open_position) / travel, 0.0, 1.0))

    def gripper_position(self, closure: float) -> float:
        """The gripper joint position at ``closure`` (0 open .. 1 closed)."""
        travel = self.gripper_closed_position - self.gripper_open_position
        return self.gripper_open_position + closure * travel

    def read(
        self, names: Sequence[str], positions: Sequence[float]
    ) -> tuple[np.ndarray, float | None]:
        """The arm and gripper in one JointState's ``name`` and ``position`` fields.

        Other joints (fingers that mimic the gripper joint, a second arm) are ignored.

        Returns:
            The arm's joint positions (n,) [rad] in ``joint_names`` order, and the gripper
            closure, or None when the message holds no position for ``gripper_joint``.

        Raises:
            ObservationError: an arm joint has no position, or one of the positions used is not
                finite; the message names the joints.
        """
        index = {name: i for i, name in enumerate(list(names)[: len(positions)])}
        missing = [joint for joint in self.joint_names if joint not in index]
        if missing:
            raise ObservationError(
                f"no position for the arm joint(s) {missing}; got the names "
                f"{list(names)} with {len(positions)} positions"
            )
        used = [joint for joint in (*self.joint_names, self.gripper_joint) if joint in index]
        values = {joint: float(positions[index[joint]]) for joint in used}
        not_finite = {joint: value for joint, value in values.items() if not math.isfinite(value)}
        if not_finite:
            raise ObservationError(f"positions {not_finite} are not finite")
        arm = np.array([values[joint] for joint in self.joint_names])
        gripper = values.get(self.gripper_joint)
        return arm, None if gripper is None else self.closure(gripper)

    def joint_state(
        self, joint_positions: np.ndarray, closure: float
    ) -> tuple[list[str], list[float]]:
        """The ``name`` and ``position`` fields for arm joint positions (n,) [rad] and a
        gripper closure; ``read`` gives them back."""
        names = [*self.joint_names, self.gripper_joint]
        positions = [float(q) for q in joint_positions] + [self.gripper_position(closure)]
        return names, positions


ROS2_KORTEX = JointStateLayout(
    joint_names=tuple(f"joint_{index}" for index in range(1, 8)),
    gripper_joint="robotiq_85_left_knuckle_joint",
    gripper_open_position=0.0,
    gripper_closed_position=ROBOTIQ_2F85_CLOSED_POSITION,
)
"""ros2_kortex's Gen3 7-DoF with a Robotiq 2F-85."""

FRANKA_ROS2 = JointStateLayout(
    joint_names=tuple(f"panda_joint{index}" for index in range(1, 8)),
    gripper_joint="panda_finger_joint1",
    gripper_open_position=FRANKA_HAND_STROKE / 2.0,
    gripper_closed_position=0.0,
)
"""franka_ros2's Panda with a Franka Hand (an FR3 names its joints ``fr3_joint1`` ...)."""

DRIVER_LAYOUTS = {"kinova": ROS2_KORTEX, "franka": FRANKA_ROS2}
"""Robot (the cell's name) -> the joint states of its ROS 2 driver."""
