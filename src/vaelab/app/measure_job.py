"""The Metrics tab's measurement as a background :class:`~vaelab.app.jobs.Job`.

A :class:`MeasureJob` submits a :class:`~vaelab.jobs.MeasureSpec` to the app's executor
like a :class:`~vaelab.app.training_job.TrainingJob` submits a training: the worker measures the
saved run with :func:`vaelab.metrics.evaluate`, reports each stage, and saves the metrics into
the run; the tab redraws from :meth:`MeasureProgress.snapshot` and then reads the run again.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaelab.app.jobs import ACTIVE, Job, JobProgress
from vaelab.data import ImageDataset
from vaelab.jobs import Executor, MeasureDone, MeasureSpec
from vaelab.metrics import overall_fraction
from vaelab.runs import RunStore


@dataclass(frozen=True)
class MeasureSnapshot:
    """A consistent copy of a measurement's progress, safe to read without a lock.

    Attributes
    ----------
    status : str
        ``"queued"``, ``"running"``, ``"complete"`` (the metrics are saved in the run),
        ``"changed"`` (not saved: the run was trained while it was measured), ``"cancelled"``
        (stopped while queued) or ``"error"``.
    queue_position : int
        Jobs that must end before this one starts, while it is queued.
    run_id : str
        The run measured.
    stage : str or None
        The stage of :data:`vaelab.metrics.STAGES` being measured, once one was reported.
    fraction : float
        Fraction of the whole measurement done, from 0 to 1.
    elapsed : float
        Seconds since the worker started measuring (0 while queued).
    error : str or None
        Why the measurement failed.
    """

    status: str
    queue_position: int
    run_id: str
    stage: str | None
    fraction: float
    elapsed: float
    error: str | None

    @property
    def active(self) -> bool:
        """Whether the job is still queued or measuring."""
        return self.status in ACTIVE


@dataclass
class MeasureProgress(JobProgress):
    """What the measurement's events say; the tab reads :meth:`snapshot`."""

    run_id: str = ""
    stage: str | None = None
    fraction: float = 0.0
    started_at: float | None = None

    def snapshot(self) -> MeasureSnapshot:
        """Return a consistent copy of the progress."""
        with self.lock:
            end = self.finished_at or time.monotonic()
            return MeasureSnapshot(
                status=self.status,
                queue_position=self.queue_position,
                run_id=self.run_id,
                stage=self.stage,
                fraction=self.fraction,
                elapsed=end - self.started_at if self.started_at is not None else 0.0,
                error=self.error,
            )


class MeasureJob(Job):
    """Measuring one saved run and saving its metrics into it, by the app's executor.

    Parameters
    ----------
    run_id : str
        The run to measure; the worker reads it from ``store``.
    data : ImageDataset
        The images the run was trained on.
    store : RunStore
        Where the run is saved (the worker must see the same folder).
    classifier_dir : Path
        Cache of the feature classifiers.
    iwae_k, iwae_images, fd_images : int
        As :func:`vaelab.metrics.evaluate` takes them.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    executor : Executor, optional
        Where it runs (default: the app's, :func:`vaelab.app.jobs.executor`).
    """

    kind = "measure"

    def __init__(
        self,
        run_id: str,
        data: ImageDataset,
        store: RunStore,
        *,
        classifier_dir: Path,
        iwae_k: int,
        iwae_images: int,
        fd_images: int,
        device: str = "auto",
        executor: Executor | None = None,
    ) -> None:
        super().__init__(MeasureProgress(run_id=run_id), f"vaelab-measure-{run_id}", executor)
        self.run_id = run_id
        self.data = data
        self.store = store
        self.classifier_dir = classifier_dir
        self.settings = {"iwae_k": iwae_k, "iwae_images": iwae_images, "fd_images": fd_images}
        self.device = device

    def spec(self) -> MeasureSpec:  # noqa: D102
        return MeasureSpec(
            self.run_id,
            self.data,
            self.store.root.resolve(),
            Path(self.classifier_dir).resolve(),
            device=self.device,
            **self.settings,
        )

    def _report(self, kind: str, value: Any) -> None:
        if kind == "running":
            self.progress.update(started_at=time.monotonic())
        elif kind == "measure":
            stage, fraction = value
            self.progress.update(stage=stage, fraction=min(overall_fraction(stage, fraction), 1.0))

    def _final(self, value: MeasureDone) -> dict[str, Any]:
        if not value.saved:
            return {"status": "changed"}
        return {"status": "complete", "fraction": 1.0}
