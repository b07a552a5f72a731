import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """The tiny models of these tests run fastest on one thread: a second one only waits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
