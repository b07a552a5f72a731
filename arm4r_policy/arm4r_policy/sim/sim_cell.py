"""``SimCell``: a compiled cell with a small deterministic step API and camera observations.

Frames: Cartesian poses returned here (end effector, camera extrinsics) are in the ROBOT BASE frame,
as MoveIt and the real arms report them; object poses are in the WORLD frame of the cell, the frame
objects are placed in (``SimCell.base_pose`` = ``T_world_base`` converts). The end effector is the
``tcp`` site, midway between the finger pads; the flange pose is also given.

Physics: one ``step`` is one MuJoCo step of ``CellConfig.timestep`` (2 ms). Joint servos are MuJoCo
position actuators; ``execute_joint_trajectory`` feeds them the interpolated path plus a velocity
feed-forward, so a PD servo tracks a moving reference without the usual lag. Everything is
deterministic: the same seed and the same command sequence give the same states.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mujoco
import numpy as np

from arm4r_policy.errors import CommandError
from arm4r_policy.runtime.robot import Observation
from arm4r_policy.sim.cameras import flip_camera_axes, intrinsics_matrix
from arm4r_policy.sim.cells import CellConfig, build_cell_spec
from arm4r_policy.sim.forward_kinematics import ArmPose, forward_kinematics
from arm4r_policy.sim.names import FINGER_JOINTS, FLANGE_SITE, GRIPPER_ACTUATOR, TCP_SITE
from arm4r_policy.sim.objects import (
    Button,
    FreeObject,
    TaskObject,
    free_joint_name,
    press_joint_name,
)
from arm4r_policy.sim.rendering import CameraRenderer
from arm4r_policy.sim.trajectory import (
    check_joint_positions,
    sample_piecewise_linear,
    waypoints_from,
)
from arm4r_policy.sim.transforms import invert_pose, make_pose, pose_to_xyz_euler

MAX_HOME_NOISE = 0.5
"""[rad] the widest start-pose randomisation ``SimCell.reset`` accepts, per joint."""


@dataclass(frozen=True)
class TrackingReport:
    """How closely the joints followed a trajectory (errors are max over joints) [rad], [s]."""

    max_error: float
    final_error: float
    duration: float


class SimCell:
    """A compiled cell (robot, table, cameras, task objects) and its state.

    Args:
        config: which cell; ``CellConfig.kinova()`` or ``CellConfig.franka()``.
        objects: task objects to add before compilation (see ``objects``).

    Attributes:
        model, data: the MuJoCo model and state (read freely; write through the methods).
        objects: task object name -> its description.
        camera_names: the cell's cameras, in ``config.cameras`` order.
        base_pose: (4, 4) ``T_world_base``, the robot base frame in the world frame.
        base_from_world: (4, 4) ``T_base_world``; maps world coordinates (object poses) to the base.
    """

    def __init__(self, config: CellConfig, objects: Sequence[TaskObject] = ()) -> None:
        self.config = config
        self.robot = config.robot
        self.model = build_cell_spec(config, objects).compile()
        self.data = mujoco.MjData(self.model)
        self.objects = {obj.name: obj for obj in objects}
        model, chain = self.model, self.robot.chain
        self._arm_qpos = np.array([model.joint(name).qposadr[0] for name in chain.joint_names])
        self._arm_ctrl = np.array([model.actuator(name).id for name in chain.joint_names])
        self._finger_qpos = np.array([model.joint(name).qposadr[0] for name in FINGER_JOINTS])
        self._gripper_ctrl = model.actuator(GRIPPER_ACTUATOR).id
        self._limits = chain.joint_limits
        # A PD servo kp (q_cmd - q) - kv dq equals kp (q_ref - q) + kv (dq_ref - dq) when
        # q_cmd = q_ref + (kv / kp) dq_ref: the velocity feed-forward of execute_joint_trajectory.
        self._feedforward_gain = np.asarray(self.robot.kv) / np.asarray(self.robot.kp)
        self.base_pose = config.base_pose
        self.base_from_world = invert_pose(self.base_pose)
        self._renderer = CameraRenderer(self.model)
        self.camera_names = tuple(camera.name for camera in config.cameras)
        self.reset(seed=0)

    # --- state and commands -------------------------------------------------------------------

    def reset(self, seed: int, home_noise: float = 0.0) -> None:
        """Back to the home pose, gripper open, objects at their initial poses, time 0.

        Args:
            seed: seeds the home-pose randomisation; the same seed gives the same state.
            home_noise: each joint starts uniformly within +-``home_noise`` [rad] of home
                (clipped to the limits); 0 gives the exact home pose.
        """
        if not 0.0 <= home_noise <= MAX_HOME_NOISE:
            raise CommandError(f"home_noise = {home_noise}; expected in [0, {MAX_HOME_NOISE}] rad")
        rng = np.random.default_rng(seed)
        home = np.asarray(self.config.home) + rng.uniform(
            -home_noise, home_noise, size=len(self._arm_qpos)
        )
        home = np.clip(home, self._limits[:, 0], self._limits[:, 1])
        mujoco.mj_resetData(self.model, self.data)
        self.data.qpos[self._arm_qpos] = home
        self.data.ctrl[self._arm_ctrl] = home
        self.data.ctrl[self._gripper_ctrl] = 0.0
        mujoco.mj_forward(self.model, self.data)

    def set_joint_targets(self, q: np.ndarray) -> None:
        """Servo targets (7,) [rad]; the arm moves there over the following steps."""
        self.data.ctrl[self._arm_ctrl] = check_joint_positions(q, self._limits, "joint targets")

    def set_gripper(self, closure: float) -> None:
        """Command the gripper: normalised closure in [0, 1] (0 open, 1 closed)."""
        if not 0.0 <= closure <= 1.0:
            raise CommandError(
                f"gripper closure = {closure}; expected in [0, 1] (0 open, 1 closed)"
            )
        self.data.ctrl[self._gripper_ctrl] = closure

    def step(self, n: int = 1) -> None:
        """Advance the physics by ``n`` steps of ``config.timestep``."""
        if n < 1:
            raise CommandError(f"step count n = {n}; expected >= 1")
        mujoco.mj_step(self.model, self.data, nstep=n)

    def execute_joint_trajectory(
        self,
        times: np.ndarray,
        positions: np.ndarray,
        settle_time: float = 0.3,
        after_step: Callable[[], None] | None = None,
    ) -> TrackingReport:
        """Track a joint trajectory through the servos and return once it has settled.

        The path starts at the current joint targets at t = 0 (a waypoint at t = 0 replaces them),
        runs linearly through the waypoints, then holds the last one for ``settle_time`` [s].

        Args:
            times: (N,) waypoint times [s] from now, >= 0 and strictly increasing.
            positions: (N, 7) waypoints [rad], within the joint limits.
            settle_time: extra time [s] at the last waypoint.
            after_step: called after every physics step, e.g. to record at a fixed rate.
        """
        times, positions = waypoints_from(
            self.data.ctrl[self._arm_ctrl], times, positions, self._limits, "trajectory"
        )
        dt = self.model.opt.timestep
        motion_steps = int(np.ceil(times[-1] / dt))
        total_steps = motion_steps + int(np.ceil(settle_time / dt))
        sample_times = dt * np.arange(1, total_steps + 1)
        reference, velocity = sample_piecewise_linear(times, positions, sample_times)
        commands = reference + velocity * self._feedforward_gain
        errors = np.empty(total_steps)
        for k in range(total_steps):
            self.data.ctrl[self._arm_ctrl] = commands[k]
            mujoco.mj_step(self.model, self.data)
            errors[k] = np.max(np.abs(self.data.qpos[self._arm_qpos] - reference[k]))
            if after_step is not None:
                after_step()
        return TrackingReport(
            max_error=float(errors.max()), final_error=float(errors[-1]), duration=total_steps * dt
        )

    # --- robot state ---------------------------------------------------------------------------

    @property
    def time(self) -> float:
        return float(self.data.time)

    @property
    def joint_positions(self) -> np.ndarray:
        """(7,) [rad]."""
        return self.data.qpos[self._arm_qpos].copy()

    @property
    def gripper_width(self) -> float:
        """Measured pad-to-pad width [m]."""
        return float(self.robot.gripper.stroke - self.data.qpos[self._finger_qpos].sum())

    @property
    def gripper_closure(self) -> float:
        """Measured closure in [0, 1] (0 open)."""
        return float(self.data.qpos[self._finger_qpos].sum() / self.robot.gripper.stroke)

    def update_kinematics(self) -> None:
        """Recompute poses (bodies, sites, cameras) from the current joint angles.

        ``mj_step`` computes poses before it integrates, so after a step they lag the state by one
        step. These position-stage functions change no state, so reading never alters a rollout.
        """
        mujoco.mj_kinematics(self.model, self.data)
        mujoco.mj_comPos(self.model, self.data)
        mujoco.mj_camlight(self.model, self.data)

    def _site_in_base(self, site: str) -> np.ndarray:
        self.update_kinematics()
        world = make_pose(self.data.site(site).xmat.reshape(3, 3), self.data.site(site).xpos)
        return self.base_from_world @ world

    @property
    def tcp_pose(self) -> np.ndarray:
        """(4, 4) TCP pose in the robot base frame."""
        return self._site_in_base(TCP_SITE)

    @property
    def flange_pose(self) -> np.ndarray:
        """(4, 4) flange pose in the robot base frame."""
        return self._site_in_base(FLANGE_SITE)

    def forward_kinematics(self, q: np.ndarray) -> ArmPose:
        """Flange and TCP poses (4, 4) in the base frame at joint angles ``q`` (7,) [rad]."""
        return forward_kinematics(self.robot, q)

    # --- task objects --------------------------------------------------------------------------

    def _task_object(self, name: str) -> TaskObject:
        if name not in self.objects:
            raise CommandError(
                f"task object {name!r} is not in this cell; objects: {sorted(self.objects)}"
            )
        return self.objects[name]

    def object_pose(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Position (3,) [m] and quaternion (4,) (w, x, y, z) of an object's body, world frame."""
        self._task_object(name)
        self.update_kinematics()
        body = self.data.body(name)
        return body.xpos.copy(), body.xquat.copy()

    def set_object_pose(
        self, name: str, position: np.ndarray, quat: np.ndarray = (1.0, 0.0, 0.0, 0.0)
    ) -> None:
        """Place an object (world frame, at rest); kinematics is updated at once."""
        obj = self._task_object(name)
        position, quat = np.asarray(position, dtype=float), np.asarray(quat, dtype=float)
        if (
            position.shape != (3,)
            or quat.shape != (4,)
            or not np.isfinite(np.r_[position, quat]).all()
        ):
            raise CommandError(
                f"pose of {name!r}: position {position}, quat {quat}; expected (3,) and (4,) finite"
            )
        quat = quat / np.linalg.norm(quat)
        if isinstance(obj, FreeObject):
            joint = self.model.joint(free_joint_name(name))
            self.data.qpos[joint.qposadr[0] : joint.qposadr[0] + 7] = np.r_[position, quat]
            self.data.qvel[joint.dofadr[0] : joint.dofadr[0] + 6] = 0.0
        else:
            mocap = self.model.body(name).mocapid[0]
            self.data.mocap_pos[mocap], self.data.mocap_quat[mocap] = position, quat
        self.update_kinematics()

    def button_depth(self, name: str) -> float:
        """How far [m] a button's cap is pushed in (0 at rest, up to its travel)."""
        if not isinstance(self._task_object(name), Button):
            raise CommandError(
                f"task object {name!r} is a {type(self.objects[name]).__name__}, not a Button"
            )
        return float(-self.data.joint(press_joint_name(name)).qpos[0])

    # --- cameras -------------------------------------------------------------------------------

    def camera_intrinsics(
        self, camera: str, image_size: tuple[int, int] | None = None
    ) -> np.ndarray:
        """(3, 3) K [px] of ``camera`` rendered at ``image_size`` = (width, height)."""
        width, height = image_size or self.config.image_size
        return intrinsics_matrix(
            float(self.model.camera(self._camera_id(camera)).fovy[0]), width, height
        )

    def camera_extrinsics(self, camera: str) -> np.ndarray:
        """(4, 4) camera-to-base pose of ``camera``, OpenCV axes (x right, y down, z forward)."""
        index = self._camera_id(camera)
        rotation = flip_camera_axes(self.data.cam_xmat[index].reshape(3, 3))
        return self.base_from_world @ make_pose(rotation, self.data.cam_xpos[index])

    def _camera_id(self, camera: str) -> int:
        if camera not in self.camera_names:
            raise CommandError(
                f"camera {camera!r} is not in this cell; cameras: {self.camera_names}"
            )
        return self.model.camera(camera).id

    def observe(
        self, depth: bool = False, image_size: tuple[int, int] | None = None
    ) -> Observation:
        """Render every camera and read the robot state.

        Args:
            depth: also render metric depth maps.
            image_size: (width, height) [px]; defaults to ``config.image_size`` (640x480).
        """
        width, height = image_size or self.config.image_size
        self.update_kinematics()
        images = {
            name: self._renderer.rgb(self.data, name, width, height) for name in self.camera_names
        }
        depths = (
            {
                name: self._renderer.depth(self.data, name, width, height)
                for name in self.camera_names
            }
            if depth
            else {}
        )
        return Observation(
            time=self.time,
            images=images,
            depths=depths,
            joint_positions=self.joint_positions,
            ee_pose=pose_to_xyz_euler(self.tcp_pose),
            flange_pose=pose_to_xyz_euler(self.flange_pose),
            gripper_closure=self.gripper_closure,
            gripper_width=self.gripper_width,
            intrinsics={
                name: self.camera_intrinsics(name, (width, height)) for name in self.camera_names
            },
            extrinsics={name: self.camera_extrinsics(name) for name in self.camera_names},
        )

    def close(self) -> None:
        """Release the rendering contexts."""
        self._renderer.close()

    def __enter__(self) -> SimCell:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
