"""Runs page: the browser's running jobs, then every cached run; open, download, delete, compare."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from vaelab import explore
from vaelab.app import live_panel, run_import
from vaelab.app.browser_id import browser_id
from vaelab.app.compare_job import ComparisonJob
from vaelab.app.export import ZIP_MIME, run_archive
from vaelab.app.i18n import current_language, t
from vaelab.app.jobs import REGISTRY, Job
from vaelab.app.labels import dataset_label, model_label, run_label, run_title
from vaelab.app.paths import runs_dir
from vaelab.app.run_cache import open_cached_run
from vaelab.app.state import set_current_run
from vaelab.app.training_job import TrainingJob
from vaelab.errors import RunError
from vaelab.explore import plots
from vaelab.i18n import decimal, duration, texts, whole
from vaelab.runs import FOREIGN, RunStore, RunSummary

RESULTS_PAGE = Path(__file__).resolve().parent / "results.py"
#: The page that shows each kind of job live.
JOB_PAGES = {
    TrainingJob.kind: Path(__file__).resolve().parent / "train.py",
    ComparisonJob.kind: Path(__file__).resolve().parent / "compare.py",
}
#: Seconds between two redraws of the running jobs.
RUNNING_REFRESH_S = 2.0
#: Most runs compared at once (beyond that, curves and sample grids are unreadable).
MAX_COMPARED = 6
_PENDING_DELETE = "runs.pending_delete"
_FLASH = "runs.flash"


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return ""


#: The table's columns of final test measures, by the key of their value in a run's ``final``.
MEASURE_COLUMNS = {
    "test_loss": "runs.col.loss",
    "test_kl": "runs.col.kl",
    "test_mse": "runs.col.mse",
}


def _row(summary: RunSummary) -> dict[str, Any]:
    config, final = summary.config, summary.final
    lang = current_language()
    row: dict[str, Any] = {}
    if config is not None:
        model = config.model
        likelihood = t(f"likelihood.{model.likelihood}")
        if model.variant == "sigma-vae":
            likelihood += f" ({t(f'scale.{model.scale}')})"
        row |= {
            t("runs.col.model"): model_label(model.variant),
            t("runs.col.dataset"): dataset_label(config.data.dataset),
            t("runs.col.latent"): model.latent_dim,
            t("runs.col.hidden"): ", ".join(str(w) for w in model.hidden),
            t("runs.col.likelihood"): likelihood,
            t("runs.col.beta"): decimal(model.beta, "g", lang),
            t("runs.col.epochs"): f"{summary.epochs_done} / {config.train.epochs}",
        }
    row |= {
        t("runs.col.status"): t(f"runs.status.{summary.status}"),
        # Written here in the session's language: the table's own number formats write a point.
        **{
            t(column): None if final.get(key) is None else decimal(final[key], ".4g", lang)
            for key, column in MEASURE_COLUMNS.items()
        },
        t("runs.col.updated"): _when(summary.updated),
        t("runs.col.run"): summary.run_id,
        t("runs.col.error"): summary.error or "",
    }
    return row


def _table(summaries: list[RunSummary]) -> None:
    number = st.column_config.TextColumn(alignment="right")
    st.dataframe(
        [_row(s) for s in summaries],
        hide_index=True,
        width="stretch",
        column_config={t(column): number for column in MEASURE_COLUMNS.values()},
    )


def _switch(page: Path, fallback: str) -> None:
    try:
        st.switch_page(page)
    except StreamlitAPIException:
        # The page runs outside the app's navigation (a test, or a custom launcher).
        st.info(fallback)


def _open(run_id: str) -> None:
    set_current_run(run_id)
    _switch(RESULTS_PAGE, t("runs.open_fallback"))


def _browser_jobs() -> list[Job]:
    """The jobs of this session's browser that are queued or running; never anyone else's."""
    owner = browser_id()
    jobs = (REGISTRY.get(owner, kind) for kind in JOB_PAGES)
    return [job for job in jobs if job is not None and job.active]


def _job_progress(job: Job) -> None:
    snap = job.snapshot()
    if live_panel.waiting(snap):
        return
    if isinstance(job, TrainingJob):
        live_panel.progress(snap)
    elif snap.current is None:  # its worker process is starting
        st.progress(0.0, text=t("train.starting"))
    else:
        overall = snap.current.overall
        text = t("runs.running.compare_progress", percent=whole(100 * overall))
        st.progress(overall, text=f"{text} · {t('compare.elapsed', time=duration(snap.elapsed))}")


def _running(jobs: list[Job]) -> None:
    """The browser's running jobs with their progress, a link to their page and Stop.

    The progress redraws every few seconds. The buttons are not in a fragment: a click in a
    fragment that redraws itself, or beside one, was lost now and then; a click on the page
    reruns the page, which Streamlit never drops.
    """
    shown = tuple(id(job) for job in jobs)
    st.subheader(t("runs.running.header"))
    for job in jobs:
        with st.container(border=True):
            _job_status(job, shown)
            _job_buttons(job)


@st.fragment(run_every=RUNNING_REFRESH_S)
def _job_status(job: Job, shown: tuple[int, ...]) -> None:
    """Title and progress of ``job``.

    When the browser's jobs change, the whole page redraws (``shown`` are those the page
    listed), so that a finished run appears in the table.
    """
    if tuple(id(job) for job in _browser_jobs()) != shown:
        st.rerun()
    title = run_title(job.config) if isinstance(job, TrainingJob) else t("compare.title")
    st.markdown(f"**{title}**")
    _job_progress(job)


def _job_buttons(job: Job) -> None:
    watch, stop, _ = st.columns([1, 1, 3])
    if watch.button(
        t("runs.running.watch"),
        key=f"runs.watch.{job.kind}",
        icon=":material/visibility:",
        width="stretch",
    ):
        _switch(JOB_PAGES[job.kind], t("runs.running.watch_fallback"))
    live_panel.stop_button(stop, job, f"runs.stop.{job.kind}")
    if job.control.stopped:
        st.caption(t("train.stopping"))


def _actions(store: RunStore, summaries: list[RunSummary], labels: dict[str, str]) -> None:
    by_id = {s.run_id: s for s in summaries}
    run_id = st.selectbox(
        t("runs.select"), list(by_id), format_func=labels.get, key="runs.selected"
    )
    summary = by_id[run_id]
    broken = summary.error is not None
    open_column, download_column, delete_column, _ = st.columns([1, 1, 1, 2])
    with open_column:
        if st.button(
            t("runs.open"),
            key="runs.open",
            disabled=broken,
            type="primary",
            icon=":material/insights:",
            width="stretch",
        ):
            _open(run_id)
    with download_column:
        archive = None
        if not broken:
            try:
                archive = run_archive(str(store.root), run_id, summary.updated)
            except RunError as exc:
                st.warning(str(exc))
        st.download_button(
            t("runs.download"),
            archive or b"",
            file_name=f"{run_id}.zip",
            mime=ZIP_MIME,
            key="runs.download",
            disabled=archive is None,
            icon=":material/download:",
            on_click="ignore",
            width="stretch",
        )
    # A folder the store did not create is never offered for deletion.
    with delete_column:
        if summary.status != FOREIGN and st.button(
            t("runs.delete"), key="runs.delete", icon=":material/delete:", width="stretch"
        ):
            st.session_state[_PENDING_DELETE] = run_id
    if st.session_state.get(_PENDING_DELETE) == run_id:
        st.warning(t("runs.delete_confirm", run=labels[run_id]), icon=":material/warning:")
        yes, no, _ = st.columns([1, 1, 3])
        if yes.button(t("runs.delete_yes"), key="runs.delete_yes", type="primary"):
            del st.session_state[_PENDING_DELETE]
            try:
                store.delete(run_id)
            except RunError as exc:
                st.error(t("runs.delete_error", error=str(exc)))
                return
            st.session_state[_FLASH] = t("runs.deleted", run=labels[run_id])
            st.rerun()
        if no.button(t("runs.delete_no"), key="runs.delete_no"):
            del st.session_state[_PENDING_DELETE]
            st.rerun()


@st.cache_data(max_entries=16, show_spinner=False)
def _compare_png(
    key: tuple[tuple[str, str, str], ...], lang: str, _histories: dict[str, list]
) -> bytes:
    return plots.png_bytes(plots.compare_curves(_histories, labels=texts("plot", lang)))


@st.cache_data(max_entries=32, show_spinner=False)
def _compare_samples(run_id: str, updated: str, _model: Any) -> Any:
    images = explore.sample_prior(_model, 16, temperature=1.0, seed=0)
    scale = plots.upscale_for_display(max(images.shape[-2:]), 56)
    return plots.image_grid(images, nrow=4, scale=scale)


def _compare(summaries: list[RunSummary], labels: dict[str, str]) -> None:
    st.subheader(t("runs.compare.header"))
    usable = [s.run_id for s in summaries if s.error is None]
    chosen = st.multiselect(
        t("runs.compare.pick"),
        usable,
        format_func=labels.get,
        placeholder=t("runs.compare.placeholder"),
        key="runs.compare",
    )
    # Not Streamlit's max_selections: its message at the limit is in English only.
    if len(chosen) > MAX_COMPARED:
        st.warning(t("runs.compare.too_many", most=MAX_COMPARED))
        chosen = chosen[:MAX_COMPARED]
    if len(chosen) < 2:
        st.caption(t("runs.compare.hint"))
        return
    loaded = []
    for run_id in chosen:
        try:
            loaded.append(open_cached_run(run_id))
        except RunError as exc:
            st.error(t("runs.compare.load_error", run=labels[run_id], error=str(exc)))
    if not loaded:
        return
    histories = {labels[run.run_id]: run.history for run, _ in loaded}
    key = tuple((run.run_id, run.updated, labels[run.run_id]) for run, _ in loaded)
    st.image(_compare_png(key, current_language(), histories), width="stretch")
    st.caption(t("runs.compare.caption"))
    st.markdown(f"**{t('runs.compare.samples')}**")
    columns = st.columns(len(loaded))
    for column, (run, model) in zip(columns, loaded, strict=True):
        with column:
            st.image(
                _compare_samples(run.run_id, run.updated, model),
                caption=labels[run.run_id],
                width="stretch",
            )


def render() -> None:
    """Draw the Runs page."""
    st.title(t("runs.title"))
    store = RunStore(runs_dir())
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    running = _browser_jobs()
    if running:
        _running(running)
    run_import.render()
    summaries = store.list()
    if not summaries:
        st.info(t("runs.empty", folder=store.root))
        return
    st.caption(t("runs.intro", folder=store.root))
    _table(summaries)
    broken = [s for s in summaries if s.error is not None and s.status != FOREIGN]
    if broken:
        st.warning(t("runs.broken", n=len(broken)), icon=":material/warning:")
    foreign = sum(s.status == FOREIGN for s in summaries)
    if foreign:
        st.info(t("runs.foreign", n=foreign), icon=":material/folder_off:")
    labels = {
        s.run_id: run_label(s.run_id, s.config) if s.error is None else f"⚠ {s.run_id}"
        for s in summaries
    }
    _actions(store, summaries, labels)
    _compare(summaries, labels)


render()
