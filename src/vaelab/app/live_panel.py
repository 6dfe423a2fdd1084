"""The live view of a training: progress, Pause/Step/Resume/Stop, curves, images, latent map.

The Train page draws it while its browser's training is queued or running, after a reload too:
everything comes from the job's :meth:`~vaelab.app.jobs.Job.snapshot`, so a new session of the
same browser shows what the old one showed. Fragments redraw it: the progress and the loss
terms every second, the charts every three seconds (the browser works hard for them); the
controls with the page.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from vaelab.app.charts import localized
from vaelab.app.compare_job import ComparisonSnapshot
from vaelab.app.i18n import current_language, t
from vaelab.app.jobs import Job
from vaelab.app.lab.map import latent_chart
from vaelab.app.labels import run_title
from vaelab.app.training_job import TrainingJob, TrainingSnapshot
from vaelab.i18n import decimal, duration, whole

#: Seconds between two redraws of the training progress, and of the curves and reconstructions.
#: Every redraw costs the browser and the server CPU that training would use (two cores here).
STATUS_REFRESH_S, CHARTS_REFRESH_S = 1.0, 3.0
CHART_HEIGHT = 180
#: Most steps one press of Step runs; longer is what Resume is for.
STEPS_MAX = 1000
#: Session-state key of the number of steps Step runs.
STEPS_KEY = "live_steps"
_METRICS = ("loss", "recon", "kl", "sigma")


def _curve_spec(snap: TrainingSnapshot, name: str, lang: str) -> dict:
    """Vega-Lite spec of one loss term: per-step training values and per-epoch test values.

    Its axes write numbers in ``lang`` (:func:`vaelab.app.charts.localized`).

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
    spec = {
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
    return localized(spec, lang)


def waiting(snap: TrainingSnapshot | ComparisonSnapshot) -> bool:
    """Say that ``snap``'s job waits for the jobs ahead of it, if any is; whether it said so.

    A queued job with nothing ahead is one whose worker process is starting: the caller shows its
    progress, which says so, rather than "waiting (0 ahead)".
    """
    if snap.status == "queued" and snap.queue_position > 0:
        st.info(t("train.queued", ahead=snap.queue_position), icon=":material/hourglass_top:")
        return True
    return False


def progress(snap: TrainingSnapshot) -> None:
    """A progress bar of ``snap``: epoch, step, speed and time left, or that it is paused."""
    step = snap.step
    if step is None:
        st.progress(0.0, text=t("train.starting"))
        return
    where = dict(
        epoch=step.epoch, epochs=step.epochs, step=step.step_in_epoch, steps=step.steps_per_epoch
    )
    if snap.paused:
        # No speed or time left: a paused training has neither.
        text = t("live.paused_progress", **where)
    else:
        text = t(
            "train.progress", **where, speed=whole(step.images_per_second), eta=duration(step.eta)
        )
    st.progress(step.fraction, text=text)


def show_reconstructions(snap: TrainingSnapshot) -> None:
    """The latest test images and reconstructions of ``snap``, with the epochs behind them."""
    if snap.grid is not None:
        st.image(
            snap.grid,
            caption=t(
                "train.recon_caption", epoch=decimal(snap.grid_epoch, ".1f", current_language())
            ),
            width="stretch",
            clamp=True,
        )


def _step(job: TrainingJob) -> None:
    job.step(int(st.session_state.get(STEPS_KEY, 1)))


def stop_button(where: Any, job: Job, key: str) -> None:
    """Stop ``job``, in ``where`` (a column or ``st``); disabled once asked.

    A callback, so that the stop reaches the job before the page redraws.
    """
    where.button(
        t("train.stop"),
        key=key,
        icon=":material/stop:",
        disabled=job.control.stopped,
        on_click=job.stop,
        width="stretch",
    )


def _controls(job: TrainingJob) -> None:
    """Pause or Resume, a number of steps and Step, and Stop.

    Not in a fragment: a click in a fragment that redraws itself, or beside one, was lost now
    and then (a Stop that did nothing, in the browser tests); a click on the page reruns the
    page, which Streamlit never drops. It shows what was asked (the job's control), so a click
    changes it at once; the progress above says what the worker did. Callbacks, so that each
    command reaches the job before the page redraws.
    """
    control = job.control
    stopping = control.stopped
    pause, steps, step, stop = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    # Resume in place of Pause while the training holds.
    label, key, icon, command = (
        ("live.resume", "live_resume", ":material/play_arrow:", job.resume)
        if control.paused
        else ("live.pause", "live_pause", ":material/pause:", job.pause)
    )
    pause.button(t(label), key=key, icon=icon, disabled=stopping, on_click=command, width="stretch")
    steps.number_input(
        t("live.steps"),
        min_value=1,
        max_value=STEPS_MAX,
        value=1,
        step=1,
        help=t("live.steps_help", max=whole(STEPS_MAX)),
        key=STEPS_KEY,
    )
    step.button(
        t("live.step"),
        key="live_step",
        icon=":material/skip_next:",
        disabled=stopping,
        on_click=_step,
        args=(job,),
        width="stretch",
    )
    stop_button(stop, job, "stop")
    if stopping:
        st.caption(t("train.stopping"))
    elif control.paused:
        st.caption(t("live.paused"))


@st.fragment(run_every=STATUS_REFRESH_S)
def _status(job: TrainingJob) -> None:
    """What is training and how far it is: cheap, redrawn every second."""
    snap = job.snapshot()
    if not snap.active:
        # Finished: a full rerun replaces the live panel with the results.
        st.rerun()
    st.markdown(t("train.training", run=run_title(job.config)))
    if not waiting(snap):
        progress(snap)


@st.fragment(run_every=STATUS_REFRESH_S)
def _metrics(job: TrainingJob) -> None:
    """The latest loss terms, redrawn every second."""
    snap = job.snapshot()
    if snap.active and snap.step is not None:
        names = [n for n in _METRICS if n in snap.step.metrics]
        lang = current_language()
        for column, name in zip(st.columns(len(names)), names, strict=True):
            value = decimal(snap.step.metrics[name], ".4g", lang)
            column.metric(t(f"metric.{name}", lang), value)


@st.fragment(run_every=CHARTS_REFRESH_S)
def _charts(job: TrainingJob) -> None:
    """Loss curves and reconstructions: redrawn less often, the browser works hard for them."""
    snap = job.snapshot()
    if not snap.active or snap.step is None:
        return
    names = [n for n in _METRICS if n in snap.step.metrics]
    lang = current_language()
    for column, name in zip(st.columns(len(names)), names, strict=True):
        spec = _curve_spec(snap, name, lang)
        column.vega_lite_chart(spec, width="stretch", height=CHART_HEIGHT)
    st.caption(t("train.curves_caption"))
    if snap.latent is None:
        show_reconstructions(snap)
        return
    left, right = st.columns([1, 1])
    with left:
        show_reconstructions(snap)
    with right:
        _latent_map(job, snap)


def _latent_map(job: TrainingJob, snap: TrainingSnapshot) -> None:
    """The fixed test images on the latent map, with the prior's 1σ and 2σ rings."""
    lang = current_language()
    planar = job.config.model.latent_dim == 2
    axes = None if planar else (t("live.pc_axis", lang, i=1), t("live.pc_axis", lang, i=2))
    chart = latent_chart(
        snap.latent,
        snap.latent_labels,
        lang,
        classes=job.data.classes,
        axes=axes,
        prior_centre=snap.latent_centre,
    )
    st.altair_chart(chart, width="content")
    key = "live.latent_caption" if planar else "live.latent_caption_pca"
    epoch = decimal(snap.latent_epoch, ".1f", lang)
    st.caption(t(key, lang, n=whole(len(snap.latent)), epoch=epoch))


def render(job: TrainingJob) -> None:
    """Draw the live view of ``job``, which is queued or running."""
    # One block holding both fragments: when training ends, the element drawn in its place
    # replaces all of it at once.
    with st.container():
        _status(job)
        _controls(job)
        _metrics(job)
        _charts(job)
