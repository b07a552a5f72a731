"""What the ARM4R launch files start, per cell and mode, as plain data.

No launch imports here: the node set and its parameter overrides are decided in this module and
tested anywhere; ``launch_actions`` turns them into launch actions in the ROS image.

Parameters: every node reads its section ``<node name>: ros__parameters`` of the cell's YAML in
``config/`` (the single source), then the overrides below, which come from launch arguments
(an empty argument leaves the YAML's value) and from the mode (``sim``).

Evaluation (``<cell>_eval.launch.py``)
    sim: sim_node, policy_node, moveit_bridge_node (backend sim), track_viz_node.
    hardware: one camera_node per camera of the cell (nodes ``<camera>_camera``),
    robot_state_node (backend passthrough), policy_node, moveit_bridge_node (backend moveit),
    track_viz_node, and the vendor's MoveIt bringup, which also starts the arm's driver.
Collection (``collect.launch.py``)
    The same robot (sim_node, or cameras + robot_state_node + vendor bringup), the bridge and
    collect_node, whose exit ends the launch.

The instruction on ``/arm4r/instruction``: in sim sim_node publishes its task's instruction at
start and at each reset, so ``instruction:=`` is not used there; on a real arm the launch publishes
``instruction:=`` once, latched (transient local), from a publisher that stays alive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TRUE, FALSE = "true", "false"
INSTRUCTION_TOPIC = "/arm4r/instruction"  # arm4r_policy.nodes.topics.INSTRUCTION


@dataclass(frozen=True)
class NodeLaunch:
    """One node process: an arm4r_policy console script, its node name (= its YAML section)
    and the parameters set over the YAML's."""

    executable: str
    name: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VendorLaunch:
    """A launch file of a vendor package (``share/<package>/<path>``) and its arguments."""

    package: str
    path: str
    arguments: Mapping[str, str]


@dataclass(frozen=True)
class Cell:
    """A robot cell: its YAML and cameras, and the vendor bringup of its real arm.

    ``vendor_moveit`` is the vendor's MoveIt launch file. In both cells it also starts the arm's
    ros2_control driver, controllers and robot_state_publisher (ros2_kortex: robot.launch.py
    does what kortex_bringup's gen3.launch.py does and adds move_group, so the two together
    would run two controller managers on one arm; franka_ros2: moveit.launch.py also loads the
    arm's trajectory controller that franka_bringup's franka.launch.py leaves out).
    """

    name: str
    config: str
    cameras: tuple[str, ...]
    vendor_moveit: VendorLaunch

    def vendor_bringup(self, robot_ip: str) -> VendorLaunch:
        """The vendor launch with ``robot_ip`` filled in."""
        arguments = dict(self.vendor_moveit.arguments) | {"robot_ip": robot_ip}
        return VendorLaunch(self.vendor_moveit.package, self.vendor_moveit.path, arguments)


CELLS = {
    "kinova": Cell(
        name="kinova",
        config="kinova.yaml",
        cameras=("ego", "side"),
        vendor_moveit=VendorLaunch(
            "kinova_gen3_7dof_robotiq_2f_85_moveit_config",
            "launch/robot.launch.py",
            {"use_fake_hardware": FALSE, "launch_rviz": FALSE},
        ),
    ),
    "franka": Cell(
        name="franka",
        config="franka.yaml",
        cameras=("left", "right"),
        vendor_moveit=VendorLaunch(
            "franka_fr3_moveit_config",
            "launch/moveit.launch.py",
            {"use_fake_hardware": FALSE, "load_gripper": TRUE},
        ),
    ),
}


def parse_flag(name: str, text: str) -> bool:
    """A launch argument that must be ``true`` or ``false`` (any case)."""
    if text.strip().lower() not in (TRUE, FALSE):
        raise ValueError(f"launch argument {name}:={text!r}; expected true or false")
    return text.strip().lower() == TRUE


def parse_fraction(name: str, text: str) -> float:
    """A launch argument that must be a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value <= 1.0:
        raise ValueError(f"launch argument {name}:={text!r}; expected a number in (0, 1]")
    return value


def parse_count(name: str, text: str) -> int:
    """A launch argument that must be a positive integer."""
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"launch argument {name}:={text!r}; expected a positive integer")
    return int(text)


@dataclass(frozen=True)
class LaunchChoices:
    """The launch arguments, parsed; an empty text keeps the YAML's value.

    ``dry_run`` is None when not given (the YAML decides).
    """

    sim: bool = True
    rviz: bool = False
    robot_ip: str = ""
    checkpoint: str = ""
    text_weights: str = ""
    instruction: str = ""
    dry_run: bool | None = None
    output_dir: str = ""
    episodes: str = ""
    goal_file: str = ""
    speed_scaling: str = ""

    @classmethod
    def from_arguments(cls, arguments: Mapping[str, str]) -> LaunchChoices:
        """From the performed launch arguments; those a launch file does not declare are
        absent and keep their defaults."""
        text = {name: value.strip() for name, value in arguments.items()}
        flags = {name: parse_flag(name, text[name]) for name in ("sim", "rviz") if name in text}
        dry_run = text.get("dry_run", "")
        plain = {
            name: value
            for name, value in text.items()
            if name not in ("sim", "rviz", "dry_run") and name in cls.__dataclass_fields__
        }
        return cls(**flags, **plain, dry_run=parse_flag("dry_run", dry_run) if dry_run else None)

    def require_robot_ip(self, cell: Cell) -> None:
        """Refuse a real-arm launch without the arm's address."""
        if not self.sim and not self.robot_ip:
            raise ValueError(
                f"sim:=false needs robot_ip:=<address of the {cell.name} arm>; got none"
            )


def _given(**values: Any) -> dict[str, Any]:
    """The values that were given (not empty, not None)."""
    return {name: value for name, value in values.items() if value not in ("", None)}


def camera_node_name(camera: str) -> str:
    """The node (and YAML section) of a camera of the cell."""
    return f"{camera}_camera"


def robot_nodes(cell: Cell, choices: LaunchChoices) -> list[NodeLaunch]:
    """The robot's sensors: sim_node in sim, else the cameras and the state node."""
    if choices.sim:
        return [NodeLaunch("sim_node", "sim_node")]
    cameras = [NodeLaunch("camera_node", camera_node_name(camera)) for camera in cell.cameras]
    state = NodeLaunch("robot_state_node", "robot_state_node", {"backend": "passthrough"})
    return [*cameras, state]


def bridge_node(choices: LaunchChoices) -> NodeLaunch:
    overrides: dict[str, Any] = {"backend": "sim" if choices.sim else "moveit"}
    if choices.speed_scaling:
        overrides["speed_scaling"] = parse_fraction("speed_scaling", choices.speed_scaling)
    return NodeLaunch("moveit_bridge_node", "moveit_bridge_node", overrides)


def eval_nodes(cell: Cell, choices: LaunchChoices) -> list[NodeLaunch]:
    """The nodes of an evaluation run."""
    policy = _given(
        checkpoint=choices.checkpoint, text_weights=choices.text_weights, dry_run=choices.dry_run
    )
    return [
        *robot_nodes(cell, choices),
        NodeLaunch("policy_node", "policy_node", policy),
        bridge_node(choices),
        NodeLaunch("track_viz_node", "track_viz_node", {"sim": choices.sim}),
    ]


def collect_nodes(cell: Cell, choices: LaunchChoices) -> list[NodeLaunch]:
    """The nodes of a collection run; collect_node last."""
    collect = {"sim": choices.sim} | _given(
        output_dir=choices.output_dir,
        episodes=parse_count("episodes", choices.episodes) if choices.episodes else None,
        text_weights=choices.text_weights,
        goal_file=choices.goal_file,
    )
    return [
        *robot_nodes(cell, choices),
        bridge_node(choices),
        NodeLaunch("collect_node", "collect_node", collect),
    ]


def published_instruction(choices: LaunchChoices) -> str | None:
    """The instruction the launch publishes: ``instruction:=`` on a real arm, else None."""
    return choices.instruction if not choices.sim and choices.instruction else None
