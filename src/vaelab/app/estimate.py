"""How long a training or a comparison will take, said before it starts.

The machine's speed comes from its newest runs, or is measured once per server on the default
model, in the background (:mod:`vaelab.training.speed`); the jobs already running or queued are
said too, since they go first.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Sequence

import streamlit as st

from vaelab.app.i18n import t
from vaelab.app.jobs import REGISTRY
from vaelab.app.paths import runs_dir
from vaelab.compare import CompareSettings
from vaelab.compare.eta import evaluation_ratio
from vaelab.config import ModelConfig, RunConfig
from vaelab.data import ImageDataset
from vaelab.i18n import duration
from vaelab.runs import RunStore, RunSummary
from vaelab.training.speed import machine_speed, measure_speed, model_cost, training_seconds

#: The speed measured by :func:`start_measuring`, once it is known.
_MEASURED: dict[str, float] = {}
_MEASURING = threading.Lock()


def start_measuring() -> None:
    """Measure this machine's speed in the background, once per process.

    A second of training steps, in a thread, so that no page waits for it. ``vaelab app`` starts
    it before the first visit (:mod:`vaelab.app.launch`): measured during that visit, it took the
    cores the browser was drawing the page with. Otherwise the first page that needs it starts it.
    """
    if not _MEASURING.acquire(blocking=False):
        return  # started already
    thread = threading.Thread(
        target=lambda: _MEASURED.update(speed=measure_speed()), name="vaelab-speed", daemon=True
    )
    thread.start()
    # A thread still in PyTorch when the interpreter exits aborts it: let the measure end first.
    atexit.register(thread.join, timeout=60)


@st.cache_resource(show_spinner=False, ttl=60)
def _store_speed(root: str, cost: float) -> float | None:
    # A minute's cache: a finished run changes the figure a little, never much.
    return machine_speed(RunStore(root).list(), cost)


def speed(model: ModelConfig) -> float | None:
    """The machine's multiply-adds per second training ``model``; ``None`` while measured."""
    known = _store_speed(str(runs_dir()), model_cost(model))
    if known is None:
        start_measuring()
        known = _MEASURED.get("speed")
    return known


def _queue() -> str:
    """The jobs that will go first, said in a sentence, or nothing."""
    ahead = len(REGISTRY.active_jobs())
    return " " + t("estimate.queue", n=ahead) if ahead else ""


def training_text(config: RunConfig, data: ImageDataset, epochs_done: int = 0) -> str:
    """The expected time of training ``config`` on ``data`` from ``epochs_done`` epochs on."""
    machine = speed(config.model)
    if machine is None:
        return t("estimate.measuring")
    seconds = training_seconds(config, len(data.train_x), len(data.test_x), machine)
    left = seconds * (config.train.epochs - epochs_done) / config.train.epochs
    return t("estimate.training", time=duration(left)) + _queue()


def comparison_text(
    settings: CompareSettings,
    configs: Sequence[RunConfig],
    summaries: dict[str, RunSummary],
    data: ImageDataset,
) -> str:
    """The expected time of a comparison: its rows' trainings left and their measures."""
    n_train, n_test = len(data.train_x), len(data.test_x)
    ratio = evaluation_ratio(
        settings.epochs, n_train, n_test, settings.iwae_k, settings.iwae_images, settings.fd_images
    )
    machine = speed(configs[0].model)  # the rows share one network
    if machine is None:
        return t("estimate.measuring")
    total = 0.0
    for config in configs:
        full = training_seconds(config, n_train, n_test, machine)
        summary = summaries.get(config.run_id)
        done = min(summary.epochs_done, settings.epochs) if summary is not None else 0
        total += full * (settings.epochs - done) / settings.epochs
        if done < settings.epochs:  # trained further: its measures are taken again
            total += full * ratio
    return t("estimate.comparison", time=duration(total)) + _queue()
