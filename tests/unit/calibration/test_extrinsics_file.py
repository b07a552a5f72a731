"""The extrinsics file: one camera's entry set, the others kept, a malformed file left alone."""

import numpy as np
import pytest
import yaml

from arm4r_policy.calibration.extrinsics_file import load_extrinsics, save_extrinsics
from arm4r_policy.errors import ConfigError
from arm4r_policy.sim.transforms import make_pose, rot_z

EGO = make_pose(rot_z(0.3), (-0.3, 0.6, 0.8))
SIDE = make_pose(rot_z(-1.2), (0.55, -1.1, 0.4))


def test_saving_creates_the_file_and_reads_back(tmp_path):
    path = tmp_path / "extrinsics.yaml"
    save_extrinsics(path, "side", SIDE)
    assert yaml.safe_load(path.read_text()) == {"side": SIDE.reshape(-1).tolist()}
    np.testing.assert_array_equal(load_extrinsics(str(path), ("side",))["side"], SIDE)
    assert [p.name for p in tmp_path.iterdir()] == ["extrinsics.yaml"]  # no temporary file left


def test_saving_one_camera_keeps_the_others(tmp_path):
    path = tmp_path / "extrinsics.yaml"
    save_extrinsics(path, "ego", EGO)
    save_extrinsics(path, "side", np.eye(4))
    save_extrinsics(path, "side", SIDE)
    poses = load_extrinsics(str(path), ("ego", "side"))
    np.testing.assert_array_equal(poses["ego"], EGO)
    np.testing.assert_array_equal(poses["side"], SIDE)
    assert list(yaml.safe_load(path.read_text())) == ["ego", "side"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"ego": [1.0, 2.0]}, "ego: expected 16 finite numbers"),
        ([1.0, 2.0], "expected a mapping of camera name"),
        ("ego: [1, 2", "cannot be read"),
    ],
)
def test_a_malformed_file_is_named_and_left_as_it_is(tmp_path, content, message):
    path = tmp_path / "extrinsics.yaml"
    text = content if isinstance(content, str) else yaml.safe_dump(content)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"extrinsics file {path}: .*{message}"):
        save_extrinsics(path, "side", SIDE)
    assert path.read_text(encoding="utf-8") == text
