"""Train page: pick hyperparameters, train in the background, watch the model learn.

Training runs in a worker thread (:mod:`vaelab.app.training_job`) kept in a process-wide
registry, so leaving the page or changing a widget never stops it; a fragment redraws its
progress.
"""

from __future__ import annotations

import streamlit as st

from vaelab.app import architecture, sidebar, widgets
from vaelab.app.i18n import current_language, t
from vaelab.app.jobs import REGISTRY
from vaelab.app.labels import dataset_label, run_title
from vaelab.app.run_cache import open_cached_run
from vaelab.app.state import run_store, session_id, set_current_run
from vaelab.app.tabs import render_results
from vaelab.app.training_job import TrainingJob, TrainingSnapshot
from vaelab.config import RunConfig
from vaelab.data import DatasetInfo, ImageDataset
from vaelab.errors import RunError
from vaelab.i18n import count, decimal, duration, size, whole
from vaelab.models import ConvVAE
from vaelab.runs import Run

#: Seconds between two redraws of the training progress, and of the curves and reconstructions.
#: Every redraw costs the browser and the server CPU that training would use (two cores here).
STATUS_REFRESH_S, CHARTS_REFRESH_S = 1.0, 3.0
CHART_HEIGHT = 180
EXTRA_EPOCHS_DEFAULT = 5


def _epochs(n: int) -> str:
    return count(n, "epoch", current_language())


# -- dataset box ----------------------------------------------------------------------------


def _dataset_box(info: DatasetInfo | None, data: ImageDataset | None) -> None:
    with st.container(border=True):
        if info is None:
            st.markdown(t("train.dataset_none"))
            return
        st.markdown(f"**{dataset_label(info.id)}**")
        n_train = len(data.train_x) if data is not None else info.n_train
        n_test = len(data.test_x) if data is not None else info.n_test
        st.markdown(
            t(
                "train.dataset_size",
                train=whole(n_train),
                test=whole(n_test),
                shape=size(info.shape),
            )
        )
        if info.classes:
            shown = ", ".join(info.classes[:10]) + (" …" if len(info.classes) > 10 else "")
            st.markdown(t("train.dataset_classes", n=len(info.classes), names=shown))
        else:
            st.markdown(t("train.dataset_unlabelled"))
        key = "train.dataset_local" if info.available_locally else "train.dataset_download"
        st.caption(t(key))


# -- train, continue, retrain ----------------------------------------------------------------


def _start(selection: sidebar.Selection, config: RunConfig, *, retrain: bool = False) -> None:
    job = TrainingJob(config, selection.data, run_store(), device=selection.device, retrain=retrain)
    REGISTRY.start(session_id(), job)
    set_current_run(config.run_id)
    st.rerun()


def _actions(
    selection: sidebar.Selection,
    run: Run | None,
    finished: TrainingSnapshot | None,
    *,
    broken: bool = False,
) -> None:
    """Train, or for a cached run: continue it or retrain it from scratch.

    ``finished`` is this session's last training of the same run, whose outcome replaces the
    cache message. A ``broken`` saved run (unreadable) is replaced when training starts.
    """
    config = selection.config
    target = config.train.epochs
    with st.container(border=True):
        st.markdown(f"**{run_title(config)}**")
        reported = finished is not None and _final_message(finished)
        if run is None:
            if not reported:
                st.markdown(t("train.new_run", epochs=_epochs(target)))
            if st.button(
                t("train.train"), type="primary", key="train", icon=":material/play_arrow:"
            ):
                _start(selection, config, retrain=broken)
            return
        if run.epochs_done < target:
            if not reported:
                st.info(t("train.partial", done=_epochs(run.epochs_done), target=_epochs(target)))
            if st.button(
                t("train.continue_to", target=_epochs(target)),
                type="primary",
                key="train",
                icon=":material/play_arrow:",
            ):
                _start(selection, config)
        else:
            if not reported:
                st.success(t("train.cached", done=_epochs(run.epochs_done)))
            left, right = st.columns([1, 1], vertical_alignment="bottom")
            extra = left.number_input(
                t("train.extra_epochs"),
                min_value=1,
                max_value=widgets.EPOCHS_MAX,
                value=EXTRA_EPOCHS_DEFAULT,
                help=t("train.extra_epochs_help"),
                key="extra_epochs",
            )
            if right.button(t("train.continue"), key="continue", icon=":material/fast_forward:"):
                _start(selection, config.with_epochs(run.epochs_done + int(extra)))
        if st.button(t("train.retrain"), key="retrain", icon=":material/restart_alt:"):
            _start(selection, config, retrain=True)


# -- live panel -----------------------------------------------------------------------------

_METRICS = ("loss", "recon", "kl", "sigma")


def _curve_spec(snap: TrainingSnapshot, name: str) -> dict:
    """Vega-Lite spec of one loss term: per-step training values and per-epoch test values.

    A hand-written spec, not ``st.line_chart``: building the latter takes about 100 ms of Python
    per chart, which holds the GIL and slows the training thread several times over.
    """
    train, test = t("train.train_loss"), t("train.test_loss")
    per_epoch = snap.step.steps_per_epoch if snap.step else 1
    values = [
        {"x": p["step"] / per_epoch, "y": p[name], "s": train} for p in snap.curve if name in p
    ]
    values += [
        {"x": r["epoch"], "y": r[f"test_{name}"], "s": test}
        for r in snap.history
        if f"test_{name}" in r
    ]
    return {
        "data": {"values": values},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": None},
            "y": {"field": "y", "type": "quantitative", "title": None, "scale": {"zero": False}},
            "color": {
                "field": "s",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [train, test], "range": ["#1f77b4", "#d62728"]},
                "legend": None,  # explained once in a caption: legends squeeze small charts
            },
        },
        "layer": [
            {"transform": [{"filter": {"field": "s", "equal": train}}], "mark": "line"},
            {
                "transform": [{"filter": {"field": "s", "equal": test}}],
                "mark": {"type": "line", "point": True},
            },
        ],
    }


def _progress(snap: TrainingSnapshot) -> None:
    step = snap.step
    if step is None:
        st.progress(0.0, text=t("train.starting"))
        return
    text = t(
        "train.progress",
        epoch=step.epoch,
        epochs=step.epochs,
        step=step.step_in_epoch,
        steps=step.steps_per_epoch,
        speed=whole(step.images_per_second),
        eta=duration(step.eta),
    )
    st.progress(step.fraction, text=text)


def _grid(snap: TrainingSnapshot) -> None:
    if snap.grid is not None:
        st.image(
            snap.grid,
            caption=t(
                "train.recon_caption", epoch=decimal(snap.grid_epoch, ".1f", current_language())
            ),
            width="stretch",
            clamp=True,
        )


@st.fragment(run_every=STATUS_REFRESH_S)
def _live_status(job: TrainingJob) -> None:
    """Progress, stop button and latest loss terms: cheap, redrawn every second."""
    snap = job.snapshot()
    if not snap.active:
        # Finished: a full rerun replaces the live panel with the results.
        st.rerun()
    st.markdown(t("train.training", run=run_title(job.config)))
    left, right = st.columns([6, 1], vertical_alignment="bottom")
    with left:
        if snap.status == "queued":
            st.info(t("train.queued", ahead=snap.queue_position), icon=":material/hourglass_top:")
        else:
            _progress(snap)
    stopping = job.control.stopped
    # A callback, so that the stop happens before this fragment redraws.
    right.button(
        t("train.stop"), key="stop", icon=":material/stop:", disabled=stopping, on_click=job.stop
    )
    if stopping:
        st.caption(t("train.stopping"))
    if snap.step is not None:
        names = [n for n in _METRICS if n in snap.step.metrics]
        lang = current_language()
        for column, name in zip(st.columns(len(names)), names, strict=True):
            value = decimal(snap.step.metrics[name], ".4g", lang)
            column.metric(t(f"metric.{name}", lang), value)


@st.fragment(run_every=CHARTS_REFRESH_S)
def _live_charts(job: TrainingJob) -> None:
    """Loss curves and reconstructions: redrawn less often, the browser works hard for them."""
    snap = job.snapshot()
    if not snap.active or snap.step is None:
        return
    names = [n for n in _METRICS if n in snap.step.metrics]
    for column, name in zip(st.columns(len(names)), names, strict=True):
        column.vega_lite_chart(_curve_spec(snap, name), width="stretch", height=CHART_HEIGHT)
    st.caption(t("train.curves_caption"))
    _grid(snap)


def _live_panel(job: TrainingJob) -> None:
    # One block holding both fragments: when training ends, the element drawn in its place
    # replaces all of it at once.
    with st.container():
        _live_status(job)
        _live_charts(job)


# -- results --------------------------------------------------------------------------------


def _final_message(snap: TrainingSnapshot) -> bool:
    """Say how the last training ended; ``False`` if there is nothing to say."""
    outcome = snap.outcome
    if snap.status == "error":
        st.error(t("train.failed", reason=snap.error), icon=":material/error:")
    elif snap.status == "cancelled":
        st.info(t("train.cancelled"))
    elif snap.status == "stopped" and outcome is not None:
        st.warning(
            t("train.stopped", done=_epochs(outcome.run.epochs_done)), icon=":material/pause:"
        )
    elif snap.status == "complete" and outcome is not None:
        seconds = outcome.run.history[-1].get("time", 0.0) if outcome.run.history else 0.0
        st.success(
            t("train.complete", done=_epochs(outcome.run.epochs_done), time=duration(seconds)),
            icon=":material/check_circle:",
        )
    else:
        return False
    return True


def _results(run: Run, model: ConvVAE, data: ImageDataset) -> None:
    set_current_run(run.run_id)
    st.subheader(t("train.results"))
    render_results(run, model, data)


def render() -> None:
    """Draw the Train page."""
    selection = sidebar.render()
    st.title(t("train.title"))
    st.caption(t("train.intro"))
    data = selection.data
    if data is not None:
        sidebar.fallback_notice(selection.requested, data)

    job = REGISTRY.get(session_id(), TrainingJob.kind)
    training = job is not None and job.active
    config = selection.config
    run, model, problem = None, None, None
    if not training and config is not None and run_store().exists(config.run_id):
        try:
            run, model = open_cached_run(config.run_id)
        except RunError as exc:
            problem = t("train.run_broken", reason=exc)
    # The Train button comes first, so that it is on the first screen of a laptop (1366×768); the
    # architecture follows, open only before the first training of these settings.
    # The live panel is one block. When training ends, an empty element takes its place: a
    # block would keep the panel's elements on screen, faded, until the results are drawn.
    if training:
        _live_panel(job)
        architecture.render(selection.model, expanded=False)
        return
    st.empty()
    with st.container():
        if problem:
            st.error(problem)
        left, right = st.columns([2, 3])
        with left:
            _dataset_box(selection.info, data)
        with right:
            if config is None:
                st.info(t("train.fix_settings"))
            else:
                same_run = job is not None and job.run_id == config.run_id
                finished = job.snapshot() if same_run else None
                _actions(selection, run, finished, broken=problem is not None)
    architecture.render(selection.model, expanded=run is None)
    if run is not None and data is not None:
        _results(run, model, data)


render()
