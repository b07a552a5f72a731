"""The poses file: end-effector poses by image name, and errors naming the file and the entry."""

import numpy as np
import pytest
import yaml

from arm4r_policy.calibration.ee_poses import load_ee_poses
from arm4r_policy.errors import ConfigError

HALF_TURN_ABOUT_X = [1.0, 0.0, 0.0, 0.0]  # x, y, z, w


def write(path, content):
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), "utf-8")
    return path


def test_poses_are_read_as_end_effector_to_base_transforms(tmp_path):
    path = write(tmp_path / "poses.yaml", {
        "a.png": {"position": [0.4, 0.1, 0.3], "orientation": HALF_TURN_ABOUT_X},
        "b.png": {"position": [0, 0, 1], "orientation": [0, 0, 0, 1]},
    })  # fmt: skip
    poses = load_ee_poses(path)
    assert list(poses) == ["a.png", "b.png"]
    np.testing.assert_allclose(
        poses["a.png"], [[1, 0, 0, 0.4], [0, -1, 0, 0.1], [0, 0, -1, 0.3], [0, 0, 0, 1]], atol=1e-12
    )
    np.testing.assert_allclose(poses["b.png"][:3, 3], [0, 0, 1])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"position": [0.4, 0.1, 0.3]}, "exactly position and orientation"),
        ([0.4, 0.1, 0.3, 0, 0, 0, 1], "exactly position and orientation"),
        ({"position": [0.4, 0.1], "orientation": [0, 0, 0, 1]}, "position = \\[0.4, 0.1\\]"),
        ({"position": [0.4, True, 0.3], "orientation": [0, 0, 0, 1]}, "position = "),
        ({"position": [0.4, 0.1, 0.3], "orientation": [0.1, 0.2, 0.3]}, "orientation = "),
        ({"position": [0.4, 0.1, 0.3], "orientation": [0.1, 0.2, 0.3, 2.0]}, "unit quaternion"),
        ({"position": [0.4, 0.1, ".nan"], "orientation": [0, 0, 0, 1]}, "position = "),
    ],
)
def test_a_malformed_entry_is_an_error_naming_the_file_and_the_entry(tmp_path, entry, message):
    path = write(tmp_path / "poses.yaml", {
        "a.png": {"position": [0.4, 0.1, 0.3], "orientation": [0, 0, 0, 1]}, "b.png": entry,
    })  # fmt: skip
    with pytest.raises(ConfigError, match=f"poses file {path}: b.png: .*{message}"):
        load_ee_poses(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [("a.png: [1, 2", "not valid YAML"), ("[1, 2]", "expected a mapping"), ("", "expected a map")],
)
def test_a_file_that_is_not_a_mapping_is_an_error_naming_it(tmp_path, content, message):
    path = write(tmp_path / "poses.yaml", content)
    with pytest.raises(ConfigError, match=f"poses file {path}.*{message}"):
        load_ee_poses(path)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_ee_poses(tmp_path / "missing.yaml")
