"""Linear Cartesian motion on a real arm through MoveIt 2's Python API (moveit_py, Jazzy).

The backend the ``moveit_bridge`` node uses on hardware, the counterpart of ``plan_linear`` in
simulation: a target TCP pose in the robot base frame becomes a straight-line motion planned by
the Pilz industrial motion planner (``pilz_industrial_motion_planner``, planner ``LIN``) and
executed through MoveIt's trajectory execution (ros2_control's ``joint_trajectory_controller``).
moveit_py has no Cartesian-path call; Pilz LIN is its straight-line planner.

Pilz LIN needs:

- a start state AT REST (it refuses a start velocity): plan only after the previous motion has
  finished; ``move_linear`` executes blocking, so consecutive calls satisfy this;
- Cartesian limits (``robot_description_planning.cartesian_limits``: ``max_trans_vel`` [m/s],
  ``max_trans_acc`` [m/s^2], ``max_trans_dec`` [m/s^2, negative], ``max_rot_vel`` [rad/s]); the
  MoveIt config package may carry them, or ``PilzCartesianLimits`` supplies them;
- a goal for a link of the planning group: MoveIt groups end at the flange (ros2_kortex's
  ``manipulator`` at ``end_effector_link``, ``panda_arm`` at ``panda_link8``), so the TCP target
  is moved to that link with the constant ``tcp_in_pose_link``.

moveit_py, moveit_configs_utils and the ROS messages it takes are imported only inside the
methods that need them: this module imports anywhere, and its request building is tested
without MoveIt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arm4r_policy.drivers.franka import franka_hand_tcp_in_flange
from arm4r_policy.drivers.kortex import robotiq_2f85_tcp_in_flange
from arm4r_policy.errors import ConfigError, HardwareError, PlanningError
from arm4r_policy.planning.cartesian import checked_pose
from arm4r_policy.planning.gripper_action import GripperCommandClient
from arm4r_policy.runtime.pose import matrix_to_quat_xyzw

__all__ = [
    "PILZ_LIN",
    "PILZ_PIPELINE",
    "LinearMotionResult",
    "MoveItLinearPlanner",
    "MoveItPlannerConfig",
    "PilzCartesianLimits",
    "error_code_name",
    "goal_fields",
    "merge_parameters",
    "moveit_py_parameters",
    "pilz_lin_request",
    "pose_stamped_fields",
    "to_pose_stamped",
]

PILZ_PIPELINE = "pilz_industrial_motion_planner"
PILZ_LIN = "LIN"


@dataclass(frozen=True)
class PilzCartesianLimits:
    """Pilz's Cartesian limits (``robot_description_planning.cartesian_limits``)."""

    max_trans_vel: float = 0.25  # [m/s]
    max_trans_acc: float = 1.0  # [m/s^2]
    max_trans_dec: float = -1.0  # [m/s^2], negative as Pilz expects
    max_rot_vel: float = 1.0  # [rad/s]

    def __post_init__(self) -> None:
        for name in ("max_trans_vel", "max_trans_acc", "max_rot_vel"):
            if not getattr(self, name) > 0.0:
                raise ConfigError(
                    f"PilzCartesianLimits.{name} = {getattr(self, name)}; expected > 0"
                )
        if not self.max_trans_dec < 0.0:
            raise ConfigError(
                f"PilzCartesianLimits.max_trans_dec = {self.max_trans_dec}; expected < 0"
            )

    def as_parameters(self) -> dict[str, Any]:
        return {
            "robot_description_planning": {
                "cartesian_limits": {
                    "max_trans_vel": self.max_trans_vel,
                    "max_trans_acc": self.max_trans_acc,
                    "max_trans_dec": self.max_trans_dec,
                    "max_rot_vel": self.max_rot_vel,
                }
            }
        }


@dataclass(frozen=True)
class MoveItPlannerConfig:
    """Which arm MoveIt drives and how fast; presets ``kinova_gen3``, ``panda``, ``fr3``.

    Attributes:
        group: the MoveIt planning group.
        pose_link: the link the goal pose is for (the group's tip).
        base_frame: frame of target poses (the robot base).
        tcp_in_pose_link: (4, 4) the TCP in ``pose_link``'s frame.
        moveit_config_package: the MoveIt config package ``MoveItConfigsBuilder`` loads; None
            when ``config_dict`` holds every parameter.
        robot_name: the robot name ``MoveItConfigsBuilder`` expects for that package.
        config_dict: parameters merged over the package's (or used alone).
        node_name: the moveit_py node's name.
        velocity_scaling, acceleration_scaling: Pilz's scaling factors in (0, 1].
        planning_time: the planner's time budget [s].
        request_namespace: parameter namespace of the LIN plan request.
        cartesian_limits: Pilz's Cartesian limits; None keeps the package's.
        controllers: controllers ``execute`` may use; empty lets MoveIt choose.
    """

    group: str
    pose_link: str
    base_frame: str
    tcp_in_pose_link: np.ndarray = field(default_factory=lambda: np.eye(4))
    moveit_config_package: str | None = None
    robot_name: str = ""
    config_dict: Mapping[str, Any] | None = None
    node_name: str = "arm4r_moveit_py"
    velocity_scaling: float = 0.1
    acceleration_scaling: float = 0.1
    planning_time: float = 1.0
    request_namespace: str = "arm4r_pilz_lin"
    cartesian_limits: PilzCartesianLimits | None = field(default_factory=PilzCartesianLimits)
    controllers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("group", "pose_link", "base_frame", "node_name", "request_namespace"):
            if not getattr(self, name):
                raise ConfigError(f"MoveItPlannerConfig.{name} is empty")
        for name in ("velocity_scaling", "acceleration_scaling"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ConfigError(
                    f"MoveItPlannerConfig.{name} = {getattr(self, name)}; expected (0, 1]"
                )
        if not self.planning_time > 0.0:
            raise ConfigError(
                f"MoveItPlannerConfig.planning_time = {self.planning_time}; expected > 0"
            )
        if self.moveit_config_package is None and self.config_dict is None:
            raise ConfigError(
                "MoveItPlannerConfig needs moveit_config_package or config_dict; got neither"
            )
        tcp = checked_pose(self.tcp_in_pose_link, "MoveItPlannerConfig.tcp_in_pose_link")
        object.__setattr__(self, "tcp_in_pose_link", tcp)

    @classmethod
    def kinova_gen3(cls, **overrides: Any) -> MoveItPlannerConfig:
        """ros2_kortex's Gen3 7-DoF + Robotiq 2F-85 MoveIt config, group ``manipulator``."""
        settings: dict[str, Any] = {
            "group": "manipulator",
            "pose_link": "end_effector_link",
            "base_frame": "base_link",
            "tcp_in_pose_link": robotiq_2f85_tcp_in_flange(),
            "moveit_config_package": "kinova_gen3_7dof_robotiq_2f_85_moveit_config",
            "robot_name": "gen3",
        }
        return cls(**(settings | overrides))

    @classmethod
    def panda(cls, **overrides: Any) -> MoveItPlannerConfig:
        """moveit_resources' Panda, group ``panda_arm`` ending at ``panda_link8``."""
        settings: dict[str, Any] = {
            "group": "panda_arm",
            "pose_link": "panda_link8",
            "base_frame": "panda_link0",
            "tcp_in_pose_link": franka_hand_tcp_in_flange(),
            "moveit_config_package": "moveit_resources_panda_moveit_config",
            "robot_name": "panda",
        }
        return cls(**(settings | overrides))

    @classmethod
    def fr3(cls, **overrides: Any) -> MoveItPlannerConfig:
        """franka_ros2's FR3, group ``fr3_arm`` ending at ``fr3_link8``."""
        settings: dict[str, Any] = {
            "group": "fr3_arm",
            "pose_link": "fr3_link8",
            "base_frame": "fr3_link0",
            "tcp_in_pose_link": franka_hand_tcp_in_flange(),
            "moveit_config_package": "franka_fr3_moveit_config",
            "robot_name": "fr3",
        }
        return cls(**(settings | overrides))


# --------------------------------------------------------------------------------------------
# Request building (pure)
# --------------------------------------------------------------------------------------------


def pilz_lin_request(config: MoveItPlannerConfig) -> dict[str, Any]:
    """The ``plan_request_params`` of a Pilz LIN request, as moveit_py loads them."""
    return {
        "planning_pipeline": PILZ_PIPELINE,
        "planner_id": PILZ_LIN,
        "planning_attempts": 1,
        "planning_time": config.planning_time,
        "max_velocity_scaling_factor": config.velocity_scaling,
        "max_acceleration_scaling_factor": config.acceleration_scaling,
    }


def moveit_py_parameters(config: MoveItPlannerConfig) -> dict[str, Any]:
    """The parameters moveit_py needs on top of a MoveIt config package's.

    The planning scene monitor, the Pilz pipeline, the LIN request as default and under
    ``config.request_namespace``, and Pilz's Cartesian limits when configured.
    """
    request = pilz_lin_request(config)
    parameters: dict[str, Any] = {
        "planning_scene_monitor_options": {
            "name": "planning_scene_monitor",
            "robot_description": "robot_description",
            "joint_state_topic": "/joint_states",
            "attached_collision_object_topic": "/moveit_cpp/planning_scene_monitor",
            "publish_planning_scene_topic": "/moveit_cpp/publish_planning_scene",
            "monitored_planning_scene_topic": "/moveit_cpp/monitored_planning_scene",
            "wait_for_initial_state_timeout": 10.0,
        },
        "planning_pipelines": {"pipeline_names": [PILZ_PIPELINE]},
        "plan_request_params": dict(request),
        config.request_namespace: {"plan_request_params": dict(request)},
    }
    if config.cartesian_limits is not None:
        parameters = merge_parameters(parameters, config.cartesian_limits.as_parameters())
    return parameters


def merge_parameters(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, nested mappings merged key by key.

    Where either side of a key is not a mapping, ``override``'s value replaces ``base``'s.
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_parameters(merged[key], value)
        else:
            merged[key] = value
    return merged


def pose_stamped_fields(pose: np.ndarray, frame_id: str) -> dict[str, Any]:
    """(4, 4) pose -> the fields of a ``geometry_msgs/PoseStamped`` (quaternion x, y, z, w)."""
    pose = checked_pose(pose, "pose")
    x, y, z = (float(v) for v in pose[:3, 3])
    qx, qy, qz, qw = (float(v) for v in matrix_to_quat_xyzw(pose[:3, :3]))
    return {
        "header": {"frame_id": frame_id},
        "pose": {
            "position": {"x": x, "y": y, "z": z},
            "orientation": {"x": qx, "y": qy, "z": qz, "w": qw},
        },
    }


def goal_fields(
    config: MoveItPlannerConfig, target_pose: np.ndarray, frame_id: str | None = None
) -> dict[str, Any]:
    """PoseStamped fields of ``config.pose_link`` that put the TCP at ``target_pose`` (4, 4).

    ``frame_id`` defaults to ``config.base_frame``.
    """
    target = checked_pose(target_pose, "linear motion target_pose")
    link_target = target @ np.linalg.inv(config.tcp_in_pose_link)
    return pose_stamped_fields(link_target, frame_id or config.base_frame)


def to_pose_stamped(fields: Mapping[str, Any]) -> Any:
    """A ``geometry_msgs.msg.PoseStamped`` holding ``pose_stamped_fields`` output."""
    from geometry_msgs.msg import Point, Pose, PoseStamped, Quaternion
    from std_msgs.msg import Header

    pose = fields["pose"]
    return PoseStamped(
        header=Header(frame_id=fields["header"]["frame_id"]),
        pose=Pose(
            position=Point(**pose["position"]), orientation=Quaternion(**pose["orientation"])
        ),
    )


def error_code_name(error_code: Any) -> str:
    """``moveit_msgs/MoveItErrorCodes`` -> e.g. ``"NO_IK_SOLUTION (-31)"``, named by the
    constants of its own message class."""
    value = int(error_code.val)
    names = [
        name
        for name in dir(type(error_code))
        if name.isupper() and getattr(type(error_code), name) == value
    ]
    message = str(getattr(error_code, "message", "") or "")
    return f"{names[0] if names else 'UNKNOWN'} ({value})" + (f": {message}" if message else "")


# --------------------------------------------------------------------------------------------
# The planner
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearMotionResult:
    """What an executed linear motion took.

    Attributes:
        planning_time: time the planner took [s].
        duration: duration of the executed trajectory [s].
        waypoints: its number of waypoints.
    """

    planning_time: float
    duration: float
    waypoints: int


class MoveItLinearPlanner:
    """Pilz LIN planning and execution through moveit_py, and the gripper action beside it.

    Args:
        config: group, links, speeds and where MoveIt's parameters come from.
        gripper: the gripper's action client; None when this planner does not grip.
    """

    def __init__(
        self, config: MoveItPlannerConfig, gripper: GripperCommandClient | None = None
    ) -> None:
        self.config = config
        self.gripper = gripper
        self._moveit: Any = None
        self._component: Any = None
        self._request: Any = None

    def parameters(self) -> dict[str, Any]:
        """Every parameter the moveit_py node starts with: the package's, ours, the user's."""
        config = self.config
        parameters: dict[str, Any] = {}
        if config.moveit_config_package is not None:
            from moveit_configs_utils import MoveItConfigsBuilder

            builder = MoveItConfigsBuilder(
                config.robot_name, package_name=config.moveit_config_package
            )
            parameters = builder.to_moveit_configs().to_dict()
        parameters = merge_parameters(parameters, moveit_py_parameters(config))
        return merge_parameters(parameters, config.config_dict or {})

    def connect(self) -> None:
        """Start moveit_py (its node, planning scene monitor and pipelines)."""
        from moveit.planning import MoveItPy, PlanRequestParameters

        config = self.config
        self._moveit = MoveItPy(node_name=config.node_name, config_dict=self.parameters())
        self._component = self._moveit.get_planning_component(config.group)
        request = PlanRequestParameters(self._moveit, config.request_namespace)
        for name, value in pilz_lin_request(config).items():
            setattr(request, name, value)
        self._request = request

    def shutdown(self) -> None:
        if self._moveit is not None:
            self._moveit.shutdown()
            self._moveit = self._component = self._request = None

    def move_linear(
        self, target_pose: np.ndarray, frame_id: str | None = None
    ) -> LinearMotionResult:
        """Move the TCP on a straight line to ``target_pose`` and return once it has arrived.

        Args:
            target_pose: (4, 4) TCP pose [m] in ``frame_id``.
            frame_id: the target's frame; ``config.base_frame`` when None.

        Raises:
            PlanningError: Pilz found no straight-line motion (unreachable, a joint limit, a
                collision, a moving start state); the message names the MoveIt error code.
            HardwareError: not connected, or execution failed (controller error, preemption).
        """
        if self._component is None:
            raise HardwareError(f"moveit_py node {self.config.node_name!r} is not connected")
        config = self.config
        fields = goal_fields(config, target_pose, frame_id)
        goal = to_pose_stamped(fields)
        position = np.round(np.asarray(target_pose, dtype=float)[:3, 3], 4).tolist()
        where = f"TCP {position} m in {fields['header']['frame_id']}"
        self._component.set_start_state_to_current_state()
        self._component.set_goal_state(pose_stamped_msg=goal, pose_link=config.pose_link)
        response = self._component.plan(single_plan_parameters=self._request)
        if not response:
            raise PlanningError(
                f"Pilz LIN for group {config.group} to {where} failed: "
                f"{error_code_name(response.error_code)}"
            )
        trajectory = response.trajectory
        status = self._moveit.execute(trajectory, controllers=list(config.controllers))
        if not status:  # an ExecutionStatus on Jazzy (a bool on Humble)
            raise HardwareError(
                f"executing the LIN trajectory to {where} failed: status "
                f"{getattr(status, 'status', status)}"
            )
        return LinearMotionResult(
            planning_time=float(response.planning_time),
            duration=float(trajectory.duration),
            waypoints=len(trajectory),
        )

    def set_gripper(self, closure: float) -> None:
        """Command the gripper to ``closure`` in [0, 1]; return once the fingers stopped."""
        if self.gripper is None:
            raise HardwareError(
                f"moveit_py node {self.config.node_name!r} was built without a gripper client"
            )
        self.gripper.command(closure)
