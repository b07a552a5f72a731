"""The policy node's runtime: the control policy of a control checkpoint, the track predictor of
a points checkpoint, and the camera parameters each must match."""

import pytest
import torch

from arm4r_policy.errors import ConfigError
from arm4r_policy.model import ARM4R, Normalizer, save_checkpoint
from arm4r_policy.nodes.policy_parameters import PARAMETERS, input_cameras, load_policy
from arm4r_policy.runtime.policy import Policy
from arm4r_policy.runtime.track_prediction import TrackPredictor

from ..model.builders import small_config

DEFAULTS = {spec.name: spec.default for spec in PARAMETERS}


def checkpoint(directory, **config) -> str:
    torch.manual_seed(0)
    model = ARM4R(small_config(**config))
    dims = model.config.state_dim
    return str(save_checkpoint(directory, model, Normalizer.identity(dims, dims)))


@pytest.fixture(scope="module")
def points_checkpoint(tmp_path_factory):
    return checkpoint(tmp_path_factory.mktemp("points"), mode="points", grid=2)


def test_a_control_checkpoint_runs_the_control_policy(tmp_path):
    policy = load_policy(DEFAULTS | {"checkpoint": checkpoint(tmp_path / "control")})
    assert isinstance(policy, Policy)


def test_torch_threads_sets_the_threads_of_the_forward_pass(tmp_path):
    before = torch.get_num_threads()
    try:
        load_policy(DEFAULTS | {"checkpoint": checkpoint(tmp_path / "c"), "torch_threads": 1})
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_a_points_checkpoint_runs_the_track_predictor(points_checkpoint):
    predictor = load_policy(DEFAULTS | {"checkpoint": points_checkpoint})
    assert isinstance(predictor, TrackPredictor)
    assert predictor.num_points == 4


def test_a_track_camera_that_is_not_one_of_the_cameras_is_refused_by_name(points_checkpoint):
    values = DEFAULTS | {"checkpoint": points_checkpoint, "track_camera": "left"}
    with pytest.raises(ConfigError, match=r"parameter track_camera: .*\['ego', 'side'\].*'left'"):
        load_policy(values)


def test_a_points_checkpoint_still_needs_its_number_of_cameras(points_checkpoint):
    values = DEFAULTS | {"checkpoint": points_checkpoint, "camera_names": ["side"]}
    with pytest.raises(ConfigError, match="parameter camera_names"):
        load_policy(values)


def test_the_cameras_feed_the_slots_in_the_order_the_checkpoint_records(tmp_path):
    directories = ("exterior_image_1_left", "wrist_image_left")
    recorded = checkpoint(tmp_path / "dirs", camera_names=directories)
    values = DEFAULTS | {"checkpoint": recorded, "camera_names": ["ego", "side"]}
    assert input_cameras(values, load_policy(values)) == ("side", "ego")
