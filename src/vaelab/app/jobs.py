"""Background jobs of the app: the client of an executor, and the registry that keeps them.

A page never waits for a CPU-heavy task (a training, a comparison): it starts a :class:`Job` and
redraws from :meth:`Job.snapshot` a few times a second. The work itself runs elsewhere: the job
submits its spec to an executor (:mod:`vaelab.jobs`: worker processes of this machine, or a Ray
cluster when ``VAELAB_RAY_ADDRESS`` is set), and a small thread of this process turns the
worker's events into the job's :class:`JobProgress`, under a lock. The web server only draws.

:attr:`Job.control` takes stop, pause, resume and step(n): it records each command at once (so
the page can show it) and forwards it to the worker. Errors end the job with status ``"error"``
and a message for the page; they are never raised. Jobs live in a process-wide
:class:`JobRegistry` keyed by owner (a browser) and kind of job, so leaving the page or changing
a widget does not stop them, and an owner only ever reaches its own jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vaelab.errors import VaeLabError
from vaelab.jobs import Executor, JobHandle, JobSpec, executor_from_env
from vaelab.jobs.spec import COMMANDS
from vaelab.training.control import TrainingControl

log = logging.getLogger(__name__)

#: Statuses of a job that has not finished.
ACTIVE = ("queued", "running")
#: Finished jobs older than this are dropped from the registry when a new job starts.
FORGET_AFTER_S = 3600.0
#: Seconds between two reads of a job's events: the page redraws less often than this.
POLL_INTERVAL_S = 0.1

_executor: Executor | None = None
_executor_lock = threading.Lock()


def executor() -> Executor:
    """The process-wide executor of the app, made on first use from the environment.

    Raises
    ------
    VaeLabError
        If ``VAELAB_WORKERS`` is not allowed, or the Ray cluster cannot be used.
    """
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = executor_from_env()
        return _executor


@dataclass
class JobProgress:
    """What every job reports, behind a lock; subclasses add their own fields and a snapshot.

    Attributes
    ----------
    status : str
        ``"queued"``, ``"running"``, ``"cancelled"`` (stopped while queued), ``"error"`` or a
        final status of the job's own.
    queue_position : int
        Jobs that must end before this one starts, while it is queued.
    paused : bool
        Whether the worker holds between two steps (as it last said).
    error : str or None
        Why the job failed.
    finished_at : float or None
        :func:`time.monotonic` when the job ended.
    """

    status: str = "queued"
    queue_position: int = 0
    paused: bool = False
    error: str | None = None
    finished_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, **values: Any) -> None:
        """Set attributes atomically."""
        with self.lock:
            for name, value in values.items():
                setattr(self, name, value)

    def snapshot(self) -> Any:
        """A consistent copy of the progress, safe to read without the lock (each job's own)."""
        raise NotImplementedError


class JobControl(TrainingControl):
    """The server's side of a job's control: records each command and forwards it to the worker.

    Its state (:attr:`stopped`, :attr:`paused`) is what was asked; the snapshot's ``paused`` is
    what the worker did.
    """

    def __init__(self, send: Callable[[str, int], None]) -> None:
        super().__init__()
        self._send = send

    def stop(self) -> None:  # noqa: D102
        super().stop()
        self._send("stop", 1)

    def pause(self) -> None:  # noqa: D102
        super().pause()
        self._send("pause", 1)

    def resume(self) -> None:  # noqa: D102
        super().resume()
        self._send("resume", 1)

    def step(self, n: int = 1) -> None:  # noqa: D102
        super().step(n)
        self._send("step", n)


class Job:
    """A CPU-heavy task run by an executor, whose events a thread of this process records.

    Subclasses set :attr:`kind` and write :meth:`spec` (what to run), :meth:`_report` (their
    own events) and :meth:`_final` (the final values of the progress).

    Parameters
    ----------
    progress : JobProgress
        What the job reports.
    name : str
        Name of the job (and of its thread).
    executor : Executor, optional
        Where it runs (default: the app's, :func:`executor`).
    """

    #: What the job does (``"train"``, ``"compare"``); an owner has one job of each kind.
    kind: ClassVar[str]

    def __init__(self, progress: JobProgress, name: str, executor: Executor | None) -> None:
        self.progress = progress
        self.name = name
        self._executor = executor
        #: The job in its executor, once started.
        self.handle: JobHandle | None = None
        #: Stops, pauses and steps the job, from any thread.
        self.control = JobControl(self._send)
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)

    @property
    def active(self) -> bool:
        """Whether the job is queued or running."""
        return self.progress.status in ACTIVE

    def spec(self) -> JobSpec:
        """What the executor runs."""
        raise NotImplementedError

    def snapshot(self) -> Any:
        """A consistent copy of the job's progress (:meth:`JobProgress.snapshot`)."""
        return self.progress.snapshot()

    def start(self) -> Job:
        """Submit the job and follow its events in a thread; returns the job."""
        try:
            self.handle = (self._executor or executor()).submit(self.spec())
        except VaeLabError as exc:
            self._end(status="error", error=str(exc))
            return self
        if self.control.paused:
            self.handle.send("pause")
        if self.control.stopped:
            self.handle.send("stop")
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop at the next step (or leave the queue); what was done so far is kept."""
        self.control.stop()

    def pause(self) -> None:
        """Hold between two steps; nothing is lost."""
        self.control.pause()

    def resume(self) -> None:
        """Run freely again after :meth:`pause` or :meth:`step`."""
        self.control.resume()

    def step(self, n: int = 1) -> None:
        """While paused, run ``n`` more steps, then hold again."""
        self.control.step(n)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the job to end (once started)."""
        if self.thread.is_alive():
            self.thread.join(timeout)

    def run(self) -> None:
        """Record the job's events until its final one."""
        try:
            while self.handle.alive:
                for kind, value in self.handle.poll():
                    self._apply(kind, value)
                time.sleep(POLL_INTERVAL_S)
        except Exception as exc:  # noqa: BLE001 - the page must show it, not lose it in a thread
            log.exception("%s job %s failed", self.kind, self.name)
            self._end(status="error", error=f"{type(exc).__name__}: {exc}")

    def _send(self, command: str, n: int) -> None:
        if self.handle is not None:
            self.handle.send(command, n)

    def _end(self, **values: Any) -> None:
        self.progress.update(**values, paused=False, finished_at=time.monotonic())

    def _apply(self, kind: str, value: Any) -> None:
        if kind == "queued":
            self.progress.update(status="queued", queue_position=value)
        elif kind == "running":
            self.progress.update(status="running", queue_position=0)
            self._report(kind, value)
        elif kind == "paused":
            self.progress.update(paused=value)
        elif kind in ("error", "lost"):
            self._end(status="error", error=value)
        elif kind == "cancelled":
            self._end(status="cancelled")
        elif kind == "done":
            try:
                final = self._final(value)
            except VaeLabError as exc:
                final = {"status": "error", "error": str(exc)}
            self._end(**final)
        else:
            self._report(kind, value)

    def _report(self, kind: str, value: Any) -> None:
        """Record one of the job's own events."""

    def _final(self, value: Any) -> dict[str, Any]:
        """The final values of the progress, status included, from the ``"done"`` event."""
        raise NotImplementedError


class JobRegistry:
    """The jobs of every owner (browser) of this process: one per owner and kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], Job] = {}

    def get(self, owner: str, kind: str) -> Job | None:
        """Return the latest job of ``kind`` of ``owner``, running or finished."""
        with self._lock:
            return self._jobs.get((owner, kind))

    def start(self, owner: str, job: Job) -> Job:
        """Start ``job`` for ``owner``, unless the owner already has an active job of its kind.

        Returns
        -------
        Job
            The owner's active job of that kind: ``job`` if it was started, else the one
            already running.
        """
        key = (owner, job.kind)
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.active:
                return current
            self._forget_old()
            self._jobs[key] = job
        return job.start()

    def send(self, owner: str, kind: str, command: str, n: int = 1) -> bool:
        """Stop, pause, resume or step ``owner``'s job of ``kind``; never another owner's.

        Returns
        -------
        bool
            Whether ``owner`` has an active job of that kind to take the command.

        Raises
        ------
        ValueError
            If ``command`` is not ``"stop"``, ``"pause"``, ``"resume"`` or ``"step"``.
        """
        if command not in COMMANDS:
            raise ValueError(f"unknown job command {command!r:.40}; use {', '.join(COMMANDS)}")
        job = self.get(owner, kind)
        if job is None or not job.active:
            return False
        if command == "step":
            job.step(n)
        else:
            getattr(job, command)()
        return True

    def active_jobs(self) -> list[tuple[str, Job]]:
        """Every queued or running job, with its owner (show an owner only its own controls)."""
        with self._lock:
            return [(owner, job) for (owner, _), job in self._jobs.items() if job.active]

    def stop_all(self, timeout: float = 30.0) -> None:
        """Stop every active job and wait for each to save its work (for shutdowns and tests)."""
        jobs = [job for _, job in self.active_jobs()]
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(timeout)

    def _forget_old(self) -> None:
        # Owners that went away leave their finished jobs (and their models) behind.
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            done = job.progress.finished_at
            if done is not None and now - done > FORGET_AFTER_S:
                del self._jobs[key]


#: The process-wide registry. A module global outlives every script rerun of every session.
REGISTRY = JobRegistry()
