"""The Compare page's sweep as a background :class:`~vaelab.app.jobs.Job`.

A :class:`ComparisonJob` submits a :class:`~vaelab.jobs.CompareSpec` to the app's executor like
a :class:`~vaelab.app.training_job.TrainingJob` submits a training: the worker runs
:func:`vaelab.compare.run_comparison` and reports each row's progress, which the job records;
the page redraws from :meth:`ComparisonProgress.snapshot`. Nothing here imports Streamlit.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vaelab.app.jobs import ACTIVE, Job, JobProgress
from vaelab.compare import (
    CompareProgress,
    CompareSettings,
    Comparison,
    Contender,
    contenders,
)
from vaelab.compare.eta import Report, evaluation_ratio, remaining_seconds
from vaelab.data import ImageDataset
from vaelab.jobs import CompareSpec, Executor
from vaelab.runs import RunStore


@dataclass(frozen=True)
class RowState:
    """Where one row of the comparison stands.

    Attributes
    ----------
    phase : str
        ``"pending"``, or the latest phase of :data:`vaelab.compare.PHASES` reported for it.
    fraction : float
        Fraction of that phase done.
    detail : dict
        The latest :attr:`vaelab.compare.CompareProgress.detail` (epoch, evaluation stage...).
    worked : bool
        Whether this sweep trained or measured the row (``False``: reused from the cache).
    started : float or None
        :func:`time.monotonic` when the sweep reached the row.
    seconds : float
        Time spent on the row, once done.
    """

    phase: str = "pending"
    fraction: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)
    worked: bool = False
    started: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class ComparisonSnapshot:
    """A consistent copy of a comparison's progress, safe to read without a lock.

    Attributes
    ----------
    status : str
        ``"queued"``, ``"running"``, ``"complete"``, ``"stopped"``, ``"cancelled"`` (stopped
        while queued) or ``"error"``.
    queue_position : int
        Jobs that must end before this one starts, while it is queued.
    paused : bool
        Whether the training in progress holds between two steps.
    contenders : tuple of Contender
        The rows, in order.
    rows : tuple of RowState
        Where each row stands.
    current : CompareProgress or None
        The latest report.
    elapsed : float
        Seconds since the sweep started (0 while queued).
    eta : float or None
        Estimated seconds left, once enough work was timed.
    error : str or None
        Why the comparison failed.
    comparison : Comparison or None
        The result, once finished (stopped included).
    """

    status: str
    queue_position: int
    paused: bool
    contenders: tuple[Contender, ...]
    rows: tuple[RowState, ...]
    current: CompareProgress | None
    elapsed: float
    eta: float | None
    error: str | None
    comparison: Comparison | None

    @property
    def active(self) -> bool:
        """Whether the job is still queued or running."""
        return self.status in ACTIVE


@dataclass
class ComparisonProgress(JobProgress):
    """What the comparison's events say; the page reads :meth:`snapshot`."""

    contenders: tuple[Contender, ...] = ()
    rows: list[RowState] = field(default_factory=list)
    current: CompareProgress | None = None
    started_at: float | None = None
    #: Every report, timed, for the ETA (:func:`vaelab.compare.eta.remaining_seconds`).
    timeline: list[Report] = field(default_factory=list)
    #: A row's expected measuring time over its training time, until one was timed.
    eval_ratio: float = 1.0
    comparison: Comparison | None = None

    def report(self, progress: CompareProgress) -> None:
        """Record a report of :func:`vaelab.compare.run_comparison`."""
        now = time.monotonic()
        with self.lock:
            self.current = progress
            self.timeline.append((now, progress.index, progress.phase, progress.fraction))
            if progress.contender is None:  # the feature classifier
                return
            row = self.rows[progress.index]
            # Training steps and measures are work; a cached row only reports "done".
            working = progress.phase == "evaluate" or (
                progress.phase == "train" and bool(progress.detail)
            )
            started = now if row.started is None else row.started
            self.rows[progress.index] = replace(
                row,
                phase=progress.phase,
                fraction=progress.fraction,
                detail=dict(progress.detail),
                worked=row.worked or working,
                started=started,
                seconds=now - started if progress.phase == "done" else 0.0,
            )

    def snapshot(self) -> ComparisonSnapshot:
        """Return a consistent copy of the progress."""
        now = time.monotonic()
        with self.lock:
            end = self.finished_at or now
            elapsed = end - self.started_at if self.started_at is not None else 0.0
            return ComparisonSnapshot(
                status=self.status,
                queue_position=self.queue_position,
                paused=self.paused,
                contenders=self.contenders,
                rows=tuple(self.rows),
                current=self.current,
                elapsed=elapsed,
                eta=self._eta(now),
                error=self.error,
                comparison=self.comparison,
            )

    def _eta(self, now: float) -> float | None:
        return remaining_seconds(self.timeline, len(self.rows), now, self.eval_ratio)


class ComparisonJob(Job):
    """One comparison (:func:`vaelab.compare.run_comparison`), run by the app's executor.

    Parameters
    ----------
    data : ImageDataset
        The images every model is trained on.
    store : RunStore
        The run cache: cached rows are reused, new ones saved there (by the worker).
    settings : CompareSettings
        What the rows share.
    classifier_dir : Path
        Cache of the feature classifiers.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
    executor : Executor, optional
        Where it runs (default: the app's, :func:`vaelab.app.jobs.executor`).
    """

    kind = "compare"

    def __init__(
        self,
        data: ImageDataset,
        store: RunStore,
        settings: CompareSettings,
        *,
        classifier_dir: Path,
        device: str = "auto",
        executor: Executor | None = None,
    ) -> None:
        rows = contenders(settings.betas)
        ratio = evaluation_ratio(
            settings.epochs,
            len(data.train_x),
            len(data.test_x),
            settings.iwae_k,
            settings.iwae_images,
            settings.fd_images,
        )
        progress = ComparisonProgress(
            contenders=rows, rows=[RowState() for _ in rows], eval_ratio=ratio
        )
        super().__init__(progress, f"vaelab-compare-{data.name}", executor)
        self.data = data
        self.store = store
        self.settings = settings
        self.classifier_dir = classifier_dir
        self.device = device
        #: Unique to this job: keys what the page caches of its result.
        self.token = uuid.uuid4().hex

    def spec(self) -> CompareSpec:  # noqa: D102
        return CompareSpec(
            self.data,
            self.store.root.resolve(),
            self.settings,
            Path(self.classifier_dir).resolve(),
            self.device,
        )

    def _report(self, kind: str, value: Any) -> None:
        if kind == "running":
            self.progress.update(started_at=time.monotonic())
        elif kind == "compare":
            self.progress.report(value)

    def _final(self, value: Comparison) -> dict[str, Any]:
        return {"status": "stopped" if value.stopped else "complete", "comparison": value}
