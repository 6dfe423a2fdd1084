"""The Metrics tab of the results: a run's saved measures, explained, and a button to take them.

The numbers come from :func:`vaelab.metrics.evaluate`, run in the background by a
:class:`~vaelab.app.measure_job.MeasureJob` that belongs to the browser (a reload finds it
again), and are saved in the run (``run.metrics``); the library drops them when the run is
trained further, so what this tab shows always belongs to the weights on screen.
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

import streamlit as st

from vaelab.app.browser_id import browser_id
from vaelab.app.i18n import t
from vaelab.app.jobs import REGISTRY
from vaelab.app.measure_job import MeasureJob
from vaelab.app.paths import data_dir, runs_dir
from vaelab.app.run_cache import open_cached_run
from vaelab.app.tabs.context import TabContext
from vaelab.data import ImageDataset
from vaelab.errors import RunError
from vaelab.i18n import duration, localize_decimal
from vaelab.metrics import METRICS, METRICS_FORMAT, classifier_cache_dir, format_metric
from vaelab.runs import RunStore
from vaelab.variants import is_autoencoder

#: Settings of the Measure button: a few seconds to a minute or two on a CPU. The ELBO and the
#: IWAE bound are both computed on the first IWAE_IMAGES test images (all of them if fewer).
IWAE_K, IWAE_IMAGES, FD_IMAGES = 100, 1000, 1000
#: Seconds between two redraws of a measurement's progress.
REFRESH_S = 1.0
_ARROWS = {"lower": "results.metrics.lower", "higher": "results.metrics.higher"}


def format_value(metric: str, value: float, lang: str, se: float | None = None) -> str:
    """A metric's value for people: counts whole, others with 4 significant digits.

    With a standard error ``se``, the value is followed by ``± se`` (2 significant digits).
    """
    text = localize_decimal(format_metric(metric, value), lang)
    return text if se is None else f"{text} ± {localize_decimal(f'{se:.2g}', lang)}"


def metrics_table(metrics: dict[str, Any], lang: str) -> str:
    """The measured scalars of ``metrics`` as a Markdown table: name, value, direction, meaning.

    The metrics come in the order of :data:`vaelab.metrics.METRICS`, the discrete likelihoods
    in bits/dim first; a value with a standard error (``<metric>_se``) shows it.
    """
    header = [t(f"results.metrics.col.{c}", lang) for c in ("metric", "value", "better", "meaning")]
    lines = ["| " + " | ".join(header) + " |", "|---|--:|---|---|"]
    for metric, info in METRICS.items():
        value = metrics.get(metric)
        if not isinstance(value, int | float):
            continue
        better = t(_ARROWS[info.better], lang) if info.better else ""
        se = metrics.get(f"{metric}_se")
        cells = [
            t(f"metrics.name.{metric}", lang),
            format_value(metric, value, lang, se if isinstance(se, int | float) else None),
            better,
            t(f"metrics.help.{metric}", lang),
        ]
        # "p(x | z)" must not end a cell.
        lines.append("| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
    return "\n".join(lines)


def _caption(metrics: dict[str, Any], lang: str) -> str:
    text = t(
        "results.metrics.caption",
        lang,
        seed=metrics.get("seed", "–"),
        n_test=metrics.get("n_test", "–"),
        k=metrics.get("iwae_k", "–"),
        images=metrics.get("bound_images", "–"),
        pixels=metrics.get("pixels", "–"),
    )
    reference = metrics.get("fd_train_vs_test")
    if isinstance(reference, int | float):
        fd = format_value("fd_classifier_features", reference, lang)
        text += " " + t("results.metrics.fd_reference", lang, n=metrics["fd_images"], fd=fd)
    elif metrics.get("fd_reason"):
        text += " " + t("results.metrics.fd_missing", lang, reason=metrics["fd_reason"])
    return text


def _start(run_id: str, data: ImageDataset) -> None:
    """Submit the measurement of ``run_id`` for this browser (a callback: before the redraw)."""
    job = MeasureJob(
        run_id,
        data,
        RunStore(runs_dir()),
        classifier_dir=classifier_cache_dir(data_dir()),
        iwae_k=IWAE_K,
        iwae_images=IWAE_IMAGES,
        fd_images=FD_IMAGES,
    )
    REGISTRY.start(browser_id(), job)


@st.fragment(run_every=REFRESH_S)
def _progress(job: MeasureJob, lang: str) -> None:
    """Where the measurement stands, redrawn every second until it ends."""
    snap = job.snapshot()
    if not snap.active:
        if snap.status == "complete":
            # The save changed the run's time; the results stay on this tab, not reopen as if
            # retrained. Here: the package imports this module.
            from vaelab.app.tabs import keep_open

            with suppress(RunError):  # deleted meanwhile: the page says so
                keep_open(open_cached_run(snap.run_id)[0])
        st.rerun()  # the whole page: the run is read again, with its metrics
    if snap.status == "queued" and snap.queue_position > 0:
        st.info(t("results.metrics.queued", lang, ahead=snap.queue_position))
    elif snap.stage is None:
        st.progress(0.0, text=t("results.metrics.starting", lang))
    else:
        stage = t(f"metrics.stage.{snap.stage}", lang)
        st.progress(snap.fraction, text=t("results.metrics.measuring", lang, stage=stage))
    st.caption(t("results.metrics.background", lang, elapsed=duration(snap.elapsed)))


def _measure(ctx: TabContext, remeasure: bool) -> None:
    """The Measure button, and this browser's measurement: its progress, or how it ended.

    One measurement at a time per browser: while one runs, here or for another run, the button
    is disabled and a caption says why.
    """
    run, lang = ctx.run, ctx.lang
    job = REGISTRY.get(browser_id(), MeasureJob.kind)
    busy = job is not None and job.active
    st.button(
        t("results.metrics.remeasure" if remeasure else "results.metrics.measure", lang),
        key=f"{ctx.wkey}.measure",
        icon=":material/straighten:",
        help=t("results.metrics.measure_help", lang, k=IWAE_K, images=IWAE_IMAGES, fd=FD_IMAGES),
        disabled=busy,
        on_click=_start,
        args=(run.run_id, ctx.data),
    )
    if job is None:
        return
    if job.run_id != run.run_id:
        if busy:
            st.caption(t("results.metrics.busy_other", lang))
        return
    if busy:
        _progress(job, lang)
        return
    snap = job.snapshot()
    if snap.status == "error":
        st.error(t("results.metrics.failed", lang, reason=snap.error), icon=":material/error:")
    elif snap.status == "changed":
        st.warning(t("results.metrics.changed", lang), icon=":material/update:")


def render(ctx: TabContext) -> None:
    """Draw a run's metrics, with a button that measures it and saves them in the run.

    A plain autoencoder (β = 0) is told why it has no likelihood bound. Measuring runs in the
    background (:class:`~vaelab.app.measure_job.MeasureJob`): the page answers meanwhile.
    """
    run, lang, key = ctx.run, ctx.lang, ctx.wkey
    metrics = run.metrics
    if is_autoencoder(run.config.model.beta):
        st.info(t("results.metrics.autoencoder", lang), icon=":material/info:")
    if metrics:
        if metrics.get("format") != METRICS_FORMAT:
            st.warning(t("results.metrics.stale", lang), icon=":material/update:")
        st.markdown(metrics_table(metrics, lang))
        st.caption(_caption(metrics, lang))
    else:
        st.info(t("results.metrics.none", lang))
    saved = bool(run.updated) and RunStore(runs_dir()).exists(run.run_id)
    if not ctx.has_test_images:
        st.info(t("results.metrics.no_data", lang))
    elif not saved:
        st.info(t("results.metrics.unsaved", lang))
    else:
        _measure(ctx, remeasure=bool(metrics))
    if metrics:
        st.download_button(
            t("results.metrics.download", lang),
            json.dumps(metrics, indent=2),
            file_name="metrics.json",
            mime="application/json",
            key=f"{key}.metrics_json",
            icon=":material/download:",
            on_click="ignore",
        )
