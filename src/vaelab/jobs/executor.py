"""The one interface of every executor, and the choice of executor from the environment.

An :class:`Executor` takes a job spec and returns a :class:`JobHandle` at once; the job waits
for room, runs somewhere else (a worker process, a Ray actor) and reports through
:meth:`JobHandle.poll`. ``VAELAB_RAY_ADDRESS`` picks the Ray cluster
(:class:`vaelab.jobs.cluster.RayExecutor`); otherwise jobs run in worker processes of this machine
(:class:`vaelab.jobs.local.LocalExecutor`), ``VAELAB_WORKERS`` of them at once.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping

from vaelab.errors import ConfigError
from vaelab.jobs.spec import COMMANDS, FINAL, Event, JobSpec
from vaelab.training.threads import available_cores

#: Environment variable naming the Ray cluster to submit jobs to (``ray://host:10001``, ``auto``).
RAY_ADDRESS_ENV = "VAELAB_RAY_ADDRESS"
#: Environment variable setting how many local workers train at once.
WORKERS_ENV = "VAELAB_WORKERS"
#: Most local workers a machine may be asked to run.
MAX_WORKERS = 256
#: Memory set aside for each local worker: torch, a dataset the size of CIFAR-10 as uint8
#: tensors and their float batches, a model and its optimiser fit in it with room to spare.
WORKER_MEMORY = 2 * 1024**3
#: Cores each local worker is given by default: two threads keep a small conv net busy, and a
#: machine with few cores still trains one job at full speed.
CORES_PER_WORKER = 2


class JobHandle(ABC):
    """A submitted job: its events, its commands, whether it has ended.

    Parameters
    ----------
    spec : TrainSpec or CompareSpec
        The job.
    """

    def __init__(self, spec: JobSpec) -> None:
        self.spec = spec
        #: The job's final event, once :meth:`poll` returned it.
        self.final: Event | None = None
        #: Events :meth:`wait` received after the one it stopped at, for the next call.
        self._unread: list[Event] = []

    @property
    def alive(self) -> bool:
        """Whether the job may still report (queued or running)."""
        return self.final is None

    def poll(self) -> list[Event]:
        """The events reported since the last call, without waiting; the final one last.

        Call it from one thread. Once the final event is returned, the list is always empty.
        """
        events, self._unread = self._unread, []
        if self.final is not None:
            return events
        events += self._poll()
        for event in events:
            if event[0] in FINAL:
                self.final = event
                return events[: events.index(event) + 1]
        return events

    def wait(
        self,
        timeout: float | None = None,
        until: Callable[[Event], bool] | None = None,
        interval: float = 0.05,
    ) -> list[Event]:
        """Poll until the job ends, or until ``until(event)`` holds; the events seen meanwhile.

        The last event returned is the final one, or the one ``until`` accepted; the events
        that came after it are kept for the next :meth:`poll` or :meth:`wait`.

        Raises
        ------
        TimeoutError
            If neither happened within ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        events: list[Event] = []
        while True:
            batch = self.poll()
            for index, event in enumerate(batch):
                events.append(event)
                if until is not None and until(event):
                    self._unread = batch[index + 1 :]
                    return events
            if not self.alive:
                return events
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.spec.name}: nothing awaited within {timeout:g} s")
            time.sleep(interval)

    def send(self, command: str, n: int = 1) -> None:
        """Send one of :data:`~vaelab.jobs.spec.COMMANDS` (``step`` runs ``n`` steps).

        Raises
        ------
        ValueError
            If ``command`` is not one of them.
        """
        if command not in COMMANDS:
            raise ValueError(f"unknown job command {command!r:.40}; use {', '.join(COMMANDS)}")
        if self.alive:
            self._send(command, n)

    @abstractmethod
    def _poll(self) -> list[Event]: ...

    @abstractmethod
    def _send(self, command: str, n: int) -> None: ...


class Executor(ABC):
    """Runs jobs somewhere else and hands back a :class:`JobHandle` for each."""

    @abstractmethod
    def submit(self, spec: JobSpec) -> JobHandle:
        """Queue ``spec`` and return its handle at once."""


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # not on this system (Windows)
        return None


def default_workers() -> int:
    """Local workers this machine has room for: a worker per :data:`CORES_PER_WORKER` cores.

    Capped by memory (:data:`WORKER_MEMORY` each) and at least one.
    """
    workers = available_cores() // CORES_PER_WORKER
    memory = _physical_memory()
    if memory is not None:
        workers = min(workers, memory // WORKER_MEMORY)
    return int(max(1, workers))


def workers_from_env(environ: Mapping[str, str] = os.environ) -> int:
    """``VAELAB_WORKERS`` when set, else :func:`default_workers`.

    Raises
    ------
    ConfigError
        If the variable is not a whole number from 1 to :data:`MAX_WORKERS`.
    """
    text = environ.get(WORKERS_ENV, "").strip()
    if not text:
        return default_workers()
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise ConfigError(
            f"{WORKERS_ENV} must be a whole number from 1 to {MAX_WORKERS}, got {text!r:.40}"
        )
    return int(text)


def executor_from_env(environ: Mapping[str, str] = os.environ) -> Executor:
    """The Ray cluster of ``VAELAB_RAY_ADDRESS`` when set, else local worker processes.

    Raises
    ------
    ConfigError
        If ``VAELAB_WORKERS`` is not allowed.
    VaeLabError
        If Ray is asked for but not installed, or its cluster cannot be reached.
    """
    address = environ.get(RAY_ADDRESS_ENV, "").strip()
    if address:
        from vaelab.jobs.cluster import RayExecutor

        return RayExecutor(address)
    from vaelab.jobs.local import LocalExecutor

    return LocalExecutor(workers_from_env(environ))
