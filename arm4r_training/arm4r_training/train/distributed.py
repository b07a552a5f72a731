"""Where a training process runs: its device, and its rank among the processes of one run.

One process trains on the CPU or one GPU. Under ``torchrun`` (one or many nodes) each process
reads its rank from the environment torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
MASTER_PORT), joins the process group (gloo on CPU, nccl on CUDA), and trains a
DistributedDataParallel copy of the model on its own GPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from arm4r_policy.errors import ConfigError

DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class DistributedContext:
    """This process's place in the run; a single process is rank 0 of a world of 1."""

    device: torch.device
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes checkpoints, logs and the run summary."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1

    @classmethod
    def from_env(cls, device: str = "auto") -> DistributedContext:
        """Join the process group torchrun describes, or run alone when WORLD_SIZE is unset or 1.

        device: "auto" (CUDA when available), "cpu" or "cuda"; under torchrun a CUDA process
        uses GPU LOCAL_RANK.
        """
        if device not in DEVICES:
            raise ConfigError(f"device: expected one of {DEVICES}, got {device!r}")
        if device == "cuda" and not torch.cuda.is_available():
            raise ConfigError("device: 'cuda' requested but no CUDA device is available")
        use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
        world_size = _env_int("WORLD_SIZE", 1)
        rank, local_rank = _env_int("RANK", 0), _env_int("LOCAL_RANK", 0)
        if use_cuda:
            torch.cuda.set_device(local_rank)
        context = cls(
            device=torch.device("cuda", local_rank) if use_cuda else torch.device("cpu"),
            rank=rank,
            world_size=world_size,
            local_rank=local_rank,
        )
        if context.is_distributed and not dist.is_initialized():
            dist.init_process_group(
                backend="nccl" if use_cuda else "gloo", rank=rank, world_size=world_size
            )
        return context

    def close(self) -> None:
        if self.is_distributed and dist.is_initialized():
            dist.destroy_process_group()

    def __enter__(self) -> DistributedContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def wrap(self, model: nn.Module) -> nn.Module:
        """The module to run forward/backward on: a DDP wrapper when distributed."""
        if not self.is_distributed:
            return model
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=device_ids)

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        """The mean of a tensor over all processes (the tensor itself when alone)."""
        if not self.is_distributed:
            return value
        total = value.detach().clone()
        dist.all_reduce(total)
        return total / self.world_size

    def gather(self, value: Any) -> list[Any]:
        """Every process's ``value`` in rank order; values are pickled between this run's own
        processes, never read from disk."""
        if not self.is_distributed:
            return [value]
        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, value)
        return gathered

    def barrier(self) -> None:
        if self.is_distributed:
            dist.barrier()


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"environment: {name} must be an int, got {raw!r}") from None
