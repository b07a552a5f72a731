"""The track viz node's extrinsics: the simulated cell's camera placements, or a real arm's file."""

import numpy as np
import pytest
import yaml

from arm4r_policy.errors import ConfigError
from arm4r_policy.nodes.track_viz_parameters import (
    PARAMETERS,
    camera_extrinsics,
    extrinsics_source,
)
from arm4r_policy.sim import CellConfig, SimCell

DEFAULTS = {spec.name: spec.default for spec in PARAMETERS}


@pytest.mark.parametrize("cell", ["kinova", "franka"])
def test_in_sim_the_extrinsics_are_the_simulated_cells(cell):
    extrinsics = camera_extrinsics(DEFAULTS | {"cell": cell})
    with SimCell(getattr(CellConfig, cell)()) as sim:
        assert sorted(extrinsics) == sorted(sim.camera_names)
        for camera in sim.camera_names:
            np.testing.assert_allclose(extrinsics[camera], sim.camera_extrinsics(camera), atol=1e-9)
    assert "simulated" in extrinsics_source(DEFAULTS | {"cell": cell})


def test_a_real_arm_takes_every_camera_of_its_cell_from_the_file(tmp_path):
    path = tmp_path / "extrinsics.yaml"
    poses = {"ego": np.eye(4).ravel().tolist(), "side": (2 * np.eye(4)).ravel().tolist()}
    path.write_text(yaml.safe_dump(poses), encoding="utf-8")
    values = DEFAULTS | {"sim": False, "extrinsics_file": str(path)}
    extrinsics = camera_extrinsics(values)
    np.testing.assert_array_equal(extrinsics["side"], 2 * np.eye(4))
    assert str(path) in extrinsics_source(values)

    path.write_text(yaml.safe_dump({"ego": poses["ego"]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="extrinsics_file: .*side"):
        camera_extrinsics(values)
    with pytest.raises(ConfigError, match="extrinsics_file: expected the camera-to-base poses"):
        camera_extrinsics(values | {"extrinsics_file": ""})


@pytest.mark.parametrize(
    ("name", "value"), [("cell", "ur5"), ("track_length", 0), ("frame_id", " ")]
)
def test_checks_refuse_a_value_outside_what_the_parameter_allows(name, value):
    (spec,) = [spec for spec in PARAMETERS if spec.name == name]
    assert spec.check(value) is not None
