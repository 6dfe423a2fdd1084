"""How many threads to train with, and how they wait, so that a busy machine does not stall them.

PyTorch splits each CPU operation across its OpenMP threads, which meet at a barrier after every
one. By default GNU OpenMP (libgomp, the runtime of PyTorch's Linux wheels) has a thread that
reaches the barrier first spin for about 300,000 turns before sleeping. On an idle machine that
saves a wake-up; on a busy one, the spinning thread burns the time slice that the peer it waits
for needs, and training collapses. Measured on a 2-core machine shared with other work (load 8 to
11), the default model at batch 64:

=============================================  ==========
setting                                        images/s
=============================================  ==========
1 thread                                       290 – 430
2 threads, OpenMP's default wait               45 – 54
2 threads, ``GOMP_SPINCOUNT=10000``            167
2 threads, ``GOMP_SPINCOUNT=1000``             354
2 threads, ``OMP_WAIT_POLICY=PASSIVE``         292 – 303
=============================================  ==========

A short spin (:data:`OPENMP_WAIT`: 1,000 turns, a few microseconds; LLVM's OpenMP, on macOS,
sleeps at once) keeps every core in use on an idle machine and falls back to sleeping before it
steals a busy machine's time. OpenMP reads these settings once, when PyTorch loads it, so
:func:`configure_openmp` must run before ``import torch``; like the allocator setting
(:mod:`vaelab.training.memory`), it is the host program's choice: the command line and the app's
launcher make it, the library never does. Settings already in the environment are kept.

With several trainings at once on one machine, :func:`threads_for_workers` splits the cores
between them, so that their threads do not compete for the same cores.
"""

from __future__ import annotations

import os
import sys

#: OpenMP's wait settings, unless the environment already has them: spin briefly (GNU OpenMP),
#: then sleep; LLVM/Intel OpenMP sleep at once.
OPENMP_WAIT = {"GOMP_SPINCOUNT": "1000", "KMP_BLOCKTIME": "0"}


def configure_openmp() -> bool:
    """Put :data:`OPENMP_WAIT` in the environment, for this process and the ones it starts.

    Call it from the program that owns the process, before ``import torch``. Variables already
    set (by the user) are left as they are.

    Returns
    -------
    bool
        Whether it was in time: ``False`` when torch is already imported (the settings are still
        put in the environment, for the processes this one starts).
    """
    for name, value in OPENMP_WAIT.items():
        os.environ.setdefault(name, value)
    return "torch" not in sys.modules


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def threads_for_workers(n_workers: int) -> int:
    """Intra-op threads for each of ``n_workers`` trainings running at once on this machine.

    Parameters
    ----------
    n_workers : int
        Trainings running at the same time, at least 1.

    Returns
    -------
    int
        An equal share of :func:`available_cores`, at least 1: every core for a single training.

    Raises
    ------
    ValueError
        If ``n_workers`` is not a whole number of at least 1.
    """
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers must be a whole number of at least 1, got {n_workers!r:.40}")
    return max(1, available_cores() // n_workers)
