"""Run one job where the executor put it, reporting every step as an event.

:func:`run_spec` is the whole of a worker's job, the same in a local worker process and in a
Ray actor: it trains (or compares, or measures) with the library's own entry points, so the run
is saved exactly as :func:`vaelab.train` saves it, and turns the progress callbacks into events.
It never raises: a failure is the job's last event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import torch

from vaelab.errors import VaeLabError
from vaelab.explore.live_map import LatentTracker
from vaelab.explore.plots import reconstruction_grid
from vaelab.jobs.spec import (
    CompareSpec,
    Event,
    JobSpec,
    MeasureDone,
    MeasureSpec,
    TrainDone,
    TrainSpec,
)
from vaelab.runs import Run, RunStore
from vaelab.training.control import TrainingControl
from vaelab.training.experiment import train
from vaelab.training.trainer import Callback, StepState, Trainer, TrainResult

log = logging.getLogger(__name__)

#: Seconds between two reconstructions (and latent maps) of the fixed batch during an epoch.
RECON_INTERVAL_S = 2.0
#: Each pixel of the live reconstructions becomes a block this wide, so that the browser does
#: not blur small images when it enlarges them.
GRID_SCALE = 3
#: Test images drawn on the live latent map: enough to see the classes, cheap to encode.
LATENT_POINTS = 500

Emit = Callable[[Event], None]


def apply_command(control: TrainingControl, command: str, n: int = 1) -> None:
    """Apply one of :data:`vaelab.jobs.spec.COMMANDS` to ``control``.

    Raises
    ------
    ValueError
        If ``command`` is not one of them, or ``n`` is not a whole number of at least 1.
    """
    if command == "step":
        control.step(n)
    elif command in ("stop", "pause", "resume"):
        getattr(control, command)()
    else:
        raise ValueError(f"unknown job command {command!r:.40}; use stop, pause, resume or step")


class EventCallback(Callback):
    """Turns a training's progress into events: steps, epochs, reconstructions, latent map.

    The reconstructions and the latent map are drawn here, in the worker, every
    :data:`RECON_INTERVAL_S` seconds and at each epoch end, so the page only shows them.
    """

    def __init__(
        self, emit: Emit, tracker: LatentTracker, recon_interval: float = RECON_INTERVAL_S
    ) -> None:
        self.emit = emit
        self.tracker = tracker
        self.recon_interval = recon_interval
        self._last_recon = 0.0
        self._originals: torch.Tensor | None = None

    def _redraw(self, trainer: Trainer, epoch: float) -> None:
        grid = reconstruction_grid(
            self._originals, trainer.reconstruct_fixed_batch(), pad_value=1.0, scale=GRID_SCALE
        )
        self.emit(("grid", (grid, epoch)))
        points = self.tracker.points(trainer.model)  # fixes the map's plane at the first call
        self.emit(("latent", (points, self.tracker.labels, epoch, self.tracker.prior_centre)))
        self._last_recon = time.monotonic()

    def on_train_start(self, trainer: Trainer) -> None:  # noqa: D102
        self._originals = trainer.fixed_batch.float().cpu()
        self.emit(("start", (list(trainer.history), trainer.curve.points)))
        self._redraw(trainer, float(trainer.epochs_done))

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:  # noqa: D102
        self.emit(("step", state))
        if time.monotonic() - self._last_recon >= self.recon_interval:
            self._redraw(trainer, state.epoch - 1 + state.step_in_epoch / state.steps_per_epoch)

    def on_epoch_end(self, trainer: Trainer, record: dict[str, float]) -> None:  # noqa: D102
        self.emit(("epoch", dict(record)))
        self._redraw(trainer, float(trainer.epochs_done))

    def on_train_end(self, trainer: Trainer, result: TrainResult) -> None:  # noqa: D102
        self._redraw(trainer, float(trainer.epochs_done))


def _train(spec: TrainSpec, emit: Emit, control: TrainingControl) -> TrainDone:
    n = min(LATENT_POINTS, len(spec.data.test_x))
    labels = None if spec.data.test_y is None else spec.data.test_y[:n]
    outcome = train(
        spec.config,
        spec.data,
        store=RunStore(spec.runs_dir),
        device=spec.device,
        callbacks=[EventCallback(emit, LatentTracker(spec.data.test_x[:n], labels))],
        control=control,
        retrain=spec.retrain,
    )
    return TrainDone(spec.config.run_id, outcome.status, outcome.resumed_from)


def _compare(spec: CompareSpec, emit: Emit, control: TrainingControl) -> Any:
    # Imported here: the metrics and their classifier are only a comparison's.
    from vaelab.compare import run_comparison

    return run_comparison(
        spec.data,
        RunStore(spec.runs_dir),
        spec.settings,
        device=spec.device,
        progress=lambda progress: emit(("compare", progress)),
        control=control,
        classifier_dir=spec.classifier_dir,
    )


def same_weights(a: Run, b: Run) -> bool:
    """Whether two saves of a run hold the same model weights (the same tensors, equal)."""
    if a.model_state.keys() != b.model_state.keys():
        return False
    return all(torch.equal(a.model_state[name], b.model_state[name]) for name in a.model_state)


def _measure(spec: MeasureSpec, emit: Emit, control: TrainingControl) -> MeasureDone:
    # Imported here: the metrics and their classifier are only a measurement's.
    from vaelab.metrics import evaluate

    store = RunStore(spec.runs_dir)
    run, model = store.load_model(spec.run_id)
    metrics = evaluate(
        model,
        spec.data,
        iwae_k=spec.iwae_k,
        iwae_images=spec.iwae_images,
        fd_images=spec.fd_images,
        seed=run.config.train.seed,
        # The classifier serves only the FD: none is trained (seconds) when no FD is asked for.
        classifier="auto" if spec.fd_images else None,
        classifier_dir=spec.classifier_dir,
        device=spec.device,
        progress=lambda stage, fraction: emit(("measure", (stage, fraction))),
    )
    # The run may have been saved again while it was measured: read it again and change only
    # its metrics, so that nothing saved meanwhile is lost. A save in the moment between this
    # read and the save is refused by the store (its revision moved on), never overwritten.
    saved = store.load(spec.run_id)
    if not same_weights(saved, run):  # trained or replaced: the metrics are not its own
        return MeasureDone(spec.run_id, saved=False)
    store.save(replace(saved, metrics=metrics))
    return MeasureDone(spec.run_id, saved=True)


#: What runs each kind of job.
_RUNNERS: dict[str, Callable[[Any, Emit, TrainingControl], Any]] = {
    TrainSpec.kind: _train,
    CompareSpec.kind: _compare,
    MeasureSpec.kind: _measure,
}


def run_spec(
    spec: JobSpec, emit: Emit, control: TrainingControl, threads: int | None = None
) -> None:
    """Run ``spec`` in this process, reporting through ``emit``; never raises.

    Parameters
    ----------
    spec : TrainSpec, CompareSpec or MeasureSpec
        The job.
    emit : callable
        Called with each :data:`~vaelab.jobs.spec.Event`, the final one last.
    control : TrainingControl
        Stops, pauses and steps the job; stopped before it begins, the job is ``"cancelled"``.
    threads : int, optional
        Intra-op threads of torch for this job (the executor's share of the cores).
    """
    if control.stopped:
        emit(("cancelled", None))
        return
    if threads is not None:
        torch.set_num_threads(threads)
    emit(("running", None))
    try:
        result = _RUNNERS[spec.kind](spec, emit, control)
    except VaeLabError as exc:
        emit(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the page must show it, not lose it in a worker
        log.exception("job %s failed", spec.name)
        emit(("error", f"{type(exc).__name__}: {exc}"))
    else:
        emit(("done", result))


def lost_message(spec: JobSpec, cause: str) -> str:
    """What to tell the user when the worker of ``spec`` died without a word.

    The run keeps its last save (each epoch end): the message says which epoch that is.

    Parameters
    ----------
    spec : TrainSpec, CompareSpec or MeasureSpec
        The job that was lost.
    cause : str
        What is known of the death, e.g. ``"exit code -9"``.
    """
    what = {"train": "training", "compare": "comparison", "measure": "measurement"}[spec.kind]
    head = f"the {what} process ended unexpectedly ({cause})"
    if isinstance(spec, MeasureSpec):
        return f"{head}; the run is as it was"
    if isinstance(spec, CompareSpec):
        return f"{head}; the models it finished are saved in the runs folder"
    epochs = RunStore(spec.runs_dir).summary(spec.config.run_id).epochs_done
    if not epochs:
        return f"{head}; no epoch of the run was saved"
    return f"{head}; the run is saved at epoch {epochs}"
