"""Train, measure and sample every contender of the comparison, with progress and a stop button."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import torch

from vaelab.compare.contenders import CompareSettings, Contender, contenders
from vaelab.compare.report import Comparison, Row
from vaelab.config import RunConfig
from vaelab.data import ImageDataset
from vaelab.metrics import (
    DEFAULT_CLASSIFIER_DIR,
    METRICS_FORMAT,
    evaluate,
    load_or_train_classifier,
    overall_fraction,
)
from vaelab.metrics.samples import draw_samples
from vaelab.models import ConvVAE
from vaelab.runs import RunStore
from vaelab.training.control import TrainingControl
from vaelab.training.device import pick_device
from vaelab.training.experiment import train
from vaelab.training.trainer import Callback, StepState, Trainer

#: Phases of one contender reported to the progress callback.
PHASES = ("classifier", "train", "evaluate", "done")
#: Share of a contender's progress given to training; the rest is the evaluation.
_TRAIN_SHARE = 0.85
#: Offset of the seed of the latent codes every row of the figure decodes.
_NOISE_SEED_OFFSET = 12345


@dataclass(frozen=True)
class CompareProgress:
    """Where a comparison stands, handed to the ``progress`` callback.

    Attributes
    ----------
    index : int
        0-based index of the contender being worked on.
    total : int
        Number of contenders.
    contender : Contender or None
        The contender; ``None`` while the feature classifier is prepared.
    phase : str
        One of :data:`PHASES`.
    fraction : float
        Fraction of this phase done, in [0, 1].
    detail : dict
        The training step's ``epoch``, ``epochs``, ``loss`` and ``images_per_second``; the
        evaluation's ``stage``; or, when a row is done, its ``samples`` (to show them at once).
    """

    index: int
    total: int
    contender: Contender | None
    phase: str
    fraction: float
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def overall(self) -> float:
        """Fraction of the whole comparison done, in [0, 1]."""
        within = {
            "classifier": 0.0,
            "train": _TRAIN_SHARE * self.fraction,
            "evaluate": _TRAIN_SHARE + (1 - _TRAIN_SHARE) * self.fraction,
            "done": 1.0,
        }[self.phase]
        return min(1.0, (self.index + within) / max(1, self.total))


class _Stopped(Exception):
    """The user stopped the comparison during an evaluation."""


class _TrainProgress(Callback):
    def __init__(self, report: Callable[[str, float, dict[str, Any]], None]) -> None:
        self.report = report

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:
        self.report(
            "train",
            state.fraction,
            {
                "epoch": state.epoch,
                "epochs": state.epochs,
                "loss": state.metrics.get("loss"),
                "images_per_second": state.images_per_second,
            },
        )


def _reusable(metrics: Mapping[str, Any], settings: CompareSettings, data: ImageDataset) -> bool:
    """Whether metrics saved with a run measured what ``settings`` ask for (or more)."""
    n_test = len(data.test_x)
    wanted_fd = min(settings.fd_images, n_test, len(data.train_x))
    has_fd = metrics.get("fd_images", 0) >= wanted_fd or data.train_y is None
    # The bounds of every row must cover the same first test images, for paired differences.
    wanted_bound = min(settings.iwae_images or n_test, n_test)
    return (
        metrics.get("format") == METRICS_FORMAT
        and metrics.get("seed") == settings.seed
        and metrics.get("iwae_k", 0) >= settings.iwae_k
        and metrics.get("iwae_images", 0) >= min(settings.iwae_images, n_test)
        and metrics.get("bound_images", 0) >= wanted_bound
        and (settings.fd_images == 0 or has_fd)
    )


def run_comparison(
    data: ImageDataset,
    store: RunStore,
    settings: CompareSettings | None = None,
    *,
    device: str | torch.device = "auto",
    progress: Callable[[CompareProgress], None] | None = None,
    control: TrainingControl | None = None,
    classifier_dir: str | os.PathLike = DEFAULT_CLASSIFIER_DIR,
) -> Comparison:
    """Train (or reuse) and measure every contender of the σ-VAE paper's comparison on ``data``.

    Runs come from ``store`` when cached and are saved there with their metrics, so a second
    call only draws the samples. Stopping (``control``) saves the run in training, which the
    next call continues; rows not reached stay ``"pending"``.

    Parameters
    ----------
    data : ImageDataset
        The images every model is trained on.
    store : RunStore
        The run cache.
    settings : CompareSettings, optional
        Architecture, training and measurement settings shared by the contenders (by default,
        those of :class:`CompareSettings`).
    device : str or torch.device
        Where to train and measure (``"auto"``: CUDA, then MPS, then the CPU).
    progress : callable, optional
        Called with a :class:`CompareProgress` after every training step and evaluation stage.
    control : TrainingControl, optional
        Stop, pause or step the training from any thread, between two steps.
    classifier_dir : str or Path
        Cache of the feature classifiers (for the Fréchet distance).

    Returns
    -------
    Comparison
        The rows, in the order of :func:`contenders`.

    Raises
    ------
    ConfigError
        If a setting is not allowed.
    TrainingError, RunError, DatasetError
        As :func:`vaelab.training.experiment.train` and :func:`vaelab.metrics.evaluate` raise them.
    """
    start = time.perf_counter()
    settings = settings or CompareSettings()
    device = pick_device(device) if isinstance(device, str) else device
    control = control or TrainingControl()
    pairs = [(c, settings.config(c, data)) for c in contenders(settings.betas)]
    comparison = Comparison(data.name, settings, [Row(c, config.run_id) for c, config in pairs])
    total = len(pairs)

    def report(
        index: int, phase: str, fraction: float, detail: dict[str, Any] | None = None
    ) -> None:
        if control.stopped and phase in ("classifier", "evaluate"):
            raise _Stopped("stopped")
        if progress is not None:
            contender = pairs[index][0] if phase != "classifier" else None
            progress(CompareProgress(index, total, contender, phase, fraction, detail or {}))

    try:
        classifier = None
        if settings.fd_images and data.train_y is not None:
            report(0, "classifier", 0.0)
            classifier = load_or_train_classifier(
                data, classifier_dir, progress=lambda f: report(0, "classifier", f)
            )
        # The same latent codes for every row: differences between rows are the models'.
        noise_seed = settings.seed + _NOISE_SEED_OFFSET
        for index, ((_, config), row) in enumerate(zip(pairs, comparison.rows, strict=True)):
            tick = time.perf_counter()
            model = _train_row(config, data, store, device, row, control, index, report)
            if row.status == "stopped":
                comparison.stopped = True
                break
            _measure_row(model, data, store, settings, device, classifier, row, index, report)
            generator = torch.Generator().manual_seed(noise_seed)
            row.samples = draw_samples(model, settings.samples, generator, device="cpu")
            row.seconds = time.perf_counter() - tick
            report(index, "done", 1.0, {"samples": row.samples})
    except _Stopped:
        comparison.stopped = True
    comparison.seconds = time.perf_counter() - start
    comparison.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return comparison


def _train_row(
    config: RunConfig,
    data: ImageDataset,
    store: RunStore,
    device: torch.device,
    row: Row,
    control: TrainingControl,
    index: int,
    report: Callable[..., None],
) -> ConvVAE:
    report(index, "train", 0.0)
    outcome = train(
        config,
        data,
        store=store,
        device=device,
        callbacks=[_TrainProgress(lambda phase, f, detail: report(index, phase, f, detail))],
        control=control,
    )
    row.epochs = outcome.run.epochs_done
    row.metrics = dict(outcome.run.metrics)
    row.status = {"cached": "cached", "stopped": "stopped"}.get(outcome.status, "trained")
    return outcome.model


def _measure_row(
    model: ConvVAE,
    data: ImageDataset,
    store: RunStore,
    settings: CompareSettings,
    device: torch.device,
    classifier: Any,
    row: Row,
    index: int,
    report: Callable[..., None],
) -> None:
    if _reusable(row.metrics, settings, data):
        return
    report(index, "evaluate", 0.0)

    def on_stage(stage: str, fraction: float) -> None:
        report(index, "evaluate", overall_fraction(stage, fraction), {"stage": stage})

    row.metrics = evaluate(
        model,
        data,
        iwae_k=settings.iwae_k,
        iwae_images=settings.iwae_images,
        seed=settings.seed,
        classifier=classifier,
        fd_images=settings.fd_images,
        device=device,
        progress=on_stage,
    )
    run = store.load(row.run_id)
    store.save(replace(run, metrics=row.metrics))
