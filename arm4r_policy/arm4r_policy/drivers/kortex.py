"""Kinova Gen3 + Robotiq 2F-85 through Kinova's ``kortex_api`` (no ROS).

``kortex_api`` is Kinova's Python wheel (not on PyPI); it is imported only inside the functions
that talk to the arm, so this module imports and its conversions are tested anywhere.

Connection: a TCP session on port 10000 (``TCPTransport`` -> ``RouterClient`` ->
``SessionManager.CreateSession`` with user name and password), one ``BaseClient`` for actions
and gripper commands, one ``BaseCyclicClient`` whose ``RefreshFeedback`` reads the state, one
``ControlConfigClient`` for the tool configuration. UDP port 10001 serves Kinova's 1 kHz
low-level servoing, which this backend does not use.

Units and conventions of the API, converted here:

- joint positions: degrees in [0, 360) -> radians in (-pi, pi];
- Cartesian poses ``(x, y, z, theta_x, theta_y, theta_z)``: metres and DEGREES, Tait-Bryan angles
  about the FIXED base axes in the order x, y, z, i.e. ``R = Rz(theta_z) Ry(theta_y) Rx(theta_x)``
  (Kinova's home pose reads theta = (90, 0, 90) deg, and only this order gives the
  end_effector_link orientation the Gen3 kinematics give at the home angles);
- gripper position: percent 0 (open) .. 100 (closed) in the feedback, 0 .. 1 in commands.

Frames: the feedback's "tool pose" is the pose of the TOOL frame, the flange
(``end_effector_link``) moved by the tool transform configured on the arm (Web App, tool
configuration; zero unless someone set it). The tool transform is read at connect, so the flange
is recovered whatever it is, and the observed end effector is the TCP:
``tcp = flange @ tcp_in_flange`` with the 2F-85's 0.14 m along z by default, as in the
simulation. Motions are sent for the tool frame; the controller moves that frame on a straight
line (setting the arm's tool transform to the TCP makes the TCP the frame that moves straight).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arm4r_policy.drivers.hardware_robot import (
    ArmState,
    HardwareRobot,
    MountedCamera,
    wait_serving_sampler,
)
from arm4r_policy.errors import ARM4RError, CommandError, ConfigError, HardwareError
from arm4r_policy.planning.cartesian import checked_pose
from arm4r_policy.runtime.pose import euler_xyz_to_matrix, matrix_to_euler_xyz
from arm4r_policy.runtime.robot import Sampler

__all__ = [
    "ACTION_ABORT",
    "ACTION_END",
    "KORTEX_TCP_PORT",
    "KORTEX_UDP_PORT",
    "ROBOTIQ_2F85_STROKE",
    "ActionWatcher",
    "GripperSettle",
    "KortexConfig",
    "KortexFeedback",
    "KortexRobot",
    "KortexSession",
    "KortexState",
    "arm_state_from_feedback",
    "find_action_handle",
    "gripper_position_command",
    "joint_degrees_to_radians",
    "kortex_pose_to_matrix",
    "matrix_to_kortex_pose",
    "reach_pose_action",
    "robotiq_2f85_tcp_in_flange",
    "tool_target",
]

KORTEX_TCP_PORT = 10000
KORTEX_UDP_PORT = 10001
ACTION_END = 1
"""``Base_pb2.ACTION_END``: the action finished."""
ACTION_ABORT = 2
"""``Base_pb2.ACTION_ABORT``: the action stopped early; ``abort_details`` says why."""
ROBOTIQ_2F85_STROKE = 0.085
"""[m] pad-to-pad opening of the 2F-85 at position 0."""
_ROBOTIQ_2F85_TCP_DEPTH = 0.14  # [m] flange to the pad centre along the flange z axis
# Field names of Kortex poses (Base_pb2.Pose, ControlConfig_pb2.CartesianTransform).
_POSE_FIELDS = ("x", "y", "z", "theta_x", "theta_y", "theta_z")


def robotiq_2f85_tcp_in_flange() -> np.ndarray:
    """(4, 4) TCP of the 2F-85 in the Gen3 flange frame: 0.14 m along z, no rotation."""
    pose = np.eye(4)
    pose[2, 3] = _ROBOTIQ_2F85_TCP_DEPTH
    return pose


# --------------------------------------------------------------------------------------------
# Conversions between the API's numbers and ours (pure)
# --------------------------------------------------------------------------------------------


def kortex_pose_to_matrix(pose: Sequence[float]) -> np.ndarray:
    """Kortex ``(x, y, z [m], theta_x, theta_y, theta_z [deg])`` -> (4, 4) pose.

    ``Rz(c) Ry(b) Rx(a) = (Rx(-a) Ry(-b) Rz(-c))^T``: the transpose of our intrinsic "XYZ"
    matrix of the negated angles.
    """
    values = np.asarray(pose, dtype=float)
    if values.shape != (6,) or not np.all(np.isfinite(values)):
        raise HardwareError(f"Kortex pose {values.tolist()}: expected 6 finite numbers")
    matrix = np.eye(4)
    matrix[:3, :3] = euler_xyz_to_matrix(-np.radians(values[3:])).T
    matrix[:3, 3] = values[:3]
    return matrix


def matrix_to_kortex_pose(pose: np.ndarray) -> np.ndarray:
    """(4, 4) pose -> Kortex ``(x, y, z [m], theta_x, theta_y, theta_z [deg])``.

    Angles in [-180, 180] (theta_y in [-90, 90]); inverse of ``kortex_pose_to_matrix``.
    """
    angles = -np.degrees(matrix_to_euler_xyz(pose[:3, :3].T))
    return np.concatenate([pose[:3, 3], angles]) + 0.0  # + 0.0 turns -0.0 into 0.0


def joint_degrees_to_radians(degrees: Sequence[float]) -> np.ndarray:
    """Actuator positions [deg] (Kortex reports [0, 360)) -> [rad] in (-pi, pi]."""
    radians = np.radians(np.asarray(degrees, dtype=float))
    wrapped = np.mod(radians + np.pi, 2.0 * np.pi) - np.pi
    return np.where(wrapped == -np.pi, np.pi, wrapped)


@dataclass(frozen=True)
class KortexFeedback:
    """The numbers of one ``BaseCyclic.Feedback`` this backend uses, in the API's units.

    Attributes:
        joint_positions_deg: (n,) actuator positions [deg].
        tool_pose: (6,) tool frame ``(x, y, z [m], theta_x, theta_y, theta_z [deg])``.
        gripper_percent: gripper position, 0 open .. 100 closed.
    """

    joint_positions_deg: np.ndarray
    tool_pose: np.ndarray
    gripper_percent: float

    @classmethod
    def from_message(cls, feedback: Any) -> KortexFeedback:
        """Read ``BaseCyclic_pb2.Feedback`` (``actuators[i].position``, ``base.tool_pose_*``,
        ``interconnect.gripper_feedback.motor[0].position``)."""
        base = feedback.base
        motors = feedback.interconnect.gripper_feedback.motor
        return cls(
            joint_positions_deg=np.array([actuator.position for actuator in feedback.actuators]),
            tool_pose=np.array(
                [
                    base.tool_pose_x,
                    base.tool_pose_y,
                    base.tool_pose_z,
                    base.tool_pose_theta_x,
                    base.tool_pose_theta_y,
                    base.tool_pose_theta_z,
                ]
            ),
            gripper_percent=float(motors[0].position) if len(motors) else 0.0,
        )


def arm_state_from_feedback(
    feedback: KortexFeedback,
    tool_in_flange: np.ndarray,
    tcp_in_flange: np.ndarray,
    gripper_stroke: float = ROBOTIQ_2F85_STROKE,
) -> ArmState:
    """Kortex feedback -> ``ArmState`` in radians, base-frame (4, 4) poses, closure in [0, 1].

    Args:
        feedback: the API's numbers.
        tool_in_flange: (4, 4) the arm's configured tool transform.
        tcp_in_flange: (4, 4) the gripper's TCP in the flange frame.
        gripper_stroke: opening at closure 0 [m]; the width is taken as linear in the position.
    """
    flange = kortex_pose_to_matrix(feedback.tool_pose) @ np.linalg.inv(tool_in_flange)
    closure = float(np.clip(feedback.gripper_percent / 100.0, 0.0, 1.0))
    return ArmState(
        joint_positions=joint_degrees_to_radians(feedback.joint_positions_deg),
        flange_pose=flange,
        tcp_pose=flange @ tcp_in_flange,
        gripper_closure=closure,
        gripper_width=gripper_stroke * (1.0 - closure),
    )


def tool_target(
    tcp_target: np.ndarray, tool_in_flange: np.ndarray, tcp_in_flange: np.ndarray
) -> np.ndarray:
    """(6,) Kortex pose of the tool frame that puts the TCP at ``tcp_target`` (4, 4)."""
    return matrix_to_kortex_pose(tcp_target @ np.linalg.inv(tcp_in_flange) @ tool_in_flange)


def find_action_handle(actions: Iterable[Any], name: str) -> Any:
    """The ``handle`` of the action called ``name`` in ``ReadAllActions(...).action_list``."""
    names = []
    for action in actions:
        if action.name == name:
            return action.handle
        names.append(action.name)
    raise HardwareError(f"the arm has no action named {name!r}; it has {names}")


class ActionWatcher:
    """Callback for ``OnNotificationActionTopic``: remembers how the running action ended.

    Args:
        sub_error_name: ``abort_details`` code -> name (``Base_pb2.SubErrorCodes.Name``).
    """

    def __init__(self, sub_error_name: Callable[[int], str]) -> None:
        self._sub_error_name = sub_error_name
        self._ended = threading.Event()
        self.abort_reason: str | None = None

    def __call__(self, notification: Any) -> None:
        event = notification.action_event
        if event == ACTION_ABORT:
            code = int(notification.abort_details)
            try:
                name = self._sub_error_name(code)
            except ValueError:
                name = "unknown sub-error"
            self.abort_reason = f"{name} ({code})"
        if event in (ACTION_END, ACTION_ABORT):
            self._ended.set()

    def wait(self, seconds: float) -> bool:
        """Block up to ``seconds``; True once the action has ended or aborted."""
        return self._ended.wait(seconds)


class GripperSettle:
    """Decides when the fingers have stopped: at the target, or still for ``window`` seconds.

    Args:
        target: commanded closure in [0, 1].
        tolerance: closure error that counts as arrived.
        still: closure change below which the fingers count as still (blocked by an object).
        window: how long they must stay still [s].
    """

    def __init__(
        self, target: float, tolerance: float = 0.01, still: float = 0.002, window: float = 0.3
    ) -> None:
        self.target = target
        self.tolerance = tolerance
        self.still = still
        self.window = window
        self._since: tuple[float, float] | None = None  # (time [s], closure) the fingers last moved

    def update(self, closure: float, now: float) -> bool:
        """Feed a measurement taken at ``now`` [s]; True once the fingers have stopped."""
        if abs(closure - self.target) <= self.tolerance:
            return True
        if self._since is None or abs(closure - self._since[1]) > self.still:
            self._since = (now, closure)
            return False
        return now - self._since[0] >= self.window


def reach_pose_action(pose: Sequence[float], linear_speed: float, angular_speed: float) -> Any:
    """``Base_pb2.Action`` moving the tool frame to ``pose`` (6,) (Kortex units) in a line.

    Args:
        pose: ``(x, y, z [m], theta_x, theta_y, theta_z [deg])`` of the tool frame.
        linear_speed: translation speed limit [m/s].
        angular_speed: rotation speed limit [deg/s].
    """
    from kortex_api.autogen.messages import Base_pb2

    action = Base_pb2.Action()
    action.name = "arm4r linear motion"
    action.application_data = ""
    reach = action.reach_pose
    for field_name, value in zip(_POSE_FIELDS, pose, strict=True):
        setattr(reach.target_pose, field_name, float(value))
    reach.constraint.speed.translation = linear_speed
    reach.constraint.speed.orientation = angular_speed
    return action


def gripper_position_command(closure: float) -> Any:
    """``Base_pb2.GripperCommand`` in GRIPPER_POSITION mode: finger 1 to ``closure`` in [0, 1]."""
    from kortex_api.autogen.messages import Base_pb2

    if not 0.0 <= closure <= 1.0:
        raise CommandError(f"gripper closure = {closure}; expected 0 (open) .. 1 (closed)")
    command = Base_pb2.GripperCommand()
    command.mode = Base_pb2.GRIPPER_POSITION
    finger = command.gripper.finger.add()
    finger.finger_identifier = 1
    finger.value = float(closure)
    return command


# --------------------------------------------------------------------------------------------
# The arm
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KortexConfig:
    """How to reach and drive one Gen3.

    Attributes:
        ip: the arm's address (factory default 192.168.1.10).
        username, password: a user of the arm (factory default admin / admin).
        port: the API's TCP port.
        linear_speed: TCP speed limit of linear motions [m/s].
        angular_speed: rotation speed limit of linear motions [deg/s].
        action_timeout: the longest a motion or the home action may take [s]; the arm is
            stopped after it.
        gripper_timeout: the longest a gripper command may take [s].
        home_action: name of the stored joint-angle action ``home`` runs.
        tcp_in_flange: (4, 4) the gripper's TCP in the flange frame.
        gripper_stroke: the gripper's opening at closure 0 [m].
        session_inactivity_timeout_ms, connection_inactivity_timeout_ms: session settings
            passed to ``CreateSession`` [ms].
    """

    ip: str
    username: str = "admin"
    password: str = "admin"
    port: int = KORTEX_TCP_PORT
    linear_speed: float = 0.1
    angular_speed: float = 30.0
    action_timeout: float = 30.0
    gripper_timeout: float = 5.0
    home_action: str = "Home"
    tcp_in_flange: np.ndarray = field(default_factory=robotiq_2f85_tcp_in_flange)
    gripper_stroke: float = ROBOTIQ_2F85_STROKE
    session_inactivity_timeout_ms: int = 60000
    connection_inactivity_timeout_ms: int = 2000

    def __post_init__(self) -> None:
        if not self.ip:
            raise ConfigError("KortexConfig.ip is empty; expected the arm's address")
        for name in ("linear_speed", "angular_speed", "action_timeout", "gripper_timeout"):
            if not getattr(self, name) > 0.0:
                raise ConfigError(f"KortexConfig.{name} = {getattr(self, name)}; expected > 0")
        tcp = checked_pose(self.tcp_in_flange, "KortexConfig.tcp_in_flange")
        object.__setattr__(self, "tcp_in_flange", tcp)


@contextmanager
def _api_call(ip: str, what: str) -> Iterator[None]:
    """Turn any error the vendor API raises into a ``HardwareError`` naming the arm and call."""
    try:
        yield
    except ARM4RError:
        raise
    except Exception as error:
        raise HardwareError(f"Kinova {ip}: {what} failed: {error}") from error


class KortexSession:
    """A TCP session with the arm and the API clients this backend uses."""

    def __init__(self, config: KortexConfig) -> None:
        self.config = config
        self.base: Any = None
        self.base_cyclic: Any = None
        self.control_config: Any = None
        self._transport: Any = None
        self._router: Any = None
        self._session: Any = None

    @property
    def is_open(self) -> bool:
        return self._session is not None

    def open(self) -> None:
        """Connect and log in.

        Raises:
            HardwareError: the arm is unreachable or refused the credentials.
        """
        from kortex_api.autogen.client_stubs.BaseClientRpc import BaseClient
        from kortex_api.autogen.client_stubs.BaseCyclicClientRpc import BaseCyclicClient
        from kortex_api.autogen.client_stubs.ControlConfigClientRpc import ControlConfigClient
        from kortex_api.autogen.messages import Session_pb2
        from kortex_api.RouterClient import RouterClient
        from kortex_api.SessionManager import SessionManager
        from kortex_api.TCPTransport import TCPTransport

        config = self.config
        self._transport = TCPTransport()
        self._router = RouterClient(self._transport, RouterClient.basicErrorCallback)
        with _api_call(config.ip, f"TCP connection to port {config.port}"):
            self._transport.connect(config.ip, config.port)
        info = Session_pb2.CreateSessionInfo()
        info.username = config.username
        info.password = config.password
        info.session_inactivity_timeout = config.session_inactivity_timeout_ms
        info.connection_inactivity_timeout = config.connection_inactivity_timeout_ms
        manager = SessionManager(self._router)
        with _api_call(config.ip, f"session for user {config.username!r}"):
            manager.CreateSession(info)
        self._session = manager
        self.base = BaseClient(self._router)
        self.base_cyclic = BaseCyclicClient(self._router)
        self.control_config = ControlConfigClient(self._router)

    def close(self) -> None:
        """Log out and disconnect; safe to call twice."""
        if self._transport is None:
            return
        from kortex_api.RouterClient import RouterClientSendOptions

        options = RouterClientSendOptions()
        options.timeout_ms = 1000
        with _api_call(self.config.ip, "closing the session"):
            try:
                if self._session is not None:
                    self._session.CloseSession(options)
                self._router.SetActivationStatus(False)
            finally:
                self._transport.disconnect()
                self._transport = self._router = self._session = None
                self.base = self.base_cyclic = self.control_config = None


class KortexState:
    """Reads the arm's state without commanding it: what a state publisher polls at its rate.

    Args:
        config: the arm.
        session: an open session to share (``KortexRobot`` passes its own); None opens one in
            ``connect``.
    """

    def __init__(self, config: KortexConfig, session: KortexSession | None = None) -> None:
        self.config = config
        self.session = session or KortexSession(config)
        self._owns_session = session is None
        self.tool_in_flange = np.eye(4)

    def connect(self) -> None:
        if not self.session.is_open:
            self.session.open()
        self.tool_in_flange = self._read_tool_transform()

    def disconnect(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> KortexState:
        self.connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.disconnect()

    def _read_tool_transform(self) -> np.ndarray:
        with _api_call(self.config.ip, "GetToolConfiguration"):
            transform = self.session.control_config.GetToolConfiguration().tool_transform
        return kortex_pose_to_matrix([getattr(transform, name) for name in _POSE_FIELDS])

    def feedback(self) -> KortexFeedback:
        """One ``RefreshFeedback`` in the API's units."""
        with _api_call(self.config.ip, "RefreshFeedback"):
            return KortexFeedback.from_message(self.session.base_cyclic.RefreshFeedback())

    def read(self) -> ArmState:
        """The arm and gripper now."""
        return arm_state_from_feedback(
            self.feedback(),
            self.tool_in_flange,
            self.config.tcp_in_flange,
            self.config.gripper_stroke,
        )


class KortexRobot(HardwareRobot):
    """A Gen3 with a 2F-85 and mounted cameras behind the ``Robot`` interface.

    Motions are the arm's own Cartesian ``reach_pose`` actions with the configured speed limits;
    the call blocks on the action notifications (END: done; ABORT: ``HardwareError`` with the
    reason; no notification within ``action_timeout``: the arm is stopped and a
    ``HardwareError`` raised) while samplers are served on the wall clock.

    Args:
        config: the arm.
        cameras: camera name -> mounted camera.
        frame_timeout: the longest wait for a frame in ``observe`` [s].
    """

    cell_name = "kinova"
    name = "kinova_gen3+robotiq_2f85"

    def __init__(
        self,
        config: KortexConfig,
        cameras: Mapping[str, MountedCamera],
        frame_timeout: float = 0.5,
    ) -> None:
        super().__init__(cameras, frame_timeout)
        self.config = config
        self.session = KortexSession(config)
        self.state = KortexState(config, self.session)

    def connect_arm(self) -> None:
        from kortex_api.autogen.messages import Base_pb2

        self.session.open()
        self.state.connect()
        base = self.session.base
        with _api_call(self.config.ip, "GetArmState"):
            arm_state = base.GetArmState().active_state
        if arm_state != Base_pb2.ARMSTATE_SERVOING_READY:
            name = Base_pb2.ArmState.Name(arm_state)
            raise HardwareError(
                f"Kinova {self.config.ip} is in state {name}, not ARMSTATE_SERVOING_READY: "
                "clear its faults (clear_faults() or the Web App) and release other controllers"
            )
        mode = Base_pb2.ServoingModeInformation()
        mode.servoing_mode = Base_pb2.SINGLE_LEVEL_SERVOING
        with _api_call(self.config.ip, "SetServoingMode(SINGLE_LEVEL_SERVOING)"):
            base.SetServoingMode(mode)

    def disconnect_arm(self) -> None:
        self.session.close()

    def arm_state(self) -> ArmState:
        return self.state.read()

    def move_linear(self, target_pose: np.ndarray, sampler: Sampler | None = None) -> None:
        target = checked_pose(target_pose, "KortexRobot.move_linear target_pose")
        pose = tool_target(target, self.state.tool_in_flange, self.config.tcp_in_flange)
        action = reach_pose_action(pose, self.config.linear_speed, self.config.angular_speed)
        described = f"reach_pose to TCP {np.round(target[:3, 3], 4).tolist()} m"
        self._run_action(lambda: self.session.base.ExecuteAction(action), sampler, described)

    def set_gripper(self, closure: float, sampler: Sampler | None = None) -> None:
        command = gripper_position_command(closure)
        with _api_call(self.config.ip, f"SendGripperCommand(position {closure:.3f})"):
            self.session.base.SendGripperCommand(command)
        settle = GripperSettle(closure)

        def stopped(seconds: float) -> bool:
            time.sleep(min(seconds, 0.02))
            return settle.update(self.state.feedback().gripper_percent / 100.0, time.monotonic())

        if not wait_serving_sampler(stopped, sampler, self.config.gripper_timeout):
            raise HardwareError(
                f"Kinova {self.config.ip}: the gripper did not settle at closure {closure:.3f} "
                f"within {self.config.gripper_timeout} s (last closure "
                f"{self.state.feedback().gripper_percent / 100.0:.3f})"
            )

    def home(self, seed: int) -> None:
        """Run the arm's stored "Home" action, then open the gripper.

        ``seed`` is unused: the real start pose is the stored one, not randomised.
        """
        from kortex_api.autogen.messages import Base_pb2

        request = Base_pb2.RequestedActionType()
        request.action_type = Base_pb2.REACH_JOINT_ANGLES
        with _api_call(self.config.ip, "ReadAllActions(REACH_JOINT_ANGLES)"):
            actions = self.session.base.ReadAllActions(request).action_list
        try:
            handle = find_action_handle(actions, self.config.home_action)
        except HardwareError as error:
            raise HardwareError(f"Kinova {self.config.ip}: {error}") from None
        self._run_action(
            lambda: self.session.base.ExecuteActionFromReference(handle),
            None,
            f"action {self.config.home_action!r}",
        )
        self.set_gripper(0.0)

    def stop(self) -> None:
        """Stop the running action (a controlled stop; the arm stays powered)."""
        with _api_call(self.config.ip, "Stop"):
            self.session.base.Stop()

    def emergency_stop(self) -> None:
        """``ApplyEmergencyStop``: brakes on; ``clear_faults`` before moving again."""
        with _api_call(self.config.ip, "ApplyEmergencyStop"):
            self.session.base.ApplyEmergencyStop()

    def clear_faults(self) -> None:
        with _api_call(self.config.ip, "ClearFaults"):
            self.session.base.ClearFaults()

    def _run_action(
        self, start: Callable[[], object], sampler: Sampler | None, described: str
    ) -> None:
        """Start an action and wait for its END / ABORT notification, serving ``sampler``."""
        from kortex_api.autogen.messages import Base_pb2

        base = self.session.base
        watcher = ActionWatcher(Base_pb2.SubErrorCodes.Name)
        with _api_call(self.config.ip, "OnNotificationActionTopic"):
            subscription = base.OnNotificationActionTopic(watcher, Base_pb2.NotificationOptions())
        try:
            with _api_call(self.config.ip, described):
                start()
            ended = wait_serving_sampler(watcher.wait, sampler, self.config.action_timeout)
        finally:
            with _api_call(self.config.ip, "Unsubscribe"):
                base.Unsubscribe(subscription)
        if not ended:
            self.stop()
            raise HardwareError(
                f"Kinova {self.config.ip}: {described} did not end within "
                f"{self.config.action_timeout} s; the arm was stopped"
            )
        if watcher.abort_reason is not None:
            raise HardwareError(
                f"Kinova {self.config.ip}: {described} aborted: {watcher.abort_reason}"
            )
