"""The robot as collection, evaluation and the ROS graph drive it: observe, move linearly, grip.

Neutral ground: simulation and hardware drivers implement it, so it imports neither.

Implementations: the MuJoCo cell with the IK linear planner (sim), Kinova and Franka drivers
(hardware). Poses are in the robot BASE frame, as MoveIt and the real controllers use it; the end
effector is the TCP (between the finger pads).

Sampling while moving: ``move_linear`` and ``set_gripper`` block until the motion is done, and
while they block they call ``sampler.sample()`` each time the robot's clock reaches
``sampler.next_sample_time()``: at the first control step at or after that time in simulation
(simulated time, so recording costs no motion accuracy and is deterministic), from a timer on the
wall clock on hardware. The sampler reads the robot through ``observe`` inside that call. This is
how the recorder takes frames at a fixed rate (15 Hz) during motions without a thread of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["Observation", "Robot", "Sampler"]


@dataclass(frozen=True)
class Observation:
    """What the cameras and the robot report at one instant; poses in the robot base frame.

    Attributes:
        time: simulation time [s].
        images: camera name -> (H, W, 3) uint8 RGB.
        depths: camera name -> (H, W) float32 depth [m] along the optical axis; empty unless asked.
        joint_positions: (7,) [rad].
        ee_pose: (6,) TCP ``(x, y, z [m], a, b, c [rad])``, Euler intrinsic X-Y-Z.
        flange_pose: (6,) flange, same convention.
        gripper_closure: measured closure in [0, 1] (0 open).
        gripper_width: measured pad-to-pad width [m].
        intrinsics: camera name -> (3, 3) K [px] at the rendered size.
        extrinsics: camera name -> (4, 4) camera-to-base pose, OpenCV axes (x right, y down,
            z forward).
    """

    time: float
    images: dict[str, np.ndarray]
    depths: dict[str, np.ndarray]
    joint_positions: np.ndarray
    ee_pose: np.ndarray
    flange_pose: np.ndarray
    gripper_closure: float
    gripper_width: float
    intrinsics: dict[str, np.ndarray]
    extrinsics: dict[str, np.ndarray]

    @property
    def proprio(self) -> np.ndarray:
        """(7,) ``ee_pose`` followed by ``gripper_closure``: the ARM4R robot state."""
        return np.append(self.ee_pose, self.gripper_closure)


class Sampler(Protocol):
    """Something that wants to be called at given times of the robot's clock during motions."""

    def next_sample_time(self) -> float:
        """Robot-clock time [s] of the next wanted ``sample`` call; ``inf`` for none."""
        ...

    def sample(self) -> None:
        """Take a sample now (the robot is at or just past ``next_sample_time``)."""
        ...


class Robot(ABC):
    """An arm with a gripper and fixed cameras, commanded by blocking motions.

    Attributes:
        cell_name: the cell it stands in, e.g. ``"kinova"``; recorded with every episode.
        name: arm and gripper, e.g. ``"kinova_gen3+robotiq_2f85"``.
        camera_names: its cameras, in a fixed order (the keys of ``Observation.images``).
    """

    cell_name: str
    name: str
    camera_names: tuple[str, ...]

    @property
    @abstractmethod
    def time(self) -> float:
        """The robot's clock [s]: simulated time in simulation, monotonic wall time on hardware."""

    @abstractmethod
    def observe(self, image_size: tuple[int, int] | None = None) -> Observation:
        """Images of every camera and the robot state now.

        Args:
            image_size: (width, height) [px] wanted. A simulator renders at that size; a real
                camera returns its native frames and the caller resizes (its ``intrinsics`` are
                for the size actually returned).
        """

    @abstractmethod
    def move_linear(self, target_pose: np.ndarray, sampler: Sampler | None = None) -> None:
        """Move the TCP along a straight line to ``target_pose`` and return when it has arrived.

        Args:
            target_pose: (4, 4) TCP pose in the robot base frame [m].
            sampler: called at its times while moving (see the module docstring).

        Raises:
            ARM4RError: the target is malformed, unreachable, or the motion failed; the robot is
                left at rest wherever it stopped.
        """

    @abstractmethod
    def set_gripper(self, closure: float, sampler: Sampler | None = None) -> None:
        """Command the gripper; return when the fingers have stopped (open, closed, on an object).

        Args:
            closure: normalised command in [0, 1], 0 open, 1 closed.
            sampler: called at its times while the fingers move.
        """

    @abstractmethod
    def home(self, seed: int) -> None:
        """Go to the start pose of an episode, gripper open; not sampled.

        Args:
            seed: seeds the start-pose randomisation where the robot has one (simulation resets
                the whole cell with it), so an episode can be reproduced from its seed.
        """
