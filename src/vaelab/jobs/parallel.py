"""Train the comparison's models side by side on an executor (``vaelab compare --ray``).

:func:`train_contenders` submits one training job per contender and waits for them all; the
comparison then finds every model in the runs folder and only measures them
(:func:`vaelab.compare.run_comparison`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from vaelab.compare.contenders import CompareSettings, contenders
from vaelab.data import ImageDataset
from vaelab.errors import VaeLabError
from vaelab.jobs.executor import Executor
from vaelab.jobs.spec import TrainSpec
from vaelab.training.control import TrainingControl

#: Seconds between two polls of the jobs.
POLL_INTERVAL_S = 0.2


def train_contenders(
    executor: Executor,
    data: ImageDataset,
    runs_dir: Path,
    settings: CompareSettings,
    *,
    device: str = "auto",
    progress: Callable[[list[float]], None] | None = None,
    control: TrainingControl | None = None,
) -> None:
    """Train (or find cached) every model of the comparison at once, one job each.

    Parameters
    ----------
    executor : Executor
        Where the trainings run.
    data : ImageDataset
        The images every model is trained on.
    runs_dir : Path
        The runs folder the jobs save into (seen by every worker at this path).
    settings : CompareSettings
        The comparison's settings.
    device : str
        The device of each job.
    progress : callable, optional
        Called after each poll with the fraction done of each model, in contender order.
    control : TrainingControl, optional
        Stopped, it stops every training at its next step (each is saved and continues later).

    Raises
    ------
    VaeLabError
        If a training failed or its worker died; the others ran to their end.
    """
    control = control or TrainingControl()
    rows = contenders(settings.betas)
    handles = [
        executor.submit(TrainSpec(settings.config(row, data), data, runs_dir, device))
        for row in rows
    ]
    fractions = [0.0] * len(handles)
    stopping = False
    while any(handle.alive for handle in handles):
        if control.stopped and not stopping:
            for handle in handles:
                handle.send("stop")
            stopping = True
        for index, handle in enumerate(handles):
            for kind, value in handle.poll():
                if kind == "step":
                    fractions[index] = value.fraction
                elif kind == "done":
                    fractions[index] = 1.0
        if progress is not None:
            progress(fractions)
        time.sleep(POLL_INTERVAL_S)
    for row, handle in zip(rows, handles, strict=True):
        kind, value = handle.final
        if kind in ("error", "lost"):
            raise VaeLabError(f"{row.label}: {value}")
