"""Train page: pick hyperparameters, train in the background, watch the model learn.

Training runs in the background (:mod:`vaelab.app.training_job`), kept in a process-wide
registry under the browser's id, so leaving the page, changing a widget or reloading the tab
never stops or hides it; :mod:`vaelab.app.live_panel` draws its progress.
"""

from __future__ import annotations

import streamlit as st

from vaelab.app import architecture, estimate, live_panel, sidebar, widgets
from vaelab.app.browser_id import browser_id
from vaelab.app.i18n import current_language, t
from vaelab.app.jobs import REGISTRY
from vaelab.app.labels import dataset_label, run_title
from vaelab.app.run_cache import open_cached_run
from vaelab.app.state import run_store, set_current_run
from vaelab.app.tabs import render_results
from vaelab.app.training_job import TrainingJob, TrainingSnapshot
from vaelab.config import RunConfig
from vaelab.data import DatasetInfo, ImageDataset
from vaelab.errors import RunError
from vaelab.i18n import count, duration, size, whole
from vaelab.models import ConvVAE
from vaelab.runs import Run

EXTRA_EPOCHS_DEFAULT = 5
#: Session-state key of the training this session shows (``id`` of the job; see ``_follow``).
_SHOWN_JOB_KEY = "train.shown_job"
#: Session-state key of the start a button asked for (see ``_request``).
_REQUEST_KEY = "train.request"


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


def _request(kind: str) -> None:
    """A start button's callback: ``"train"``, ``"more"`` (epochs) or ``"retrain"``.

    The click's own run of the page carries it out (:func:`_carry_out`) and draws the live panel:
    one run, not a second one asked for by ``st.rerun``; and with the settings of that run, so
    that a value typed just before the click (sent with it) counts.
    """
    st.session_state[_REQUEST_KEY] = kind


def _carry_out(
    kind: str, selection: sidebar.Selection, run: Run | None, *, broken: bool
) -> TrainingJob | None:
    """Start what ``kind`` asked for, if the settings still allow it; the job, else ``None``.

    ``"train"`` trains a new run (replacing a ``broken`` one) or continues the cached ``run`` to
    the sidebar's epochs, ``"more"`` adds the extra epochs to a finished one, ``"retrain"``
    starts again from scratch.
    """
    config = selection.config
    if config is None:
        return None
    if kind == "retrain":
        return _start(selection, config, retrain=True)
    if kind == "more":
        if run is None:
            return None
        extra = int(st.session_state.get("extra_epochs", EXTRA_EPOCHS_DEFAULT))
        return _start(selection, config.with_epochs(run.epochs_done + extra), retrain=False)
    if run is not None and run.epochs_done >= config.train.epochs:
        return None
    return _start(selection, config, retrain=broken)


def _start(selection: sidebar.Selection, config: RunConfig, *, retrain: bool) -> TrainingJob:
    job = TrainingJob(config, selection.data, run_store(), device=selection.device, retrain=retrain)
    # The browser's training if one is already running (in another tab): never a second one.
    started = REGISTRY.start(browser_id(), job)
    st.session_state[_SHOWN_JOB_KEY] = id(started)
    set_current_run(started.run_id)
    return started


def _follow(job: TrainingJob | None) -> None:
    """Make this session show the browser's latest training: its settings and its run.

    A reload, or a second tab, is a new session with the sidebar's defaults; it takes the
    settings of the browser's training once, before the sidebar draws, so that the sidebar
    describes what the live panel shows. What the user changes afterwards is kept.
    """
    if job is None or st.session_state.get(_SHOWN_JOB_KEY) == id(job):
        return
    st.session_state[_SHOWN_JOB_KEY] = id(job)
    st.session_state.update(sidebar.widget_values(job.config, job.device))
    set_current_run(job.run_id)


def _actions(
    selection: sidebar.Selection, run: Run | None, finished: TrainingSnapshot | None
) -> None:
    """Train, or for a cached run: continue it or retrain it from scratch.

    ``finished`` is this session's last training of the same run, whose outcome replaces the
    cache message.
    """
    config = selection.config
    target = config.train.epochs
    with st.container(border=True):
        st.markdown(f"**{run_title(config)}**")
        reported = finished is not None and _final_message(finished)
        if run is None:
            if not reported:
                st.markdown(t("train.new_run", epochs=_epochs(target)))
            st.caption(estimate.training_text(config, selection.data))
            st.button(
                t("train.train"),
                type="primary",
                key="train",
                icon=":material/play_arrow:",
                on_click=_request,
                args=("train",),
            )
            return
        if run.epochs_done < target:
            if not reported:
                st.info(t("train.partial", done=_epochs(run.epochs_done), target=_epochs(target)))
            st.caption(estimate.training_text(config, selection.data, run.epochs_done))
            st.button(
                t("train.continue_to", target=_epochs(target)),
                type="primary",
                key="train",
                icon=":material/play_arrow:",
                on_click=_request,
                args=("train",),
            )
        else:
            if not reported:
                st.success(t("train.cached", done=_epochs(run.epochs_done)))
            left, right = st.columns([1, 1], vertical_alignment="bottom")
            left.number_input(
                t("train.extra_epochs"),
                min_value=1,
                max_value=widgets.EPOCHS_MAX,
                value=EXTRA_EPOCHS_DEFAULT,
                help=t("train.extra_epochs_help"),
                key="extra_epochs",
            )
            right.button(
                t("train.continue"),
                key="continue",
                icon=":material/fast_forward:",
                on_click=_request,
                args=("more",),
            )
        st.button(
            t("train.retrain"),
            key="retrain",
            icon=":material/restart_alt:",
            on_click=_request,
            args=("retrain",),
        )


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
    # The title first: the page answers at once, while the sidebar loads the dataset.
    st.title(t("train.title"))
    st.caption(t("train.intro"))
    job = REGISTRY.get(browser_id(), TrainingJob.kind)
    _follow(job)
    selection = sidebar.render()
    data = selection.data
    if data is not None:
        sidebar.fallback_notice(selection.requested, data)

    training = job is not None and job.active
    config = selection.config
    run, model, problem = None, None, None
    if not training and config is not None and run_store().exists(config.run_id):
        try:
            run, model = open_cached_run(config.run_id)
        except RunError as exc:
            problem = t("train.run_broken", reason=exc)
    request = st.session_state.pop(_REQUEST_KEY, None)
    if request is not None and not training:
        started = _carry_out(request, selection, run, broken=problem is not None)
        if started is not None:
            job, training = started, started.active
    # The Train button comes first, so that it is on the first screen of a laptop (1366×768); the
    # architecture follows, open only before the first training of these settings.
    # The live panel is one block. When training ends, an empty element takes its place: a
    # block would keep the panel's elements on screen, faded, until the results are drawn.
    if training:
        live_panel.render(job)
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
                # Said here too: on a phone the sidebar, where it stands, starts closed.
                if selection.problem:
                    st.error(selection.problem, icon=":material/error:")
                st.info(t("train.fix_settings"))
            else:
                same_run = job is not None and job.run_id == config.run_id
                finished = job.snapshot() if same_run else None
                _actions(selection, run, finished)
    architecture.render(selection.model, expanded=run is None)
    if run is not None and data is not None:
        _results(run, model, data)


render()
