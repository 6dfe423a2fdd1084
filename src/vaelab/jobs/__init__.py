"""Trainings, comparisons and measurements run elsewhere: in worker processes or on Ray.

- :mod:`~vaelab.jobs.spec` — what a job is, the events it reports, the commands it takes;
- :mod:`~vaelab.jobs.worker` — running one job and reporting it (the same everywhere);
- :mod:`~vaelab.jobs.executor` — the executor interface and the choice from the environment;
- :mod:`~vaelab.jobs.local` — worker processes on this machine (the default);
- :mod:`~vaelab.jobs.cluster` — actors on a Ray cluster (the ``[cluster]`` extra);
- :mod:`~vaelab.jobs.parallel` — a comparison's models trained side by side.
"""

from vaelab.jobs.executor import Executor, JobHandle, executor_from_env
from vaelab.jobs.spec import (
    FINAL,
    CompareSpec,
    Event,
    JobSpec,
    MeasureDone,
    MeasureSpec,
    TrainDone,
    TrainSpec,
)

__all__ = [
    "FINAL",
    "CompareSpec",
    "Event",
    "Executor",
    "JobHandle",
    "JobSpec",
    "MeasureDone",
    "MeasureSpec",
    "TrainDone",
    "TrainSpec",
    "executor_from_env",
]
