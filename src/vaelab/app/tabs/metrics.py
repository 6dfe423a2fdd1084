"""The Metrics tab of the results: a run's saved measures, explained, and a button to take them.

The numbers come from :func:`vaelab.metrics.evaluate` and are saved in the run
(``run.metrics``); the library drops them when the run is trained further, so what this tab shows
always belongs to the weights on screen.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import streamlit as st

from vaelab.app.i18n import t
from vaelab.app.paths import data_dir, runs_dir
from vaelab.app.tabs.context import TabContext
from vaelab.data import ImageDataset
from vaelab.errors import VaeLabError
from vaelab.i18n import localize_decimal
from vaelab.metrics import (
    METRICS,
    METRICS_FORMAT,
    classifier_cache_dir,
    evaluate,
    format_metric,
    overall_fraction,
)
from vaelab.models import ConvVAE
from vaelab.runs import Run, RunStore
from vaelab.variants import is_autoencoder

#: Settings of the Measure button: a few seconds to a minute or two on a CPU. The ELBO and the
#: IWAE bound are both computed on the first IWAE_IMAGES test images (all of them if fewer).
IWAE_K, IWAE_IMAGES, FD_IMAGES = 100, 1000, 1000
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


def _measure(run: Run, model: ConvVAE, data: ImageDataset, lang: str) -> None:
    """Measure the run with a progress bar, save the metrics into it and redraw the page."""
    bar = st.progress(0.0, text=t("results.metrics.starting", lang))

    def on_stage(stage: str, fraction: float) -> None:
        text = t("results.metrics.measuring", lang, stage=t(f"metrics.stage.{stage}", lang))
        bar.progress(min(overall_fraction(stage, fraction), 1.0), text=text)

    store = RunStore(runs_dir())
    try:
        # A copy: the cached model is shared by every session and evaluate moves it around.
        metrics = evaluate(
            copy.deepcopy(model),
            data,
            iwae_k=IWAE_K,
            iwae_images=IWAE_IMAGES,
            fd_images=FD_IMAGES,
            seed=run.config.train.seed,
            classifier="auto",
            classifier_dir=classifier_cache_dir(data_dir()),
            device="auto",
            progress=on_stage,
        )
        saved = store.load(run.run_id)
        if saved.updated != run.updated:
            bar.empty()
            st.warning(t("results.metrics.changed", lang))
            return
        measured = replace(saved, metrics=metrics)
        store.save(measured)
    except VaeLabError as exc:
        bar.empty()
        st.error(t("results.metrics.failed", lang, reason=exc), icon=":material/error:")
        return
    # The save changed the run's time; the results stay on this tab, not reopen as if retrained.
    from vaelab.app.tabs import keep_open  # here: the package imports this module

    keep_open(measured)
    st.rerun()


def render(ctx: TabContext) -> None:
    """Draw a run's metrics, with a button that measures it and saves them in the run.

    A plain autoencoder (β = 0) is told why it has no likelihood bound. The model is only read:
    measuring works on a copy.
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
        label = "results.metrics.remeasure" if metrics else "results.metrics.measure"
        if st.button(
            t(label, lang),
            key=f"{key}.measure",
            icon=":material/straighten:",
            help=t(
                "results.metrics.measure_help", lang, k=IWAE_K, images=IWAE_IMAGES, fd=FD_IMAGES
            ),
        ):
            _measure(run, ctx.model, ctx.data, lang)
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
