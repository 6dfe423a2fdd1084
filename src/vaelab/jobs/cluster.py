"""Jobs on a Ray cluster (``pip install "vaelab[cluster]"``): one actor per job.

Each job is a Ray actor that declares what it needs (``num_cpus`` threads, and a GPU when the
job's device is CUDA, or ``auto`` on a cluster that has GPUs), so Ray places it on a machine
with room and holds it back while there is none. The actor runs the job in one of its threads
(:func:`vaelab.jobs.worker.run_spec`) and keeps its events until the client polls them; stop,
pause, resume and step reach it as actor calls.

Storage is shared: the actor saves the run into the spec's runs folder, so every machine of the
cluster must see the app's runs folder at the same path (an NFS or SMB mount, for instance).
A job whose actor dies (its machine lost, the process killed) is reported as ``("lost", ...)``;
the run keeps its last save.
"""

from __future__ import annotations

import threading
from typing import Any

from vaelab.errors import VaeLabError
from vaelab.jobs.executor import CORES_PER_WORKER, Executor, JobHandle
from vaelab.jobs.spec import Event, JobSpec
from vaelab.jobs.worker import apply_command, lost_message, run_spec
from vaelab.training.control import TrainingControl

#: Calls an actor serves at once: the job itself, then polls and commands beside it.
_CONCURRENCY = 4


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise VaeLabError(
            'running jobs on a Ray cluster needs Ray: pip install "vaelab[cluster]"'
        ) from None
    return ray


class JobActor:
    """Runs one job in a Ray worker process and buffers its events for the client."""

    def __init__(self) -> None:
        self.control = TrainingControl()
        self._lock = threading.Lock()
        self._events: list[Event] = []

    def _emit(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)

    def run(self, spec: JobSpec, threads: int) -> None:
        """Run the job to its end (its events are polled meanwhile)."""
        run_spec(spec, self._emit, self.control, threads)

    def poll(self) -> list[Event]:
        """The events since the last poll."""
        with self._lock:
            events, self._events = self._events, []
        return events

    def send(self, command: str, n: int) -> None:
        """Apply a command to the running job."""
        apply_command(self.control, command, n)
        self._emit(("paused", self.control.paused))


class RayHandle(JobHandle):
    """A job of a :class:`RayExecutor`: its actor, the call running the job, one poll at a time."""

    def __init__(self, spec: JobSpec, actor: Any, run: Any) -> None:
        super().__init__(spec)
        self._actor = actor
        self._run = run
        self._pending_poll = actor.poll.remote()

    def _poll(self) -> list[Event]:
        ray = _ray()
        ended, _ = ray.wait([self._run], timeout=0)
        ready, _ = ray.wait([self._pending_poll], timeout=0)
        if not ended and not ready:
            return []  # the actor is waiting for room, or busy: ask again later
        try:
            events = ray.get(self._pending_poll)
            if ended:
                ray.get(self._run)
                events += ray.get(self._actor.poll.remote())
        except ray.exceptions.RayError as exc:
            ray.kill(self._actor)
            return [("lost", lost_message(self.spec, f"Ray: {type(exc).__name__}"))]
        if ended:
            ray.kill(self._actor)  # frees its CPUs and GPU for the next job
        else:
            self._pending_poll = self._actor.poll.remote()
        return events

    def _send(self, command: str, n: int) -> None:
        self._actor.send.remote(command, n)


def _wants_gpu(device: str, cluster_gpus: float) -> bool:
    return device.startswith("cuda") or (device == "auto" and cluster_gpus >= 1)


class RayExecutor(Executor):
    """Jobs as actors of a Ray cluster.

    Parameters
    ----------
    address : str, optional
        The cluster (``"auto"``, ``"HOST:6379"`` or ``"ray://HOST:10001"``); ``None`` uses the
        Ray already initialised in this process, or starts a local one.
    threads : int
        CPUs each job declares, and its intra-op threads.

    Raises
    ------
    VaeLabError
        If Ray is not installed or the cluster cannot be reached.
    """

    def __init__(self, address: str | None = None, *, threads: int = CORES_PER_WORKER) -> None:
        ray = _ray()
        if not ray.is_initialized():
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise VaeLabError(
                    f"cannot reach the Ray cluster at {address}: {first:.200}"
                ) from None
        self.threads = threads
        self._actor_class = ray.remote(max_concurrency=_CONCURRENCY)(JobActor)

    def submit(self, spec: JobSpec) -> RayHandle:
        """Start an actor for ``spec``; Ray runs it where its CPUs (and GPU) are free."""
        ray = _ray()
        gpus = 1 if _wants_gpu(spec.device, ray.cluster_resources().get("GPU", 0)) else 0
        actor = self._actor_class.options(num_cpus=self.threads, num_gpus=gpus).remote()
        return RayHandle(spec, actor, actor.run.remote(spec, self.threads))
