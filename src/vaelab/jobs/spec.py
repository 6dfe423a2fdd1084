"""What a job is (a training, a comparison, a measurement), what it reports, its commands.

A job is described by a small picklable spec, run by :func:`vaelab.jobs.worker.run_spec`
wherever an executor puts it (a local worker process, a Ray actor), and reports back as a
stream of events: ``(kind, value)`` pairs of plain, picklable values. Only the run store is
shared: the worker saves the run into ``runs_dir`` itself, as :func:`vaelab.train` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a worker that trains never loads the comparison's modules
    from vaelab.compare.contenders import CompareSettings
    from vaelab.config import RunConfig
    from vaelab.data import ImageDataset

#: One report of a job: its kind, then a value.
#:
#: ``("queued", int)`` jobs that must end before this one starts (from the executor);
#: ``("running", None)`` the worker started it; ``("paused", bool)`` after every command;
#: ``("start", (list, list))`` the history and per-step curve of the run being continued;
#: ``("step", StepState)``; ``("grid", (numpy.ndarray, float))`` the reconstructions and the
#: epochs behind them; ``("latent", (numpy.ndarray, numpy.ndarray | None, float, (float,
#: float)))`` the live latent map, its labels, epochs and where the prior's centre lands on it;
#: ``("epoch", dict)`` a history record; ``("compare", CompareProgress)``; ``("measure", (str,
#: float))`` the stage of :data:`vaelab.metrics.STAGES` being measured and its fraction done;
#: and one final event (:data:`FINAL`).
Event = tuple[str, Any]

#: The events that end a job: ``("done", TrainDone | Comparison | MeasureDone)``,
#: ``("error", str)``, ``("cancelled", None)`` (stopped before it started), ``("lost", str)``
#: (the worker died).
FINAL = ("done", "error", "cancelled", "lost")

#: Commands a running job takes (``step`` with a number of steps).
COMMANDS = ("stop", "pause", "resume", "step")


@dataclass(frozen=True)
class TrainSpec:
    """One training (:func:`vaelab.training.experiment.train`).

    Attributes
    ----------
    config : RunConfig
        What to train (its epochs are the total to reach).
    data : ImageDataset
        The images of ``config``.
    runs_dir : Path
        The runs folder; every machine that runs jobs must see it at this path.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    retrain : bool
        Start from scratch even if the run is cached.
    """

    config: RunConfig
    data: ImageDataset
    runs_dir: Path
    device: str = "auto"
    retrain: bool = False

    kind = "train"

    @property
    def name(self) -> str:
        """A short name for logs and process titles."""
        return f"train-{self.config.run_id}"


@dataclass(frozen=True)
class CompareSpec:
    """One comparison (:func:`vaelab.compare.run_comparison`).

    Attributes
    ----------
    data : ImageDataset
        The images every model is trained on.
    runs_dir : Path
        The run cache: cached rows are reused, new ones saved there.
    settings : CompareSettings
        What the rows share.
    classifier_dir : Path
        Cache of the feature classifiers.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    """

    data: ImageDataset
    runs_dir: Path
    settings: CompareSettings
    classifier_dir: Path
    device: str = "auto"

    kind = "compare"

    @property
    def name(self) -> str:
        """A short name for logs and process titles."""
        return f"compare-{Path(self.data.name).name}"


@dataclass(frozen=True)
class MeasureSpec:
    """Measuring a saved run (:func:`vaelab.metrics.evaluate`) and saving the figures into it.

    The worker measures the weights saved when it starts, then saves the metrics into the run
    as it is saved by then, only if its weights are still the ones measured.

    Attributes
    ----------
    run_id : str
        The run to measure.
    data : ImageDataset
        The images the run was trained on.
    runs_dir : Path
        The runs folder holding the run.
    classifier_dir : Path
        Cache of the feature classifiers (the FD's features).
    iwae_k, iwae_images, fd_images : int
        As :func:`vaelab.metrics.evaluate` takes them.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    """

    run_id: str
    data: ImageDataset
    runs_dir: Path
    classifier_dir: Path
    iwae_k: int
    iwae_images: int
    fd_images: int
    device: str = "auto"

    kind = "measure"

    @property
    def name(self) -> str:
        """A short name for logs and process titles."""
        return f"measure-{self.run_id}"


#: Any kind of job.
JobSpec = TrainSpec | CompareSpec | MeasureSpec


@dataclass(frozen=True)
class TrainDone:
    """The value of a training's ``"done"`` event; the run itself is in the runs folder.

    Attributes
    ----------
    run_id : str
        The run trained.
    status : str
        ``"complete"``, ``"stopped"`` or ``"cached"``.
    resumed_from : int
        Epochs the run had before.
    """

    run_id: str
    status: str
    resumed_from: int


@dataclass(frozen=True)
class MeasureDone:
    """The value of a measurement's ``"done"`` event; the metrics are in the saved run.

    Attributes
    ----------
    run_id : str
        The run measured.
    saved : bool
        Whether the metrics were saved: not when the run was trained (or replaced) while it
        was measured, since they belong to weights it no longer has.
    """

    run_id: str
    saved: bool
