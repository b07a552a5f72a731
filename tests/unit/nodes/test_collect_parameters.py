"""The collect node's parameters: the robot of each cell, the extrinsics and joint names of a
real arm, and the goal file it needs."""

import numpy as np
import pytest
import yaml

from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.collect_parameters import (
    PARAMETERS,
    arm_joint_names,
    collect_request,
    load_extrinsics,
    operator_goal,
    robot_config,
)
from arm4r_policy.sim import CellConfig, SimCell

DEFAULTS = {spec.name: spec.default for spec in PARAMETERS}
FRANKA_FR3 = [f"fr3_joint{i}" for i in range(1, 8)]


def values(**changes):
    return DEFAULTS | changes


@pytest.mark.parametrize("cell", ["kinova", "franka"])
def test_in_sim_the_robot_has_the_simulated_cells_cameras_and_extrinsics(cell):
    config = robot_config(values(cell=cell))
    preset = getattr(CellConfig, cell)()
    with SimCell(preset) as sim:
        assert config.camera_names == sim.camera_names
        for camera in sim.camera_names:
            assert np.allclose(config.extrinsics[camera], sim.camera_extrinsics(camera), atol=1e-9)
        assert config.name == sim.robot.name
    assert config.simulation
    assert arm_joint_names(values(cell=cell)) == preset.robot.chain.joint_names


def test_a_real_arm_takes_its_extrinsics_file_and_joint_names(tmp_path):
    poses = {"left": np.eye(4).ravel().tolist(), "right": (2 * np.eye(4)).ravel().tolist()}
    path = tmp_path / "extrinsics.yaml"
    path.write_text(yaml.safe_dump(poses), encoding="utf-8")
    real = values(cell="franka", sim=False, extrinsics_file=str(path), joint_names=FRANKA_FR3)
    config = robot_config(real)
    assert not config.simulation
    assert np.allclose(config.extrinsics["right"], 2 * np.eye(4))
    assert arm_joint_names(real) == tuple(FRANKA_FR3)


def test_a_real_arm_refuses_missing_or_malformed_extrinsics(tmp_path):
    with pytest.raises(ConfigError, match="extrinsics_file"):
        robot_config(values(sim=False))
    path = tmp_path / "extrinsics.yaml"
    path.write_text(yaml.safe_dump({"ego": np.eye(4).ravel().tolist()}), encoding="utf-8")
    with pytest.raises(ConfigError, match="side: expected 16 finite numbers"):
        load_extrinsics(str(path), ("ego", "side"))


def test_a_real_arm_refuses_a_joint_list_that_is_not_seven_distinct_names():
    with pytest.raises(ConfigError, match="joint_names"):
        arm_joint_names(values(sim=False, joint_names=["a", "b", "c"]))


def test_a_real_arm_needs_its_goal_file(tmp_path):
    with pytest.raises(ConfigError, match="goal_file"):
        operator_goal(values(sim=False))
    with pytest.raises(ConfigError, match="goal_file"):
        operator_goal(values(sim=False, goal_file=str(tmp_path / "missing.yaml")))


def test_the_request_stores_the_chosen_size_and_rate_and_the_cells_fingertip_depth(tmp_path):
    request = collect_request(
        values(output_dir=str(tmp_path), episodes=3, image_width=64, image_height=48, rate_hz=10.0)
    )
    assert (request.out, request.episodes, request.first_seed) == (tmp_path, 3, 1)
    assert request.recorder.image_size == (64, 48)
    assert request.recorder.rate_hz == 10.0
    assert request.fingertip_depth == CellConfig.kinova().robot.gripper.pad_half_size[2]
    assert request.text_weights is None
