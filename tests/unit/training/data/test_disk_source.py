"""arm4r-train's data source: what a run's request decides about the windows it is served."""

import pytest

from arm4r_training.data.targets import STATE_NOISE
from arm4r_training.train import DataRequest
from arm4r_training.train.sources import dataset_from_disk
from tests.unit.training.data.builders import control_config


@pytest.mark.parametrize(("asked", "served"), [(None, STATE_NOISE), (0.0, 0.0), (0.02, 0.02)])
def test_the_requested_state_noise_reaches_the_training_windows(control_root, asked, served):
    request = DataRequest(roots=(control_root,), state_noise=asked)
    assert dataset_from_disk(control_config(), request).dataset.state_noise == served
