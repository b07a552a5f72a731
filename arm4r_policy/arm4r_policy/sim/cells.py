"""The two ARM4R robot cells as MuJoCo scenes: Kinova Gen3 on a stand, Franka Panda on a table.

World frame of a cell: origin on the floor, z up, x pointing from the robot into the workspace,
y to the robot's left. The robot base frame (where MoveIt and the real controller express Cartesian
poses) is ``CellConfig.base_pose`` in the world.

- Kinova cell: the Gen3 base 1.05 m above the floor on a stand (human shoulder height, paper
  appendix E), pitched 20 deg forward like the angled shoulder plate of a bimanual stand, beside a
  table with its top at 0.75 m starting 0.2 m in front of the stand, so the arm reaches down onto
  it. The tilt matters: with the published joint_2 limit of +-1.4 rad an upright base 0.3 m above
  the table cannot bring a vertical gripper down to the table top. Cameras: ``ego`` behind and above
  the robot looking over its shoulder at the table, ``side`` at the side of the table.
- Franka cell: the Panda base on the table top (0.75 m), cameras ``left`` and ``right`` of the
  workspace (paper appendix F).

Both use BRIO-like cameras (78 deg diagonal at 640x480, see ``cameras``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import mujoco
import numpy as np

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.cameras import CameraPlacement, flip_camera_axes
from arm4r_policy.sim.contacts import make_scene_geom
from arm4r_policy.sim.menagerie import menagerie_root
from arm4r_policy.sim.names import ROBOT_MOUNT_BODY, TABLE_GEOM
from arm4r_policy.sim.objects import TaskObject
from arm4r_policy.sim.robots import FRANKA_PANDA_HAND, KINOVA_GEN3_2F85, RobotDescription, add_robot
from arm4r_policy.sim.transforms import invert_pose, make_pose, matrix_to_quat, rpy_to_matrix

Vec3 = tuple[float, float, float]
FloatTuple7 = tuple[float, float, float, float, float, float, float]


@dataclass(frozen=True)
class TableConfig:
    """A rectangular table: ``center_xy``, ``size_xy`` in the world, top at ``top_height`` [m]."""

    center_xy: tuple[float, float]
    size_xy: tuple[float, float]
    top_height: float = 0.75
    thickness: float = 0.04

    def __post_init__(self) -> None:
        if min(self.size_xy) <= 0.0 or self.thickness <= 0.0 or self.top_height <= self.thickness:
            raise ConfigError(
                f"TableConfig: size_xy = {self.size_xy}, thickness = {self.thickness}, "
                f"top_height = {self.top_height}; expected positive sizes and a top above its "
                "own thickness"
            )


@dataclass(frozen=True)
class CellConfig:
    """Everything that defines a cell; presets ``CellConfig.kinova()`` and ``CellConfig.franka()``.

    Attributes:
        name: cell name.
        robot: arm + gripper.
        base_position: robot base origin (3,) [m] in the world.
        base_rpy: robot base orientation in the world, URDF roll-pitch-yaw [rad].
        stand: draw a column from the floor up to the base (the Kinova stand).
        home: joint configuration (7,) [rad] at ``reset``.
        table: the work table.
        cameras: the fixed cameras.
        timestep: physics step [s].
        image_size: default render ``(width, height)`` [px]; any other size can be asked for.
        msaa_samples: multisample anti-aliasing per pixel; 0 is off. On a CPU rasteriser 4
            samples make a 640x480 render about 3x slower for slightly smoother edges.
    """

    name: str
    robot: RobotDescription
    base_position: Vec3
    base_rpy: Vec3
    stand: bool
    home: FloatTuple7
    table: TableConfig
    cameras: tuple[CameraPlacement, ...]
    timestep: float = 0.002
    image_size: tuple[int, int] = (640, 480)
    msaa_samples: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.timestep <= 0.01:
            raise ConfigError(f"CellConfig.timestep = {self.timestep}; expected in (0, 0.01] s")
        limits = self.robot.chain.joint_limits
        home = np.asarray(self.home, dtype=float)
        if (
            home.shape != (len(limits),)
            or np.any(home < limits[:, 0])
            or np.any(home > limits[:, 1])
        ):
            raise ConfigError(
                f"CellConfig.home = {self.home}; expected 7 angles within {limits.tolist()}"
            )
        names = [camera.name for camera in self.cameras]
        if not names or len(set(names)) != len(names):
            raise ConfigError(
                f"CellConfig.cameras names = {names}; expected at least one, all distinct"
            )
        if not 0 <= self.msaa_samples <= 16:
            raise ConfigError(f"CellConfig.msaa_samples = {self.msaa_samples}; expected 0..16")
        if len(self.image_size) != 2 or min(self.image_size) <= 0:
            raise ConfigError(
                f"CellConfig.image_size = {self.image_size}; expected positive (width, height)"
            )

    @property
    def base_pose(self) -> np.ndarray:
        """(4, 4) pose of the robot base frame in the world frame (``T_world_base``)."""
        return make_pose(rpy_to_matrix(self.base_rpy), self.base_position)

    def camera_extrinsics(self) -> dict[str, np.ndarray]:
        """Camera name -> (4, 4) camera-to-base pose of each placed camera, OpenCV axes."""
        base_from_world = invert_pose(self.base_pose)
        return {camera.name: base_from_world @ camera.opencv_pose() for camera in self.cameras}

    @classmethod
    def kinova(cls) -> CellConfig:
        """The Kinova cell: Gen3 + 2F-85 on a 1.05 m stand by a 0.75 m table; ``ego`` + ``side``.

        Home: (0, 25, 180, -125, 0, -10, 90) deg puts the TCP at (0.45, 0.001, 1.0) m in the world,
        0.25 m above the table, fingers pointing straight down and closing along the world x axis.
        """
        return cls(
            name="kinova",
            robot=KINOVA_GEN3_2F85,
            base_position=(0.0, 0.0, 1.05),
            base_rpy=(0.0, math.radians(20.0), 0.0),
            stand=True,
            home=tuple(math.radians(a) for a in (0.0, 25.0, 180.0, -125.0, 0.0, -10.0, 90.0)),
            table=TableConfig(center_xy=(0.6, 0.0), size_xy=(0.8, 1.2)),
            cameras=(
                CameraPlacement("ego", position=(-0.3, 0.6, 1.8), target=(0.5, 0.0, 0.75)),
                CameraPlacement("side", position=(0.55, -1.1, 1.3), target=(0.47, 0.0, 0.82)),
            ),
        )

    @classmethod
    def franka(cls) -> CellConfig:
        """The Franka cell: Panda + hand on a 0.75 m table; ``left`` + ``right`` cameras.

        Home is the Panda ``ready`` pose (0, -pi/4, 0, -3pi/4, 0, pi/2, pi/4): TCP at
        (0.307, 0, 0.487) m in the base frame, fingers pointing down.
        """
        return cls(
            name="franka",
            robot=FRANKA_PANDA_HAND,
            base_position=(0.0, 0.0, 0.75),
            base_rpy=(0.0, 0.0, 0.0),
            stand=False,
            home=(0.0, -math.pi / 4, 0.0, -3 * math.pi / 4, 0.0, math.pi / 2, math.pi / 4),
            table=TableConfig(center_xy=(0.35, 0.0), size_xy=(1.2, 1.2)),
            cameras=(
                CameraPlacement("left", position=(1.0, 0.9, 1.6), target=(0.3, 0.0, 0.95)),
                CameraPlacement("right", position=(1.0, -0.9, 1.6), target=(0.3, 0.0, 0.95)),
            ),
        )

    def replace(self, **changes) -> CellConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def new_spec(timestep: float) -> mujoco.MjSpec:
    """An empty model in radians with the physics options of the cells.

    ``implicitfast`` keeps the stiff servos and contacts stable at 2 ms; the elliptic friction cone
    with ``impratio = 10`` makes grasps hold without creeping slip.
    """
    spec = mujoco.MjSpec()
    spec.compiler.degree = False
    spec.option.timestep = timestep
    spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
    spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
    spec.option.impratio = 10.0
    return spec


def _add_box(body: mujoco.MjsBody, name: str, half_size: Vec3, pos: Vec3, rgba) -> None:
    geom = body.add_geom(
        name=name, type=mujoco.mjtGeom.mjGEOM_BOX, size=half_size, pos=pos, rgba=rgba
    )
    make_scene_geom(geom)


def _add_sky(spec: mujoco.MjSpec) -> None:
    spec.add_texture(
        name="sky",
        type=mujoco.mjtTexture.mjTEXTURE_SKYBOX,
        builtin=mujoco.mjtBuiltin.mjBUILTIN_GRADIENT,
        rgb1=(0.85, 0.87, 0.9),
        rgb2=(0.55, 0.58, 0.62),
        width=64,
        height=64,
    )


def _add_environment(world: mujoco.MjsBody, config: CellConfig) -> None:
    """Floor, lights, table with legs and (Kinova) the stand."""
    floor = world.add_geom(name="floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=(3.0, 3.0, 0.05))
    floor.rgba = (0.55, 0.55, 0.57, 1.0)
    make_scene_geom(floor)
    for pos, direction in (
        ((0.4, 0.0, 3.0), (0.0, 0.0, -1.0)),
        ((-1.0, -1.5, 2.5), (0.4, 0.6, -0.7)),
    ):
        world.add_light(
            pos=pos,
            dir=direction,
            type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL,
            castshadow=False,
            diffuse=(0.6, 0.6, 0.6),
        )
    table = config.table
    (cx, cy), (sx, sy) = table.center_xy, table.size_xy
    wood = (0.62, 0.5, 0.38, 1.0)
    top_z = table.top_height - table.thickness / 2
    _add_box(world, TABLE_GEOM, (sx / 2, sy / 2, table.thickness / 2), (cx, cy, top_z), wood)
    leg_half_height = (table.top_height - table.thickness) / 2
    for index, (dx, dy) in enumerate(((1, 1), (1, -1), (-1, 1), (-1, -1))):
        pos = (cx + dx * (sx / 2 - 0.05), cy + dy * (sy / 2 - 0.05), leg_half_height)
        _add_box(world, f"table_leg_{index}", (0.025, 0.025, leg_half_height), pos, wood)
    if config.stand:
        bx, by, bz = config.base_position
        _add_box(world, "stand", (0.07, 0.07, bz / 2), (bx, by, bz / 2), (0.25, 0.25, 0.27, 1.0))


def _add_cameras(world: mujoco.MjsBody, cameras: Sequence[CameraPlacement]) -> None:
    for camera in cameras:
        pose = camera.opencv_pose()
        world.add_camera(
            name=camera.name,
            pos=pose[:3, 3],
            quat=matrix_to_quat(flip_camera_axes(pose[:3, :3])),
            fovy=camera.fovy_deg,
        )


def build_cell_spec(config: CellConfig, objects: Sequence[TaskObject] = ()) -> mujoco.MjSpec:
    """The uncompiled model of a cell with its task objects.

    Visual meshes come from ``ARM4R_MENAGERIE`` when set (see ``menagerie``), else primitives only.

    Raises:
        ConfigError: two objects share a name.
    """
    names = [obj.name for obj in objects]
    if len(set(names)) != len(names):
        raise ConfigError(f"task object names {names}; expected all distinct")
    spec = new_spec(config.timestep)
    spec.modelname = f"arm4r_{config.name}"
    spec.visual.quality.offsamples = config.msaa_samples
    world = spec.worldbody
    _add_sky(spec)
    _add_environment(world, config)
    _add_cameras(world, config.cameras)
    root = menagerie_root()
    meshes = config.robot.menagerie_meshes(root) if root is not None else {}
    base = config.base_pose
    mount = world.add_body(
        name=ROBOT_MOUNT_BODY, pos=base[:3, 3], quat=matrix_to_quat(base[:3, :3])
    )
    add_robot(spec, mount, config.robot, meshes)
    for obj in objects:
        obj.add_to(world)
    return spec
