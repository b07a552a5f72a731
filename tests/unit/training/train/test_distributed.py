"""Two CPU processes (gloo) against one process with the same global batch."""

import os
import socket

import pytest
import torch
import torch.multiprocessing as mp

from arm4r_policy.model import ARM4R
from arm4r_training.train import DataRequest, DistributedContext, Recipe, Trainer

from .builders import run_options, small_config, synthetic_factory

WORLD_SIZE = 2
GLOBAL_BATCH = 8


def step_gradients(context: DistributedContext, out) -> dict[str, torch.Tensor]:
    """Gradients of the first optimiser step of a fresh run, as this process sees them."""
    torch.manual_seed(0)
    config = small_config()
    data = synthetic_factory(size=16, masked=False)(config, DataRequest(roots=()))
    recipe = Recipe.preset(3, batch_size=GLOBAL_BATCH, steps=1)
    trainer = Trainer(ARM4R(config), data, recipe, run_options(out), context)
    trainer.accumulate_gradients(next(trainer.step_batches(epoch=0)))
    return {name: p.grad.clone() for name, p in trainer.model.named_parameters()}


def _distributed_worker(rank: int, port: int, out: str) -> None:
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(WORLD_SIZE), LOCAL_RANK=str(rank))  # fmt: skip
    with DistributedContext.from_env("cpu") as context:
        assert (context.rank, context.world_size) == (rank, WORLD_SIZE)
        gradients = step_gradients(context, out)
    torch.save(gradients, os.path.join(out, f"gradients_{rank}.pt"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(90)
def test_two_gloo_processes_compute_the_gradient_of_one_process_with_the_same_global_batch(
    tmp_path,
):
    mp.spawn(_distributed_worker, args=(_free_port(), str(tmp_path)), nprocs=WORLD_SIZE)
    single = step_gradients(DistributedContext(torch.device("cpu")), tmp_path)
    for rank in range(WORLD_SIZE):
        distributed = torch.load(tmp_path / f"gradients_{rank}.pt", weights_only=True)
        assert distributed.keys() == single.keys()
        for name, gradient in single.items():
            assert torch.allclose(distributed[name], gradient, atol=1e-6), (rank, name)
