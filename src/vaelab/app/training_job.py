"""The Train page's training as a background :class:`~vaelab.app.jobs.Job`.

A :class:`TrainingJob` submits a :class:`~vaelab.jobs.TrainSpec` to the app's executor; the
worker trains with :func:`vaelab.training.experiment.train` and reports its steps, epochs, live
reconstructions and latent map, which the job records into a :class:`TrainingProgress`; the
page redraws from :meth:`TrainingProgress.snapshot`. Nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vaelab.app.jobs import ACTIVE, Job, JobProgress
from vaelab.config import RunConfig
from vaelab.data import ImageDataset
from vaelab.jobs import Executor, TrainDone, TrainSpec
from vaelab.runs import RunStore
from vaelab.training.experiment import TrainOutcome
from vaelab.training.trainer import StepState

#: Most points of the per-step loss curves handed to the page (longer curves are averaged).
MAX_CURVE_POINTS = 200


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
        Jobs that must end before this one starts, while it is queued.
    paused : bool
        Whether the training holds between two steps.
    config : RunConfig
        The job's settings, so that a reloaded page can show them.
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
    latent : numpy.ndarray or None
        ``(n, 2)`` ``float32`` points of a fixed batch of test images on the live latent map
        (:class:`vaelab.explore.live_map.LatentTracker`).
    latent_labels : numpy.ndarray or None
        ``(n,)`` class of each point, or ``None`` for unlabelled images.
    latent_epoch : float
        Epochs of training behind ``latent``.
    latent_centre : tuple of float
        Where the origin of the latent space lands on the map: the centre of the prior's rings.
    error : str or None
        Why the training failed.
    outcome : TrainOutcome or None
        The trained run and its model, once finished.
    """

    status: str
    queue_position: int
    paused: bool
    config: RunConfig
    step: StepState | None
    curve: list[dict[str, float]]
    history: list[dict[str, float]]
    grid: np.ndarray | None
    grid_epoch: float
    latent: np.ndarray | None
    latent_labels: np.ndarray | None
    latent_epoch: float
    latent_centre: tuple[float, float]
    error: str | None
    outcome: TrainOutcome | None

    @property
    def active(self) -> bool:
        """Whether the job is still queued or training."""
        return self.status in ACTIVE


@dataclass
class TrainingProgress(JobProgress):
    """What the training's events say; the page reads :meth:`snapshot`."""

    config: RunConfig | None = None
    step: StepState | None = None
    steps: list[dict[str, float]] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    grid: np.ndarray | None = None
    grid_epoch: float = 0.0
    latent: np.ndarray | None = None
    latent_labels: np.ndarray | None = None
    latent_epoch: float = 0.0
    latent_centre: tuple[float, float] = (0.0, 0.0)
    outcome: TrainOutcome | None = None

    def snapshot(self) -> TrainingSnapshot:
        """Return a consistent copy of the progress."""
        with self.lock:
            return TrainingSnapshot(
                status=self.status,
                queue_position=self.queue_position,
                paused=self.paused,
                config=self.config,
                step=self.step,
                curve=thin_curve(self.steps),
                history=list(self.history),
                grid=self.grid,
                grid_epoch=self.grid_epoch,
                latent=self.latent,
                latent_labels=self.latent_labels,
                latent_epoch=self.latent_epoch,
                latent_centre=self.latent_centre,
                error=self.error,
                outcome=self.outcome,
            )


class TrainingJob(Job):
    """One training, run by the app's executor when there is room.

    Parameters
    ----------
    config : RunConfig
        What to train (its epochs are the total to reach).
    data : ImageDataset
        The images of ``config``.
    store : RunStore
        Where the run is saved (by the worker, which must see the same folder).
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    retrain : bool
        Start from scratch even if the run is cached.
    executor : Executor, optional
        Where it runs (default: the app's, :func:`vaelab.app.jobs.executor`).
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
        executor: Executor | None = None,
    ) -> None:
        super().__init__(TrainingProgress(config=config), f"vaelab-{config.run_id}", executor)
        self.config = config
        self.data = data
        self.store = store
        self.device = device
        self.retrain = retrain

    @property
    def run_id(self) -> str:
        """Id of the run being trained."""
        return self.config.run_id

    def spec(self) -> TrainSpec:  # noqa: D102
        return TrainSpec(
            self.config, self.data, self.store.root.resolve(), self.device, self.retrain
        )

    def _report(self, kind: str, value: Any) -> None:
        progress = self.progress
        if kind == "step":
            with progress.lock:
                progress.step = value
                progress.steps.append({"step": float(value.step), **value.metrics})
        elif kind == "epoch":
            with progress.lock:
                progress.history.append(value)
        elif kind == "start":
            # A continued run: its earlier epochs and per-step curve come first.
            history, curve = value
            progress.update(history=list(history), steps=list(curve))
        elif kind == "grid":
            progress.update(grid=value[0], grid_epoch=value[1])
        elif kind == "latent":
            points, labels, epoch, centre = value
            progress.update(
                latent=points, latent_labels=labels, latent_epoch=epoch, latent_centre=centre
            )

    def _final(self, value: TrainDone) -> dict[str, Any]:
        run, model = self.store.load_model(value.run_id)
        outcome = TrainOutcome(run, model, value.status, value.resumed_from)
        return {"status": value.status, "outcome": outcome}
