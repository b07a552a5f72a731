"""MuJoCo simulation of the two ARM4R robot cells (Kinova Gen3 + 2F-85, Franka Panda + Hand).

Quick start (headless: set ``MUJOCO_GL=egl`` or ``osmesa`` before importing mujoco)::

    import numpy as np
    from arm4r_policy.sim import Box, CellConfig, SimCell

    cube = Box(name="cube_yellow", size=(0.045,) * 3, rgba=(1, 0.85, 0, 1), mass=0.08,
               position=(0.45, 0.0, 0.7725))
    with SimCell(CellConfig.kinova(), objects=[cube]) as cell:
        cell.reset(seed=3, home_noise=0.05)
        goal = np.asarray(cell.config.home) + 0.1   # (7,) joint angles [rad], e.g. from IK
        report = cell.execute_joint_trajectory(times=[1.0], positions=[goal])
        cell.set_gripper(1.0)                        # normalised closure, 0 open .. 1 closed
        cell.step(250)                               # 250 physics steps of 2 ms
        obs = cell.observe()   # images, joint angles, TCP pose in the base frame, K, extrinsics

Frames (all right-handed, metres, radians):

- world: floor origin, z up, x from the robot into the workspace, y to the robot's left. Task
  objects are placed and read back in this frame.
- base: the robot base (Gen3 ``base_link``, Panda ``panda_link0``), site ``base``;
  ``SimCell.base_pose`` = ``T_world_base`` (``SimCell.base_from_world`` is its inverse).
  End-effector poses, forward kinematics and camera extrinsics are in this frame, as MoveIt and the
  real arms use it. Kinova cell: base 1.05 m up, pitched 20 deg forward; Franka cell: base on the
  table top at 0.75 m, level.
- flange: Gen3 ``end_effector_link`` / Panda ``panda_link8`` (MJCF site ``flange``), the end of
  MoveIt's ``manipulator`` / ``panda_arm`` group.
- tcp: between the finger pads, z along the approach direction (site ``tcp``); the end effector
  of observations. ``RobotDescription.tcp_in_flange`` is the constant flange-to-TCP pose.
- camera: OpenCV (x right, y down, z forward); extrinsics are camera-to-base.
"""

from arm4r_policy.sim.cameras import (
    BRIO_FOVY_DEG,
    CameraPlacement,
    intrinsics_matrix,
    project_points,
)
from arm4r_policy.sim.cells import CellConfig, TableConfig
from arm4r_policy.sim.forward_kinematics import ArmKinematics, ArmPose, forward_kinematics
from arm4r_policy.sim.grippers import FRANKA_HAND, ROBOTIQ_2F85, GripperDescription
from arm4r_policy.sim.kinematics import FRANKA_PANDA, KINOVA_GEN3, ArmChain
from arm4r_policy.sim.names import BASE_SITE, FLANGE_SITE, TCP_SITE
from arm4r_policy.sim.objects import (
    Box,
    Button,
    Container,
    Cylinder,
    FreeObject,
    Sphere,
    TaskObject,
)
from arm4r_policy.sim.robots import FRANKA_PANDA_HAND, KINOVA_GEN3_2F85, RobotDescription
from arm4r_policy.sim.sim_cell import Observation, SimCell, TrackingReport

__all__ = [
    "BASE_SITE",
    "BRIO_FOVY_DEG",
    "FLANGE_SITE",
    "FRANKA_HAND",
    "FRANKA_PANDA",
    "FRANKA_PANDA_HAND",
    "KINOVA_GEN3",
    "KINOVA_GEN3_2F85",
    "ROBOTIQ_2F85",
    "TCP_SITE",
    "ArmChain",
    "ArmKinematics",
    "ArmPose",
    "Box",
    "Button",
    "CameraPlacement",
    "CellConfig",
    "Container",
    "Cylinder",
    "FreeObject",
    "GripperDescription",
    "Observation",
    "RobotDescription",
    "SimCell",
    "Sphere",
    "TableConfig",
    "TaskObject",
    "TrackingReport",
    "forward_kinematics",
    "intrinsics_matrix",
    "project_points",
]
