import pytest
import torch

from arm4r_policy.model import ARM4R

from .builders import small_config


@pytest.fixture
def small_model() -> ARM4R:
    torch.manual_seed(0)
    return ARM4R(small_config()).eval()
