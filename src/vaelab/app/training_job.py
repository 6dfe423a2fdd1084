"""The Train page's training as a background :class:`~vaelab.app.jobs.Job`.

A :class:`TrainingJob` runs :func:`vaelab.training.experiment.train` with a callback that only
writes into a :class:`TrainingProgress`, under a lock; the page redraws from
:meth:`TrainingProgress.snapshot`. Nothing here imports Streamlit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from vaelab.app.jobs import ACTIVE, QUEUE, Job, JobProgress, JobQueue
from vaelab.config import RunConfig
from vaelab.data import ImageDataset
from vaelab.explore.plots import reconstruction_grid
from vaelab.runs import RunStore
from vaelab.training.experiment import TrainOutcome, train
from vaelab.training.trainer import Callback, StepState, Trainer, TrainResult

#: Seconds between two reconstructions of the fixed batch during an epoch.
RECON_INTERVAL_S = 2.0
#: Most points of the per-step loss curves handed to the page (longer curves are averaged).
MAX_CURVE_POINTS = 200
#: Each pixel of the live reconstructions becomes a block this wide, so that the browser does
#: not blur small images when it enlarges them.
GRID_SCALE = 3


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
class TrainingSnapshot:
    """A consistent copy of a training's progress, safe to read without a lock.

    Attributes
    ----------
    status : str
        ``"queued"``, ``"running"``, ``"complete"``, ``"stopped"``, ``"cached"``,
        ``"cancelled"`` (stopped while queued) or ``"error"``.
    queue_position : int
        Jobs ahead of this one while it is queued.
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
class TrainingProgress(JobProgress):
    """What the training thread reports; the page reads :meth:`snapshot`."""

    step: StepState | None = None
    steps: list[dict[str, float]] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    grid: np.ndarray | None = None
    grid_epoch: float = 0.0
    outcome: TrainOutcome | None = None

    def snapshot(self) -> TrainingSnapshot:
        """Return a consistent copy of the progress."""
        with self.lock:
            return TrainingSnapshot(
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

    Runs in the job's thread: it reconstructs the fixed batch itself (every
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
        grid = reconstruction_grid(
            self._originals,
            trainer.reconstruct_fixed_batch(),
            pad_value=1.0,
            scale=GRID_SCALE,
        )
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


class TrainingJob(Job):
    """One training, run when its turn comes.

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
    queue : JobQueue
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
        queue: JobQueue = QUEUE,
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
            control=self.control,
            retrain=self.retrain,
        )
        return {"status": outcome.status, "outcome": outcome}
