"""Train page: pick hyperparameters, train in the background, watch the model learn.

Training runs in a worker thread (:mod:`vaelab.app.worker`) kept in a process-wide registry, so
leaving the page or changing a widget never stops it; a fragment redraws its progress.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from vaelab.app import architecture, sidebar
from vaelab.app.i18n import t
from vaelab.app.state import run_store, session_id, set_current_run
from vaelab.app.worker import REGISTRY, ProgressSnapshot, TrainingJob, comparison_grid
from vaelab.config import RunConfig
from vaelab.data import DatasetInfo, ImageDataset
from vaelab.errors import RunError
from vaelab.experiment import fixed_batch, open_run
from vaelab.runs import MANIFEST, Run
from vaelab.variants import VARIANTS

try:
    from vaelab.app.results_view import render_results
except ImportError:  # the results tabs land separately; until then a short summary is shown
    render_results = None

#: Seconds between two redraws of the live training panel.
REFRESH_S = 0.7
EXTRA_EPOCHS_DEFAULT = 5


def _duration(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def _dataset_label(name: str) -> str:
    return t(f"dataset.{name}") if name in sidebar.dataset_names() else Path(name).name


def _run_label(config: RunConfig) -> str:
    model = config.model
    layers = "-".join(map(str, model.hidden))
    return t(
        "train.run_label",
        variant=VARIANTS[model.variant].label,
        dataset=_dataset_label(config.data.dataset),
        latent=model.latent_dim,
        layers=layers,
    )


# -- dataset box ----------------------------------------------------------------------------


def _dataset_box(info: DatasetInfo | None, data: ImageDataset | None) -> None:
    with st.container(border=True):
        if info is None:
            st.markdown(t("train.dataset_none"))
            return
        st.markdown(f"**{_dataset_label(info.id)}**")
        n_train = len(data.train_x) if data is not None else info.n_train
        n_test = len(data.test_x) if data is not None else info.n_test
        shape = "×".join(map(str, info.shape))
        st.markdown(
            t("train.dataset_size", train=_number(n_train), test=_number(n_test), shape=shape)
        )
        if info.classes:
            shown = ", ".join(info.classes[:10]) + (" …" if len(info.classes) > 10 else "")
            st.markdown(t("train.dataset_classes", n=len(info.classes), names=shown))
        else:
            st.markdown(t("train.dataset_unlabelled"))
        key = "train.dataset_local" if info.available_locally else "train.dataset_download"
        st.caption(t(key))


# -- cached runs ----------------------------------------------------------------------------


@st.cache_resource(max_entries=4, show_spinner=False)
def _open_cached(root: str, run_id: str, stamp: tuple[int, int]) -> tuple[Run, object]:
    # ``stamp`` (size and mtime of the manifest) makes a newly saved run load afresh.
    return open_run(run_store(), run_id)


def _load_run(run_id: str) -> tuple[Run, object] | None:
    """The saved run and its model, or ``None`` (with a message) when it cannot be read."""
    store = run_store()
    try:
        stat = (store.path(run_id) / MANIFEST).stat()
        return _open_cached(str(store.root), run_id, (stat.st_size, stat.st_mtime_ns))
    except (RunError, OSError) as exc:
        st.error(t("train.run_broken", reason=exc))
        return None


def _start(selection: sidebar.Selection, config: RunConfig, *, retrain: bool = False) -> None:
    job = TrainingJob(config, selection.data, run_store(), device=selection.device, retrain=retrain)
    REGISTRY.start(session_id(), job)
    set_current_run(config.run_id)
    st.rerun()


def _actions(selection: sidebar.Selection, run: Run | None) -> None:
    """Train, or for a cached run: continue it or retrain it from scratch."""
    config = selection.config
    target = config.train.epochs
    with st.container(border=True):
        st.markdown(f"**{_run_label(config)}**")
        if run is None:
            st.markdown(t("train.new_run", epochs=target))
            if st.button(
                t("train.train"), type="primary", key="train", icon=":material/play_arrow:"
            ):
                _start(selection, config)
            return
        if run.epochs_done < target:
            st.info(t("train.partial", done=run.epochs_done, target=target))
            if st.button(
                t("train.continue_to", target=target),
                type="primary",
                key="train",
                icon=":material/play_arrow:",
            ):
                _start(selection, config)
        else:
            st.success(t("train.cached", done=run.epochs_done))
            left, right = st.columns([1, 1], vertical_alignment="bottom")
            extra = left.number_input(
                t("train.extra_epochs"),
                min_value=1,
                max_value=sidebar.EPOCHS_MAX,
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


def _curve_chart(snap: ProgressSnapshot, name: str) -> None:
    points = [p for p in snap.curve if name in p]
    st.caption(t(f"metric.{name}"))
    if points:
        label = t(f"metric.{name}")
        data = {t("train.step"): [p["step"] for p in points], label: [p[name] for p in points]}
        st.line_chart(data, x=t("train.step"), y=label, height=180)


def _epoch_chart(history: list[dict[str, float]]) -> None:
    if not history:
        return
    st.caption(t("train.epoch_curves"))
    data = {
        t("train.epoch"): [r["epoch"] for r in history],
        t("train.train_loss"): [r.get("train_loss") for r in history],
        t("train.test_loss"): [r.get("test_loss") for r in history],
    }
    st.line_chart(
        data,
        x=t("train.epoch"),
        y=[t("train.train_loss"), t("train.test_loss")],
        height=220,
    )


def _progress(snap: ProgressSnapshot) -> None:
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
        speed=_number(step.images_per_second),
        eta=_duration(step.eta),
    )
    st.progress(step.fraction, text=text)


def _grid(snap: ProgressSnapshot) -> None:
    if snap.grid is not None:
        st.image(
            snap.grid,
            caption=t("train.recon_caption", epoch=f"{snap.grid_epoch:.1f}"),
            width="stretch",
            clamp=True,
        )


def _live_view(snap: ProgressSnapshot, job: TrainingJob) -> None:
    st.markdown(t("train.training", run=_run_label(job.config)))
    if snap.status == "queued":
        st.info(t("train.queued", ahead=snap.queue_position), icon=":material/hourglass_top:")
    else:
        _progress(snap)
    if st.button(
        t("train.stop"), key="stop", icon=":material/stop:", disabled=job.stop_event.is_set()
    ):
        job.stop()
        st.rerun(scope="fragment")
    if job.stop_event.is_set():
        st.caption(t("train.stopping"))
    if snap.step is not None:
        names = [n for n in _METRICS if n in snap.step.metrics]
        for column, name in zip(st.columns(len(names)), names, strict=True):
            with column:
                st.metric(t(f"metric.{name}"), f"{snap.step.metrics[name]:.4g}")
                _curve_chart(snap, name)
    left, right = st.columns([3, 2])
    with left:
        _grid(snap)
    with right:
        _epoch_chart(snap.history)


@st.fragment(run_every=REFRESH_S)
def _live_panel(job: TrainingJob) -> None:
    snap = job.progress.snapshot()
    if not snap.active:
        # Finished: a full rerun replaces the live panel with the results.
        st.rerun()
    _live_view(snap, job)


# -- results --------------------------------------------------------------------------------


def _final_message(snap: ProgressSnapshot) -> None:
    outcome = snap.outcome
    if snap.status == "error":
        st.error(t("train.failed", reason=snap.error), icon=":material/error:")
    elif snap.status == "cancelled":
        st.info(t("train.cancelled"))
    elif snap.status == "stopped" and outcome is not None:
        st.warning(t("train.stopped", done=outcome.run.epochs_done), icon=":material/pause:")
    elif snap.status == "complete" and outcome is not None:
        seconds = outcome.run.history[-1].get("time", 0.0) if outcome.run.history else 0.0
        st.success(
            t("train.complete", done=outcome.run.epochs_done, time=_duration(seconds)),
            icon=":material/check_circle:",
        )


def _summary(run: Run, model: object, data: ImageDataset) -> None:
    """Loss curves and reconstructions, shown until the results tabs are available."""
    left, right = st.columns([3, 2])
    with left:
        images = fixed_batch(data).float() / 255.0
        st.image(
            comparison_grid(images, model.reconstruct(images), scale=3),
            caption=t("train.recon_caption", epoch=f"{run.epochs_done:.1f}"),
            width="stretch",
        )
    with right:
        _epoch_chart(run.history)


def _results(run: Run, model: object, data: ImageDataset) -> None:
    set_current_run(run.run_id)
    st.subheader(t("train.results"))
    if render_results is not None:
        render_results(run, model, data)
    else:
        _summary(run, model, data)


def render() -> None:
    """Draw the Train page."""
    selection = sidebar.render()
    st.title(t("train.title"))
    st.caption(t("train.intro"))
    data = selection.data
    if data is not None and data.notice and data.name != selection.requested:
        st.warning(
            t(
                "train.offline_notice",
                requested=_dataset_label(selection.requested),
                used=_dataset_label(data.name),
                n=_number(len(data.train_x) + len(data.test_x)),
            ),
            icon=":material/wifi_off:",
        )

    job = REGISTRY.get(session_id())
    if job is not None and job.active:
        architecture.render(selection.model, expanded=False)
        _live_panel(job)
        return

    config = selection.config
    store = run_store()
    run = None
    if config is not None and store.exists(config.run_id):
        loaded = _load_run(config.run_id)
        run = loaded[0] if loaded else None
    architecture.render(selection.model, expanded=run is None)

    left, right = st.columns([2, 3])
    with left:
        _dataset_box(selection.info, data)
    with right:
        if config is None:
            st.info(t("train.fix_settings"))
        else:
            _actions(selection, run)

    if job is not None and config is not None and job.run_id == config.run_id:
        _final_message(job.progress.snapshot())
    if run is not None and data is not None:
        _results(run, loaded[1], data)


render()
