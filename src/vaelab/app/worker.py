"""Training in a background thread, reported through a thread-safe progress object.

The page never waits for training: it starts a :class:`TrainingJob` and redraws from
:meth:`TrainingProgress.snapshot` a few times a second. The worker thread never calls Streamlit;
its callback only writes into the progress object, under a lock.

:class:`Job` is the part every background task shares (the Compare page's
:class:`~vaelab.app.compare_job.ComparisonJob` is the other one): a thread, a stop event, a
:class:`JobProgress`, and errors reported instead of raised. Jobs live in a process-wide
:class:`JobRegistry` keyed by browser session and kind of job, so leaving the page or changing a
widget does not stop them. A :class:`TrainingQueue` lets one job use the CPU at a time; the others
wait in order (and can be stopped while they wait) without losing anything.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

from vaelab.config import RunConfig
from vaelab.data import ImageDataset
from vaelab.errors import VaeLabError
from vaelab.explore.plots import image_grid
from vaelab.runs import RunStore
from vaelab.training.experiment import TrainOutcome, train
from vaelab.training.trainer import Callback, StepState, Trainer, TrainResult

log = logging.getLogger(__name__)

#: Statuses of a job that has not finished.
ACTIVE = ("queued", "running")
#: Seconds between two reconstructions of the fixed batch during an epoch.
RECON_INTERVAL_S = 2.0
#: Most points of the per-step loss curves handed to the page (longer curves are averaged).
MAX_CURVE_POINTS = 200
#: Intra-op threads while the app trains. The server and the browser need a core: with every core
#: given to torch, its threads wait on each other whenever one is preempted, and training on two
#: cores ran 5 to 20 times slower while the page redrew.
TRAIN_THREADS = max(1, (os.cpu_count() or 2) - 1)
#: Finished jobs older than this are dropped from the registry when a new job starts.
FORGET_AFTER_S = 3600.0


def comparison_grid(
    originals: torch.Tensor, reconstructions: torch.Tensor, *, pad: int = 2, scale: int = 3
) -> np.ndarray:
    """Originals in the top row, their reconstructions below, as one uint8 image.

    Parameters
    ----------
    originals, reconstructions : torch.Tensor
        Float images in [0, 1], shaped ``(N, C, H, W)``.
    pad : int
        White pixels between images.
    scale : int
        Each pixel becomes a ``scale × scale`` block, so that the browser does not blur small
        images when it enlarges them.

    Returns
    -------
    numpy.ndarray
        ``scale · (2H + 3 pad, N (W + pad) + pad)`` pixels for gray images, with a trailing RGB
        axis otherwise.
    """
    both = torch.cat([originals.detach().cpu().float(), reconstructions.detach().cpu().float()])
    return image_grid(both, nrow=len(originals), padding=pad, pad_value=1.0, scale=scale)


def thin_curve(
    points: list[dict[str, float]], max_points: int = MAX_CURVE_POINTS
) -> list[dict[str, float]]:
    """Average consecutive points so that a curve has at most ``max_points`` points.

    Parameters
    ----------
    points : list of dict
        One dict of floats per step, all with the same keys (``"step"`` among them).
    max_points : int
        Largest number of points returned.

    Returns
    -------
    list of dict
        The points themselves when there are few enough; otherwise means over equal buckets.
    """
    if len(points) <= max_points:
        return list(points)
    size = -(-len(points) // max_points)
    thinned = []
    for start in range(0, len(points), size):
        bucket = points[start : start + size]
        keys = bucket[0].keys()
        thinned.append({k: sum(p.get(k, 0.0) for p in bucket) / len(bucket) for k in keys})
    return thinned


@dataclass(frozen=True)
class ProgressSnapshot:
    """A consistent copy of a job's progress, safe to read without a lock.

    Attributes
    ----------
    status : str
        ``"queued"``, ``"running"``, ``"complete"``, ``"stopped"``, ``"cached"``,
        ``"cancelled"`` (stopped while queued) or ``"error"``.
    queue_position : int
        Trainings ahead of this one while it is queued.
    step : StepState or None
        The latest optimisation step.
    curve : list of dict
        Per-step loss terms (thinned), each with its ``"step"``.
    history : list of dict
        One record per finished epoch, the earlier epochs of a continued run included.
    grid : numpy.ndarray or None
        Fixed test images above their latest reconstructions.
    grid_epoch : float
        Epochs of training behind ``grid`` (fractional within an epoch).
    error : str or None
        Why the training failed.
    outcome : TrainOutcome or None
        The trained run and its model, once finished.
    """

    status: str
    queue_position: int
    step: StepState | None
    curve: list[dict[str, float]]
    history: list[dict[str, float]]
    grid: np.ndarray | None
    grid_epoch: float
    error: str | None
    outcome: TrainOutcome | None

    @property
    def active(self) -> bool:
        """Whether the job is still queued or training."""
        return self.status in ACTIVE


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


@dataclass
class TrainingProgress(JobProgress):
    """What the training thread reports; the page reads :meth:`snapshot`."""

    step: StepState | None = None
    steps: list[dict[str, float]] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    grid: np.ndarray | None = None
    grid_epoch: float = 0.0
    outcome: TrainOutcome | None = None

    def snapshot(self) -> ProgressSnapshot:
        """Return a consistent copy of the progress."""
        with self.lock:
            return ProgressSnapshot(
                status=self.status,
                queue_position=self.queue_position,
                step=self.step,
                curve=thin_curve(self.steps),
                history=list(self.history),
                grid=self.grid,
                grid_epoch=self.grid_epoch,
                error=self.error,
                outcome=self.outcome,
            )


class ProgressCallback(Callback):
    """Writes the trainer's progress into a :class:`TrainingProgress`.

    Runs in the worker thread: it reconstructs the fixed batch itself (every
    :data:`RECON_INTERVAL_S` seconds and at each epoch end), so the page only draws.
    """

    def __init__(
        self, progress: TrainingProgress, recon_interval: float = RECON_INTERVAL_S
    ) -> None:
        self.progress = progress
        self.recon_interval = recon_interval
        self._last_recon = 0.0
        self._originals: torch.Tensor | None = None

    def _reconstruct(self, trainer: Trainer, epoch: float) -> None:
        grid = comparison_grid(self._originals, trainer.reconstruct_fixed_batch())
        self._last_recon = time.monotonic()
        self.progress.update(grid=grid, grid_epoch=epoch)

    def on_train_start(self, trainer: Trainer) -> None:  # noqa: D102
        self._originals = trainer.fixed_batch.float().cpu()
        self.progress.update(status="running", queue_position=0, history=list(trainer.history))
        self._reconstruct(trainer, float(trainer.epochs_done))

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:  # noqa: D102
        point = {"step": float(state.step), **state.metrics}
        with self.progress.lock:
            self.progress.step = state
            self.progress.steps.append(point)
        if time.monotonic() - self._last_recon >= self.recon_interval:
            epoch = state.epoch - 1 + state.step_in_epoch / state.steps_per_epoch
            self._reconstruct(trainer, epoch)

    def on_epoch_end(self, trainer: Trainer, record: dict[str, float]) -> None:  # noqa: D102
        with self.progress.lock:
            self.progress.history.append(dict(record))
        self._reconstruct(trainer, float(trainer.epochs_done))

    def on_train_end(self, trainer: Trainer, result: TrainResult) -> None:  # noqa: D102
        self._reconstruct(trainer, float(trainer.epochs_done))


class TrainingQueue:
    """Lets one job (a training, a comparison) use the CPU at a time; the others wait in order."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: list[object] = []
        self._running: object | None = None

    def wait_turn(self, job: object, stop_event: threading.Event, progress: JobProgress) -> bool:
        """Block until ``job`` may train; ``False`` if ``stop_event`` was set while waiting."""
        with self._cond:
            self._waiting.append(job)
            while self._running is not None or self._waiting[0] is not job:
                if stop_event.is_set():
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
QUEUE = TrainingQueue()


class Job:
    """A CPU-heavy task in its own thread, which waits for its turn in a :class:`TrainingQueue`.

    Subclasses set :attr:`kind` and write :meth:`_work`, which runs in the thread, reports into
    :attr:`progress` and returns its final values. Errors end the job with status ``"error"``
    and a message for the page; they are never raised in the thread.

    Parameters
    ----------
    progress : JobProgress
        What the job reports.
    name : str
        Name of the thread.
    queue : TrainingQueue
        The queue shared by concurrent jobs.
    """

    #: What the job does (``"train"``, ``"compare"``); a session has one job of each kind.
    kind: ClassVar[str]

    def __init__(self, progress: JobProgress, name: str, queue: TrainingQueue) -> None:
        self.progress = progress
        self.queue = queue
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def active(self) -> bool:
        """Whether the job is queued or running."""
        return self.progress.status in ACTIVE

    def start(self) -> Job:
        """Start the thread; returns the job."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop at the next step (or leave the queue); what was learned is saved."""
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end."""
        self.thread.join(timeout)

    def _work(self) -> dict[str, Any]:
        """Do the job (in the thread); return the final values of the progress, status included."""
        raise NotImplementedError

    def _run(self) -> None:
        if not self.queue.wait_turn(self, self.stop_event, self.progress):
            self.progress.update(status="cancelled", finished_at=time.monotonic())
            return
        torch.set_num_threads(TRAIN_THREADS)
        try:
            final = self._work()
        except VaeLabError as exc:
            self.progress.update(status="error", error=str(exc), finished_at=time.monotonic())
        except Exception as exc:  # noqa: BLE001 - the page must show it, not lose it in a thread
            log.exception("%s job %s failed", self.kind, self.thread.name)
            self.progress.update(
                status="error", error=f"{type(exc).__name__}: {exc}", finished_at=time.monotonic()
            )
        else:
            self.progress.update(**final, finished_at=time.monotonic())
        finally:
            self.queue.release(self)


class TrainingJob(Job):
    """One training in its own thread.

    Parameters
    ----------
    config : RunConfig
        What to train (its epochs are the total to reach).
    data : ImageDataset
        The images of ``config``.
    store : RunStore
        Where the run is saved.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    retrain : bool
        Start from scratch even if the run is cached.
    queue : TrainingQueue
        The queue shared by concurrent jobs.
    """

    kind = "train"

    def __init__(
        self,
        config: RunConfig,
        data: ImageDataset,
        store: RunStore,
        *,
        device: str = "auto",
        retrain: bool = False,
        queue: TrainingQueue = QUEUE,
    ) -> None:
        super().__init__(TrainingProgress(), f"vaelab-{config.run_id}", queue)
        self.config = config
        self.data = data
        self.store = store
        self.device = device
        self.retrain = retrain

    @property
    def run_id(self) -> str:
        """Id of the run being trained."""
        return self.config.run_id

    def _work(self) -> dict[str, Any]:
        outcome = train(
            self.config,
            self.data,
            store=self.store,
            device=self.device,
            callbacks=[ProgressCallback(self.progress)],
            stop_event=self.stop_event,
            retrain=self.retrain,
        )
        return {"status": outcome.status, "outcome": outcome}


class JobRegistry:
    """The jobs of every browser session of this process: one per session and kind of job."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], Job] = {}

    def get(self, session: str, kind: str) -> Job | None:
        """Return the latest job of ``kind`` of ``session``, running or finished."""
        with self._lock:
            return self._jobs.get((session, kind))

    def start(self, session: str, job: Job) -> Job:
        """Start ``job`` for ``session``, unless the session already has an active job of its kind.

        Returns
        -------
        Job
            The session's active job of that kind: ``job`` if it was started, else the one
            already running.
        """
        key = (session, job.kind)
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.active:
                return current
            self._forget_old()
            self._jobs[key] = job
        return job.start()

    def forget(self, session: str, kind: str) -> None:
        """Drop the finished job of ``kind`` of ``session`` (an active job is kept)."""
        with self._lock:
            job = self._jobs.get((session, kind))
            if job is not None and not job.active:
                del self._jobs[(session, kind)]

    def active_count(self) -> int:
        """Count the jobs queued or running, every session included."""
        with self._lock:
            return sum(job.active for job in self._jobs.values())

    def stop_all(self, timeout: float = 30.0) -> None:
        """Stop every active job and wait for each to save its run (for shutdowns and tests)."""
        with self._lock:
            jobs = [job for job in self._jobs.values() if job.active]
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(timeout)

    def _forget_old(self) -> None:
        # Sessions that went away leave their finished jobs (and their models) behind.
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            done = job.progress.finished_at
            if done is not None and now - done > FORGET_AFTER_S:
                del self._jobs[key]


#: The process-wide registry. A module global outlives every script rerun of every session.
REGISTRY = JobRegistry()
