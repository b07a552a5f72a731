"""Cell layouts follow the paper's two setups and their configs reject impossible values."""

import math

import numpy as np
import pytest

from arm4r_policy.errors import ConfigError
from arm4r_policy.sim import CellConfig
from arm4r_policy.sim.transforms import make_pose


def _table_top(cell):
    geom = cell.model.geom("table_top")
    return cell.data.geom_xpos[geom.id][2] + geom.size[2]


def test_kinova_base_is_at_shoulder_height_above_a_075m_table(kinova_cell):
    assert 1.0 <= kinova_cell.base_pose[2, 3] <= 1.1
    assert _table_top(kinova_cell) == pytest.approx(0.75)
    site = kinova_cell.data.site("base")
    np.testing.assert_allclose(
        make_pose(site.xmat.reshape(3, 3), site.xpos), kinova_cell.base_pose, atol=1e-12
    )


def test_franka_base_stands_on_the_table_top(franka_cell):
    assert franka_cell.base_pose[2, 3] == pytest.approx(_table_top(franka_cell))
    np.testing.assert_allclose(franka_cell.base_pose[:3, :3], np.eye(3))


@pytest.mark.parametrize("cell_fixture", ["kinova_cell", "franka_cell"])
def test_home_holds_the_gripper_vertically_above_the_table(request, cell_fixture):
    cell = request.getfixturevalue(cell_fixture)
    cell.reset(seed=0)
    tcp = cell.data.site("tcp")
    np.testing.assert_allclose(tcp.xmat.reshape(3, 3)[:, 2], (0, 0, -1), atol=1e-3)
    assert 0.2 < tcp.xpos[2] - _table_top(cell) < 0.6


def test_kinova_cameras_look_over_the_shoulder_and_from_the_table_side(kinova_cell):
    cameras = {camera.name: camera for camera in kinova_cell.config.cameras}
    base = kinova_cell.base_pose[:3, 3]
    ego, side = cameras["ego"], cameras["side"]
    assert ego.position[0] < base[0]
    assert ego.position[2] > base[2]
    half_width = kinova_cell.config.table.size_xy[1] / 2
    assert abs(side.position[1]) > half_width


def test_franka_cameras_are_left_and_right_of_the_workspace(franka_cell):
    cameras = {camera.name: camera for camera in franka_cell.config.cameras}
    assert cameras["left"].position[1] > 0.3 > -0.3 > cameras["right"].position[1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timestep": 0.0}, "timestep"),
        ({"home": (0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0)}, "home"),
        ({"image_size": (0, 480)}, "image_size"),
        ({"msaa_samples": -1}, "msaa_samples"),
    ],
)
def test_invalid_cell_fields_are_named_in_the_error(changes, message):
    with pytest.raises(ConfigError, match=message):
        CellConfig.kinova().replace(**changes)


def test_duplicate_camera_names_are_rejected():
    config = CellConfig.franka()
    with pytest.raises(ConfigError, match="cameras"):
        config.replace(cameras=(config.cameras[0], config.cameras[0]))


def test_kinova_base_is_pitched_forward_20_degrees():
    z_axis = CellConfig.kinova().base_pose[:3, 2]
    np.testing.assert_allclose(
        z_axis, (math.sin(math.radians(20)), 0.0, math.cos(math.radians(20)))
    )
