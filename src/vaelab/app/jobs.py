"""Background jobs of the app: the base class, the queue they wait in, the registry that keeps them.

A page never waits for a CPU-heavy task (a training, a comparison): it starts a :class:`Job` and
redraws from :meth:`Job.snapshot` a few times a second. A job's interface is small so that it can
run anywhere: :meth:`Job.run` does the work in the calling thread, :meth:`Job.stop` asks it to stop
at its next step, :meth:`Job.snapshot` is a consistent copy of its progress. :meth:`Job.start`
runs it in a daemon thread of this process.

The job's code never calls Streamlit: it writes into its :class:`JobProgress`, under a lock, and
reports errors there instead of raising them. A :class:`JobQueue` lets one job use the CPU at a
time; the others wait in order (and can be stopped while they wait) without losing anything.
Jobs live in a process-wide :class:`JobRegistry` keyed by owner (a browser session) and kind of
job, so leaving the page or changing a widget does not stop them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch

from vaelab.errors import VaeLabError
from vaelab.training.control import TrainingControl

log = logging.getLogger(__name__)

#: Statuses of a job that has not finished.
ACTIVE = ("queued", "running")
#: Intra-op threads while the app trains. The server and the browser need a core: with every core
#: given to torch, its threads wait on each other whenever one is preempted, and training on two
#: cores ran 5 to 20 times slower while the page redrew.
TRAIN_THREADS = max(1, (os.cpu_count() or 2) - 1)
#: Finished jobs older than this are dropped from the registry when a new job starts.
FORGET_AFTER_S = 3600.0


@dataclass
class JobProgress:
    """What every job reports, behind a lock; subclasses add their own fields and a snapshot.

    Attributes
    ----------
    status : str
        ``"queued"``, ``"running"``, ``"cancelled"`` (stopped while queued), ``"error"`` or a
        final status of the job's own.
    queue_position : int
        Jobs ahead of this one while it is queued.
    error : str or None
        Why the job failed.
    finished_at : float or None
        :func:`time.monotonic` when the job ended.
    """

    status: str = "queued"
    queue_position: int = 0
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


class JobQueue:
    """Lets one job use the CPU at a time; the others wait in the order they came."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: list[object] = []
        self._running: object | None = None

    def wait_turn(self, job: object, control: TrainingControl, progress: JobProgress) -> bool:
        """Block until ``job`` may run; ``False`` if ``control`` was stopped while waiting.

        While it waits, ``progress.queue_position`` says how many jobs are ahead.
        """
        with self._cond:
            self._waiting.append(job)
            while self._running is not None or self._waiting[0] is not job:
                if control.stopped:
                    self._waiting.remove(job)
                    self._cond.notify_all()
                    return False
                ahead = self._waiting.index(job) + (self._running is not None)
                progress.update(queue_position=ahead)
                self._cond.wait(timeout=0.2)
            self._waiting.pop(0)
            self._running = job
            return True

    def release(self, job: object) -> None:
        """Give the CPU to the next job."""
        with self._cond:
            if self._running is job:
                self._running = None
            self._cond.notify_all()


#: The process-wide queue every job goes through.
QUEUE = JobQueue()


class Job:
    """A CPU-heavy task that waits for its turn in a :class:`JobQueue`, then reports its progress.

    Subclasses set :attr:`kind` and write :meth:`_work`, which reports into :attr:`progress` and
    returns its final values. Errors end the job with status ``"error"`` and a message for the
    page; they are never raised.

    Parameters
    ----------
    progress : JobProgress
        What the job reports.
    name : str
        Name of the job (and of its thread).
    queue : JobQueue
        The queue shared by concurrent jobs.
    """

    #: What the job does (``"train"``, ``"compare"``); an owner has one job of each kind.
    kind: ClassVar[str]

    def __init__(self, progress: JobProgress, name: str, queue: JobQueue) -> None:
        self.progress = progress
        self.name = name
        self.queue = queue
        #: Stops, pauses and steps the job's training.
        self.control = TrainingControl()
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)

    @property
    def active(self) -> bool:
        """Whether the job is queued or running."""
        return self.progress.status in ACTIVE

    def snapshot(self) -> Any:
        """A consistent copy of the job's progress (:meth:`JobProgress.snapshot`)."""
        return self.progress.snapshot()

    def start(self) -> Job:
        """Run the job in its own thread; returns the job."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop at the next step (or leave the queue); what was done so far is kept."""
        self.control.stop()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread of :meth:`start` to end."""
        self.thread.join(timeout)

    def run(self) -> None:
        """Wait for the job's turn, do it, and record how it ended in :attr:`progress`."""
        if not self.queue.wait_turn(self, self.control, self.progress):
            self.progress.update(status="cancelled", finished_at=time.monotonic())
            return
        torch.set_num_threads(TRAIN_THREADS)
        try:
            final = self._work()
        except VaeLabError as exc:
            self.progress.update(status="error", error=str(exc), finished_at=time.monotonic())
        except Exception as exc:  # noqa: BLE001 - the page must show it, not lose it in a thread
            log.exception("%s job %s failed", self.kind, self.name)
            self.progress.update(
                status="error", error=f"{type(exc).__name__}: {exc}", finished_at=time.monotonic()
            )
        else:
            self.progress.update(**final, finished_at=time.monotonic())
        finally:
            self.queue.release(self)

    def _work(self) -> dict[str, Any]:
        """Do the job; return the final values of the progress, status included."""
        raise NotImplementedError


class JobRegistry:
    """The jobs of every owner (browser session) of this process: one per owner and kind."""

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

    def stop_all(self, timeout: float = 30.0) -> None:
        """Stop every active job and wait for each to save its work (for shutdowns and tests)."""
        with self._lock:
            jobs = [job for job in self._jobs.values() if job.active]
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
