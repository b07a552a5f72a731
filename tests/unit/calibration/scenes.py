"""MuJoCo scenes that photograph calibration boards, with the ground truth of every image.

A board is built in its own frame (``arm4r_policy.calibration.boards``): printed face at z = 0
facing -z, first inner corner at the origin. Chessboards are box geoms (the dark squares' faces on
the printed plane, the light backing a tenth of a millimetre behind it); a ChArUco board is its
OpenCV image as the texture of a thin box. Boards are drawn only (no contacts, no mass).
"""

import mujoco
import numpy as np

from arm4r_policy.calibration.boards import CharucoBoard, Chessboard
from arm4r_policy.sim.cameras import (
    BRIO_FOVY_DEG,
    flip_camera_axes,
    intrinsics_matrix,
    project_points,
)
from arm4r_policy.sim.cells import CellConfig, build_cell_spec
from arm4r_policy.sim.contacts import make_visual_geom
from arm4r_policy.sim.forward_kinematics import forward_kinematics
from arm4r_policy.sim.names import TCP_SITE
from arm4r_policy.sim.rendering import CameraRenderer
from arm4r_policy.sim.transforms import (
    invert_pose,
    make_pose,
    matrix_to_quat,
    rot_x,
    rot_y,
    rot_z,
    transform_points,
)

WIDTH, HEIGHT = 640, 480
DARK, LIGHT = (0.05, 0.05, 0.05, 1.0), (0.95, 0.95, 0.95, 1.0)
BACKING = 0.0001  # [m] the light backing lies this far behind the printed plane
THICKNESS = 0.004  # [m]
BENCH_CAMERA = "bench"


def _add_box(body, half_size, centre, rgba=None, material=None):
    geom = body.add_geom(type=mujoco.mjtGeom.mjGEOM_BOX, size=half_size, pos=centre)
    if rgba is not None:
        geom.rgba = rgba
    if material is not None:
        geom.material = material
    make_visual_geom(geom)


def add_chessboard(body, board: Chessboard, margin: float) -> None:
    """Dark squares on a light backing; ``margin`` [m] of backing around the squares."""
    s = board.square
    squares_x, squares_y = board.cols + 1, board.rows + 1
    width, height = squares_x * s + 2 * margin, squares_y * s + 2 * margin
    centre = ((squares_x / 2 - 1) * s, (squares_y / 2 - 1) * s)
    _add_box(
        body, (width / 2, height / 2, THICKNESS / 2), (*centre, BACKING + THICKNESS / 2), LIGHT
    )
    for i in range(squares_x):
        for j in range(squares_y):
            if (i + j) % 2 == 0:  # the corner square at the origin is dark
                square_centre = ((i - 0.5) * s, (j - 0.5) * s, BACKING / 2)
                _add_box(body, (s / 2, s / 2, BACKING / 2), square_centre, DARK)


def add_charuco(spec, body, board: CharucoBoard, pixels_per_square: int = 60) -> None:
    """The board's image on the -z face of a thin box, with half a square of white margin."""
    image = board.image(pixels_per_square, margin_squares=0.5)
    rgb = np.ascontiguousarray(np.repeat(image[::-1, :, None], 3, axis=2))
    texture = spec.add_texture(
        name="charuco",
        type=mujoco.mjtTexture.mjTEXTURE_2D,
        width=rgb.shape[1],
        height=rgb.shape[0],
        nchannel=3,
    )
    texture.data = rgb.tobytes()
    material = spec.add_material(name="charuco")
    material.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = "charuco"
    s = board.square
    width, height = (board.cols + 2) * s, (board.rows + 2) * s
    centre = ((board.cols - 1) * s / 2, (board.rows - 1) * s / 2, THICKNESS / 2)
    _add_box(body, (width / 2, height / 2, THICKNESS / 2), centre, material="charuco")


def board_centre(board) -> np.ndarray:
    """The middle of the board's corners (3,) [m], board frame."""
    return np.array([(board.cols - 1) * board.square / 2, (board.rows - 1) * board.square / 2, 0])


class BenchScene:
    """A camera of ``fovy`` at the world origin looking along +z (OpenCV axes = world axes) and a
    board on a mocap body in front of it."""

    def __init__(self, board, fovy_deg: float = BRIO_FOVY_DEG) -> None:
        spec = mujoco.MjSpec()
        spec.visual.quality.offsamples = 4
        world = spec.worldbody
        world.add_camera(
            name=BENCH_CAMERA, quat=matrix_to_quat(flip_camera_axes(np.eye(3))), fovy=fovy_deg
        )
        world.add_light(
            pos=(0.0, 0.0, 0.0),
            dir=(0.0, 0.0, 1.0),
            type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL,
            castshadow=False,
            diffuse=(0.7, 0.7, 0.7),
        )
        body = world.add_body(name="board", mocap=True)
        if isinstance(board, CharucoBoard):
            add_charuco(spec, body, board)
        else:
            add_chessboard(body, board, margin=board.square)
        self.model = spec.compile()
        self.data = mujoco.MjData(self.model)
        self._renderer = CameraRenderer(self.model)

    def render(self, board_pose: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 RGB of the board at ``board_pose`` (4, 4) in the camera frame."""
        self.data.mocap_pos[0] = board_pose[:3, 3]
        self.data.mocap_quat[0] = matrix_to_quat(board_pose[:3, :3])
        mujoco.mj_forward(self.model, self.data)
        return self._renderer.rgb(self.data, BENCH_CAMERA, WIDTH, HEIGHT)

    def close(self) -> None:
        self._renderer.close()


def bench_poses(board, count: int, seed: int) -> list[np.ndarray]:
    """Board-to-camera poses 0.35-0.55 m away, tilted up to 40 deg, all of the board in view."""
    rng = np.random.default_rng(seed)
    k = intrinsics_matrix(BRIO_FOVY_DEG, WIDTH, HEIGHT)
    s = board.square
    x, y = (-s, board.cols * s), (-s, board.rows * s)  # the printed squares' extent
    outline = np.array([(x[i], y[j], 0.0) for i in (0, 1) for j in (0, 1)])
    poses = []
    while len(poses) < count:
        tilt = rot_x(rng.uniform(-0.7, 0.7)) @ rot_y(rng.uniform(-0.7, 0.7))
        rotation = rot_z(rng.uniform(-0.5, 0.5)) @ tilt
        centre = (rng.uniform(-0.15, 0.15), rng.uniform(-0.1, 0.1), rng.uniform(0.35, 0.55))
        pose = make_pose(rotation, centre - rotation @ board_centre(board))
        pixels = project_points(transform_points(pose, outline), k, np.eye(4))
        if np.all(pixels > 5.0) and np.all(pixels < (WIDTH - 5.0, HEIGHT - 5.0)):
            poses.append(pose)
    return poses


class HeldBoardCell:
    """The Kinova cell with a board fixed to the gripper, facing the ``side`` camera at home.

    The board's middle sits ``standoff`` [m] in front of the TCP towards the camera, so the fingers
    never hide it; ``msaa_samples = 4`` smooths its edges like a real lens does.

    Attributes:
        camera_pose: (4, 4) camera-to-base pose of the ``side`` camera, the ground truth.
        board_in_tcp: (4, 4) board-to-TCP pose, the other link a fixed camera's calibration finds.
    """

    CAMERA = "side"

    def __init__(self, board, standoff: float = 0.12) -> None:
        self.config = CellConfig.kinova().replace(msaa_samples=4)
        chain = self.config.robot.chain
        spec = build_cell_spec(self.config)
        home = forward_kinematics(self.config.robot, self.config.home)
        camera = next(c for c in self.config.cameras if c.name == self.CAMERA).opencv_pose()
        base = self.config.base_pose
        board_world = make_pose(
            camera[:3, :3],
            transform_points(base, home.tcp[:3, 3])
            - standoff * camera[:3, 2]
            - camera[:3, :3] @ board_centre(board),
        )
        board_in_flange = invert_pose(base @ home.flange) @ board_world
        self.board_in_tcp = invert_pose(base @ home.tcp) @ board_world
        body = spec.body(chain.flange.name).add_body(
            name="held_board",
            pos=board_in_flange[:3, 3],
            quat=matrix_to_quat(board_in_flange[:3, :3]),
        )
        add_chessboard(body, board, margin=board.square)
        self.model = spec.compile()
        self.data = mujoco.MjData(self.model)
        self._qpos = [self.model.joint(name).qposadr[0] for name in chain.joint_names]
        self._renderer = CameraRenderer(self.model)
        self.base_from_world = invert_pose(self.config.base_pose)
        self.camera_pose = self.base_from_world @ camera

    def render(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H, W, 3) RGB of the ``side`` camera, and the TCP pose (4, 4) in the base frame, at
        joint angles ``q`` (7,) [rad]."""
        self.data.qpos[self._qpos] = q
        mujoco.mj_forward(self.model, self.data)
        tcp = self.data.site(TCP_SITE)
        ee_pose = self.base_from_world @ make_pose(tcp.xmat.reshape(3, 3), tcp.xpos)
        return self._renderer.rgb(self.data, self.CAMERA, WIDTH, HEIGHT), ee_pose

    def close(self) -> None:
        self._renderer.close()
