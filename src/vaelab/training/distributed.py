"""One run trained by several processes: ``torchrun`` and ``DistributedDataParallel``.

``torchrun --nproc-per-node N -m vaelab train ...`` starts N processes and gives each its
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; :func:`from_environment` reads them and
:func:`start` joins the process group (gloo on the CPU, NCCL on CUDA, one GPU per local rank).
The :class:`~vaelab.training.trainer.Trainer` then trains one model with all of them:

* every rank draws the same permutation and, at each step, takes its shard of the global batch,
  whose size is the configured batch size, so the run does what one process would do;
* each rank's loss is weighted by its share of the batch before ``DistributedDataParallel``
  averages the gradients, so that they are the global batch's even when the last, short batch
  does not split evenly;
* each step's loss terms are averaged over the ranks (``all_reduce``), weighted the same way,
  so that the history and curve are those of the global batch, and a NaN stops every rank;
* a stop flag goes round each step (:meth:`Distributed.any_stopped`): Ctrl-C or a stop on any
  rank stops all of them between the same two steps, and the run continues later (a pause holds
  the others at that collective, for at most :data:`TIMEOUT`);
* only rank 0 takes the run's lock and writes it (atomically, as a single process does); the
  others read it to continue, so every node must see the runs folder.

What differs from one process is the sampling noise (each rank draws its own) and, for the σ-VAE
with the optimal σ (the batch's RMSE), σ itself, which each rank computes on its shard: losses
match a one-process run within sampling noise, not bit for bit.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import Tensor, nn

from vaelab.errors import ConfigError

#: The variables torchrun sets for each process.
ENV = ("RANK", "WORLD_SIZE", "LOCAL_RANK")
#: How long a rank waits for the others at a collective before giving up (a rank that died).
TIMEOUT = datetime.timedelta(minutes=10)
# Odd multiplier spreading the ranks' noise seeds apart.
_RANK_SEED_STRIDE = 1_000_003


@dataclass(frozen=True)
class Distributed:
    """Where a process stands in a multi-process training.

    Parameters
    ----------
    rank : int
        0 to ``world_size - 1``; rank 0 writes the run.
    world_size : int
        Number of processes training the run.
    local_rank : int
        Rank among the processes of this machine (its GPU on CUDA).
    local_world_size : int
        Processes on this machine.
    """

    rank: int
    world_size: int
    local_rank: int = 0
    local_world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Whether this process is rank 0, the one that writes the run and reports progress."""
        return self.rank == 0

    def shard(self, index: Tensor) -> Tensor:
        """The part of a global batch's indices for this rank (empty when fewer than ranks)."""
        return torch.tensor_split(index, self.world_size)[self.rank]

    def noise_seed(self, seed: int, step: int) -> int:
        """Seed of this rank's noise generator: rank 0 keeps the run's, the others their own."""
        return seed + self.rank * _RANK_SEED_STRIDE + step

    def wrap(self, module: nn.Module, device: torch.device) -> nn.Module:
        """``module`` in ``DistributedDataParallel`` (rank 0's weights are broadcast to all)."""
        ids = [device.index if device.index is not None else 0] if device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=ids)

    def any_stopped(self, stopped: bool, device: torch.device) -> bool:
        """Whether any rank stopped; every rank must call it at the same step."""
        flag = torch.tensor([1.0 if stopped else 0.0], device=device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())

    def mean(
        self, metrics: Mapping[str, float], count: int, total: int, device: torch.device
    ) -> dict[str, float]:
        """The global batch's loss terms from each rank's ``metrics`` over its ``count`` images."""
        names = sorted(metrics)
        values = torch.tensor([metrics[n] * count for n in names], dtype=torch.float64)
        values = values.to(device)
        dist.all_reduce(values)
        return {n: float(v) / total for n, v in zip(names, values.tolist(), strict=True)}


def from_environment(environ: Mapping[str, str] | None = None) -> Distributed | None:
    """The place torchrun gave this process, or ``None`` outside torchrun.

    Raises
    ------
    ConfigError
        If the variables are set but not whole numbers that fit together.
    """
    environ = os.environ if environ is None else environ
    if "WORLD_SIZE" not in environ:
        return None
    try:
        values = {name: int(environ.get(name, "0")) for name in ENV}
        local_world = int(environ.get("LOCAL_WORLD_SIZE", values["WORLD_SIZE"]))
    except ValueError:
        shown = ", ".join(f"{n}={environ.get(n)!r:.20}" for n in ENV)
        raise ConfigError(f"torchrun's variables must be whole numbers, got {shown}") from None
    world, rank, local = values["WORLD_SIZE"], values["RANK"], values["LOCAL_RANK"]
    if not (0 <= rank < world and 0 <= local < max(local_world, 1)):
        raise ConfigError(
            f"RANK must be from 0 to WORLD_SIZE - 1 and LOCAL_RANK below LOCAL_WORLD_SIZE, "
            f"got RANK={rank}, WORLD_SIZE={world}, LOCAL_RANK={local}"
        )
    return Distributed(rank, world, local, local_world)


def start(place: Distributed, device: torch.device) -> torch.device:
    """Join the process group (gloo on the CPU, NCCL on CUDA) and return this rank's device.

    On CUDA each local rank takes its own GPU, ``cuda:<local rank>``.

    Raises
    ------
    ConfigError
        If the device is neither the CPU nor CUDA, or this machine has fewer GPUs than ranks.
    """
    if device.type == "cuda":
        count = torch.cuda.device_count()
        if place.local_rank >= count:
            raise ConfigError(
                f"torchrun started {place.local_world_size} processes on this machine but it has "
                f"{count} CUDA GPU(s); use --nproc-per-node {count} or fewer"
            )
        device = torch.device("cuda", place.local_rank)
        torch.cuda.set_device(device)
        backend = "nccl"
    elif device.type == "cpu":
        backend = "gloo"
    else:
        raise ConfigError(f"torchrun trains on the CPU or CUDA GPUs, not on {device.type}")
    if not dist.is_initialized():
        dist.init_process_group(
            backend, rank=place.rank, world_size=place.world_size, timeout=TIMEOUT
        )
    return device


def finish() -> None:
    """Leave the process group, if this process joined one."""
    if dist.is_initialized():
        dist.destroy_process_group()
