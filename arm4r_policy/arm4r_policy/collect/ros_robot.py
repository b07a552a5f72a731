"""``RosRobot``: the ``Robot`` interface over the topics of the ARM4R graph.

The arm is whatever executes ``/arm4r/target_pose`` and answers on ``/arm4r/motion_result``
(moveit_bridge_node driving sim_node or a real arm; contract in nodes/__init__.py). This module
holds no ROS code: a node (nodes/collect_node.py) hands it every message it receives, converted to
arrays, through the ``on_*`` methods (from its executor thread), and sends what the robot asks for
through a ``GraphLink``. The ``Robot`` methods block the calling thread while the executor spins.

observe
    The newest camera frames, TCP pose, gripper closure and joint positions stamped within
    ``sync_tolerance`` of each other, all younger than ``stale_after``, none handed out before and
    all stamped after the end of the last motion (``runtime.sync.ObservationSynchronizer``). Its
    ``time`` is the first camera's stamp; intrinsics come from each camera's camera_info, at the
    size of its frames (``image_size`` is not applied: the recorder resizes).
move_linear
    Sends a target stamped now and waits for its motion result, serving the sampler meanwhile
    (``drivers.hardware_robot.wait_serving_sampler``). A result other than OK raises
    ``PlanningError`` when the target or its plan was refused (the arm did not move) and
    ``HardwareError`` otherwise, either with the result's message.
set_gripper
    The bridge moves the gripper after a target's motion, when the command differs from the
    closure it last sent. So the command goes out, then a target at the pose last commanded (the
    arm holds); then the result is awaited and the gripper state until it has settled. A gripper
    that neither reached the command nor moved gets the pair once more: commands and targets
    travel on different topics, and the bridge may have taken the target first.
home(seed)
    In simulation: ``/arm4r/sim/reset`` until sim_node runs the episode of ``seed`` (each call
    starts the next seed, so the wanted seed must lie ahead of sim_node's current one). On a real
    arm: back to the TCP pose the arm had at the first ``home``. Then the gripper opens, which also
    tells the bridge the gripper state the reset left.

``wait_until_ready`` holds the collection until the executor answers a first target: discovery
can match this node before the bridge has matched its own inputs. The robot's clock is the link's
ROS time [s], the clock every stamp of the graph is on.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from arm4r_policy.drivers.hardware_robot import pose_vector, wait_serving_sampler
from arm4r_policy.errors import ConfigError, HardwareError, PlanningError
from arm4r_policy.runtime import sync
from arm4r_policy.runtime.robot import Observation, Robot, Sampler
from arm4r_policy.sim.transforms import invert_pose

__all__ = ["GraphLink", "RosRobot", "RosRobotConfig", "episode_seed"]

EE_POSE, GRIPPER, JOINTS = "ee_pose", "gripper", "joints"
"""Inputs of the synchroniser besides the cameras (which go by their names)."""
OPEN = 0.0
GRIPPER_STILL = 0.01
"""Largest closure change over ``GRIPPER_WINDOW`` of a gripper that has settled."""
GRIPPER_WINDOW = 0.1  # [s]
GRIPPER_REACHED = 0.05
"""Largest closure error of a gripper that reached its command."""
GRIPPER_SETTLE_TIMEOUT = 3.0  # [s] after the gripper's motion result
READY_RETRY = 0.5  # [s] between attempts of ``wait_until_ready``
_REFUSALS = ("PlanningError", "target refused")
"""How the bridge's messages start when the arm was not moved (runtime/motion_bridge.py)."""
_EPISODE_SEED = re.compile(r"episode seed (\d+):")
"""sim_node's reset message: ``"episode seed <n>: <instruction>"`` (nodes/__init__.py)."""


class GraphLink(Protocol):
    """What a ``RosRobot`` sends into the graph; nodes/collect_node.py implements it."""

    def now_ns(self) -> int:
        """The ROS clock now [ns]."""
        ...

    def send_target(self, pose: np.ndarray, stamp_ns: int) -> None:
        """Publish the (4, 4) TCP target, base frame [m], on /arm4r/target_pose, stamped
        ``stamp_ns``."""
        ...

    def send_gripper(self, closure: float) -> None:
        """Publish the closure (0 open .. 1 closed) on /arm4r/gripper_command and return once
        its readers have it."""
        ...

    def reset_simulation(self) -> str:
        """Call /arm4r/sim/reset and return its message; ``HardwareError`` without an answer."""
        ...


@dataclass(frozen=True)
class RosRobotConfig:
    """The robot the graph drives, and how long it waits for it.

    Attributes:
        cell_name: ``kinova`` or ``franka``; recorded with every episode.
        name: arm and gripper, e.g. ``kinova_gen3+robotiq_2f85``.
        camera_names: the cameras, in order; images on /cameras/<name>/image_raw.
        tcp_in_flange: (4, 4) the TCP in the flange frame (gives the flange pose).
        gripper_stroke: [m] pad-to-pad width of the open gripper (gives the width).
        extrinsics: camera name -> (4, 4) camera-to-base pose, OpenCV axes.
        simulation: home by resetting sim_node (True) or by moving back (False).
        sync_tolerance: [s] largest stamp spread within one observation.
        stale_after: [s] oldest message an observation may hold.
        observation_timeout: [s] longest wait for an observation.
        motion_timeout: [s] longest wait for a motion result.
    """

    cell_name: str
    name: str
    camera_names: tuple[str, ...]
    tcp_in_flange: np.ndarray
    gripper_stroke: float
    extrinsics: Mapping[str, np.ndarray] = field(repr=False)
    simulation: bool = True
    sync_tolerance: float = 0.05
    stale_after: float = 0.5
    observation_timeout: float = 3.0
    motion_timeout: float = 30.0

    def __post_init__(self) -> None:
        missing = sorted(set(self.camera_names) - set(self.extrinsics))
        if missing:
            raise ConfigError(f"RosRobotConfig.extrinsics: no camera-to-base pose for {missing}")
        for name in ("observation_timeout", "motion_timeout", "gripper_stroke"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"RosRobotConfig.{name} = {getattr(self, name)}; expected > 0")


@dataclass(frozen=True)
class _MotionResult:
    succeeded: bool
    message: str
    received_ns: int


def episode_seed(reset_message: str) -> int:
    """The seed in sim_node's reset message."""
    match = _EPISODE_SEED.match(reset_message)
    if match is None:
        raise HardwareError(
            f"sim_node's reset answered {reset_message!r}; expected 'episode seed <n>: ...'"
        )
    return int(match[1])


class RosRobot(Robot):
    """The arm, cameras and gripper of the graph behind the ``Robot`` interface."""

    def __init__(self, link: GraphLink, config: RosRobotConfig) -> None:
        self.link, self.config = link, config
        self.cell_name, self.name = config.cell_name, config.name
        self.camera_names = tuple(config.camera_names)
        self._flange_in_tcp = invert_pose(np.asarray(config.tcp_in_flange, dtype=float))
        self._changed = threading.Condition()  # guards everything below; notified on news
        self._sync = sync.ObservationSynchronizer(
            (*self.camera_names, EE_POSE, GRIPPER, JOINTS),
            config.sync_tolerance,
            config.stale_after,
        )
        self._intrinsics: dict[str, np.ndarray] = {}
        self._gripper_states: deque[tuple[int, float]] = deque(maxlen=256)
        self._after_ns = -1  # observations are stamped after this: the end of the last motion
        self._awaited_ns: int | None = None  # stamp of the target whose result is awaited
        self._result: _MotionResult | None = None
        self._last_target: np.ndarray | None = None
        self._home: np.ndarray | None = None

    # --- messages from the graph (the node's executor thread) ---------------------------------

    def on_image(self, camera: str, stamp_ns: int, rgb: np.ndarray) -> None:
        """A camera frame (H, W, 3) uint8 RGB."""
        self._add(camera, stamp_ns, rgb)

    def on_camera_intrinsics(self, camera: str, intrinsics: np.ndarray) -> None:
        """The camera's (3, 3) K [px] at the size of its frames."""
        with self._changed:
            self._intrinsics[camera] = np.array(intrinsics, dtype=float).reshape(3, 3)
            self._changed.notify_all()

    def on_ee_pose(self, stamp_ns: int, tcp_pose: np.ndarray) -> None:
        """The (4, 4) TCP pose, base frame [m]."""
        self._add(EE_POSE, stamp_ns, tcp_pose)

    def on_gripper_state(self, stamp_ns: int, closure: float) -> None:
        """The measured closure (0 open .. 1 closed)."""
        with self._changed:
            self._gripper_states.append((stamp_ns, closure))
        self._add(GRIPPER, stamp_ns, closure)

    def on_joint_state(self, stamp_ns: int, positions: np.ndarray) -> None:
        """The (7,) arm joint positions [rad], base to flange."""
        self._add(JOINTS, stamp_ns, positions)

    def on_motion_result(self, target_stamp_ns: int, succeeded: bool, message: str) -> None:
        """A motion result; only the awaited target's first one counts."""
        with self._changed:
            if target_stamp_ns == self._awaited_ns and self._result is None:
                self._result = _MotionResult(succeeded, message, self.link.now_ns())
                self._changed.notify_all()

    def _add(self, name: str, stamp_ns: int, value: object) -> None:
        with self._changed:
            self._sync.add(name, stamp_ns, value)
            self._changed.notify_all()

    # --- the Robot interface (the collection thread) ------------------------------------------

    @property
    def time(self) -> float:
        """ROS time [s]."""
        return self.link.now_ns() / sync.NS_PER_S

    def observe(self, image_size: tuple[int, int] | None = None) -> Observation:
        matched = self._matched()
        values = matched.values
        tcp, closure = values[EE_POSE], float(values[GRIPPER])
        return Observation(
            time=matched.stamp_ns / sync.NS_PER_S,
            images={name: values[name] for name in self.camera_names},
            depths={},
            joint_positions=np.asarray(values[JOINTS], dtype=float),
            ee_pose=pose_vector(tcp),
            flange_pose=pose_vector(tcp @ self._flange_in_tcp),
            gripper_closure=closure,
            gripper_width=self.config.gripper_stroke * (1.0 - closure),
            intrinsics={name: self._intrinsics[name].copy() for name in self.camera_names},
            extrinsics={name: self.config.extrinsics[name] for name in self.camera_names},
        )

    def move_linear(self, target_pose: np.ndarray, sampler: Sampler | None = None) -> None:
        pose = np.array(target_pose, dtype=float)
        if pose.shape != (4, 4) or not np.all(np.isfinite(pose)):
            raise PlanningError(f"target pose {pose.tolist()}: expected a finite (4, 4) pose")
        self._execute(pose, sampler)
        self._last_target = pose

    def set_gripper(self, closure: float, sampler: Sampler | None = None) -> None:
        hold = self._last_target if self._last_target is not None else self._measured_pose()
        before = self._latest_closure()
        for _ in range(2):  # a command the bridge got only after the hold target is sent again
            after = self._grip(float(closure), hold, sampler)
            if abs(after - closure) < GRIPPER_REACHED or abs(after - before) >= GRIPPER_STILL:
                return
        raise HardwareError(
            f"the gripper stayed at closure {after:.3f} after the command {closure} was executed"
        )

    def home(self, seed: int) -> None:
        if self.config.simulation:
            self._start_simulated_episode(seed)
        elif self._home is None:
            self._home = self._measured_pose()
        self.set_gripper(OPEN)
        if not self.config.simulation:
            self.move_linear(self._home)

    def wait_until_ready(self, timeout: float) -> None:
        """Return once observations arrive and the executor answers a target at the measured
        pose (the arm holds) with OK: its own inputs may come up after it matched ours.

        Raises:
            HardwareError: not ready within ``timeout`` [s]; the message gives the last reason.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._execute(self._measured_pose(), None)
                return
            except (HardwareError, PlanningError) as error:
                if time.monotonic() > deadline:
                    message = f"the graph was not ready in {timeout} s: {error}"
                    raise HardwareError(message) from error
            time.sleep(READY_RETRY)

    # --- waiting -----------------------------------------------------------------------------

    def _clock(self) -> float:
        return self.time

    def _waiting_for(self, condition: Callable[[], bool]) -> Callable[[float], bool]:
        """``wait(seconds)``: True as soon as ``condition()`` holds (checked on every message)."""

        def wait(seconds: float) -> bool:
            with self._changed:
                return self._changed.wait_for(condition, max(seconds, 0.0))

        return wait

    def _grip(self, closure: float, hold: np.ndarray, sampler: Sampler | None) -> float:
        """Command the gripper, have the bridge execute it; the settled closure."""
        self.link.send_gripper(closure)
        self._execute(hold, sampler)
        if not wait_serving_sampler(
            self._waiting_for(self._gripper_still), sampler, GRIPPER_SETTLE_TIMEOUT, self._clock
        ):
            raise HardwareError(
                f"the gripper was still moving {GRIPPER_SETTLE_TIMEOUT} s after its command "
                f"{closure} had been executed"
            )
        return self._latest_closure()

    def _matched(self) -> sync.Observation:
        """The next observation (module docstring); ``HardwareError`` when none comes in time."""
        timeout = self.config.observation_timeout
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                missing = [name for name in self.camera_names if name not in self._intrinsics]
                if missing:
                    reason = f"no camera_info of {missing} yet"
                else:
                    taken = self._sync.take(self.link.now_ns(), after_ns=self._after_ns)
                    if isinstance(taken, sync.Observation):
                        return taken
                    reason = taken.reason
                remaining = deadline - time.monotonic()
                if remaining <= 0.0:
                    raise HardwareError(f"no observation in {timeout} s: {reason}")
                self._changed.wait(remaining)

    def _latest_closure(self) -> float:
        with self._changed:
            if not self._gripper_states:
                raise HardwareError("no gripper state yet: is the robot state published?")
            return self._gripper_states[-1][1]

    def _measured_pose(self) -> np.ndarray:
        return np.array(self._matched().values[EE_POSE], dtype=float)

    def _execute(self, pose: np.ndarray, sampler: Sampler | None) -> None:
        """Send ``pose`` as a target and wait for its result (module docstring)."""
        with self._changed:
            stamp_ns = self.link.now_ns()
            self._awaited_ns, self._result = stamp_ns, None
        self.link.send_target(pose, stamp_ns)
        wait_serving_sampler(
            self._waiting_for(lambda: self._result is not None),
            sampler,
            self.config.motion_timeout,
            self._clock,
        )
        with self._changed:
            result, self._awaited_ns = self._result, None
            if result is not None:
                self._after_ns = result.received_ns
        where = f"target {np.round(pose[:3, 3], 4).tolist()} m"
        if result is None:
            raise HardwareError(
                f"no motion result for the {where} in {self.config.motion_timeout} s: is "
                "moveit_bridge_node running?"
            )
        if not result.succeeded:
            refused = result.message.startswith(_REFUSALS)
            raise (PlanningError if refused else HardwareError)(f"{where}: {result.message}")

    def _gripper_still(self) -> bool:
        """Whether the gripper states since the last motion span ``GRIPPER_WINDOW`` and the
        latest window of them moved less than ``GRIPPER_STILL``."""
        recent = [(s, c) for s, c in self._gripper_states if s > self._after_ns]
        if not recent or recent[-1][0] - recent[0][0] < GRIPPER_WINDOW * sync.NS_PER_S:
            return False
        start = recent[-1][0] - GRIPPER_WINDOW * sync.NS_PER_S
        window = [closure for stamp, closure in recent if stamp >= start]
        return max(window) - min(window) < GRIPPER_STILL

    def _start_simulated_episode(self, seed: int) -> None:
        while True:
            reached = episode_seed(self.link.reset_simulation())
            if reached == seed:
                break
            if reached > seed:
                raise HardwareError(
                    f"sim_node started episode seed {reached}, past the wanted seed {seed}: start "
                    f"sim_node with its parameter seed below {seed}"
                )
        with self._changed:
            self._after_ns = self.link.now_ns()
        self._last_target = None
