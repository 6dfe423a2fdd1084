"""Compare page: the σ-VAE paper's experiment, one architecture trained several ways.

A Gaussian VAE with a fixed σ, β-VAEs for a range of β and a σ-VAE with the optimal σ are trained
with the same network, seed and epochs, then measured (:func:`vaelab.compare.run_comparison`).
The sweep runs in a worker thread (:mod:`vaelab.app.compare_job`) kept in the process-wide job
registry, so leaving the page never stops it; a fragment redraws its progress. Before anything
is run, the page shows the committed reference on the chosen dataset
(:mod:`vaelab.compare.reference`), read from the package's files.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from vaelab.app import estimate, live_panel, sidebar, widgets
from vaelab.app.browser_id import browser_id
from vaelab.app.compare_job import ComparisonJob, ComparisonSnapshot
from vaelab.app.compare_view import render_comparison, render_seeds, seeds_caption
from vaelab.app.i18n import current_language, t
from vaelab.app.jobs import REGISTRY
from vaelab.app.labels import contender_name, dataset_label, layers_label
from vaelab.app.paths import data_dir
from vaelab.app.state import run_store
from vaelab.compare import DEFAULT_BETAS, CompareSettings, contenders, reference_for
from vaelab.compare.reference import differences
from vaelab.data import ImageDataset, dataset_names
from vaelab.errors import ConfigError, DatasetError, DatasetUnavailableError
from vaelab.explore.plots import image_grid, upscale_for_display
from vaelab.i18n import duration
from vaelab.metrics import classifier_cache_dir

#: Seconds between two redraws of the progress.
REFRESH_S = 1.0
#: β offered for the β-VAE rows: the paper's sweep.
BETA_CHOICES = DEFAULT_BETAS
_DEFAULT = CompareSettings()
#: (setting, lowest, highest, step) of the number inputs of the measures.
MEASURES = (
    ("iwae_k", 1, 10_000, 10),
    ("iwae_images", 0, 100_000, 100),
    ("fd_images", 0, 100_000, 100),
)
#: Prefix of the keys of the shared widgets (:mod:`vaelab.app.widgets`).
PREFIX = "cmp"
#: Default of every widget, by key (kept for the session, as in the sidebar).
DEFAULTS: dict[str, object] = {
    "cmp_dataset": "mnist-5k",
    "cmp_latent": _DEFAULT.latent_dim,
    "cmp_hidden": list(_DEFAULT.hidden),
    "cmp_epochs": _DEFAULT.epochs,
    "cmp_batch": _DEFAULT.batch_size,
    "cmp_seed": _DEFAULT.seed,
    "cmp_betas": list(_DEFAULT.betas),
    "cmp_lr": _DEFAULT.lr,
    "cmp_iwae_k": _DEFAULT.iwae_k,
    "cmp_iwae_images": _DEFAULT.iwae_images,
    "cmp_fd_images": _DEFAULT.fd_images,
    "cmp_device": "auto",
}
#: The label of each setting of CompareSettings, to say which differ from a reference's.
SETTING_LABELS = {
    "latent_dim": "sidebar.latent",
    "hidden": "sidebar.hidden",
    "epochs": "sidebar.epochs",
    "batch_size": "sidebar.batch",
    "lr": "sidebar.lr",
    "seed": "sidebar.seed",
    "betas": "compare.betas",
    "iwae_k": "compare.iwae_k",
    "iwae_images": "compare.iwae_images",
    "fd_images": "compare.fd_images",
    "samples": "compare.samples",
}
_STATE_ICONS = {
    "pending": ":material/schedule:",
    "train": ":material/model_training:",
    "evaluate": ":material/straighten:",
    "done": ":material/check_circle:",
}


# -- the settings ---------------------------------------------------------------------------


def _settings_widgets() -> tuple[str, dict[str, object], str]:
    """The form; returns the dataset, the keyword arguments of CompareSettings and the device."""
    # Option labels in the language of this run: the test client formats them outside it.
    lang = current_language()
    left, right = st.columns(2)
    with left:
        dataset = st.selectbox(
            t("sidebar.dataset"),
            dataset_names(),
            format_func=lambda name: dataset_label(name, lang),
            help=t("sidebar.dataset_help"),
            key="cmp_dataset",
            persist_state="session",
        )
        latent = widgets.latent_slider(PREFIX)
        hidden = st.multiselect(
            t("sidebar.hidden"),
            widgets.WIDTHS,
            max_selections=widgets.MAX_LAYERS,
            help=t("sidebar.hidden_help"),
            key="cmp_hidden",
            persist_state="session",
        )
    with right:
        epochs = widgets.epochs_slider(PREFIX)
        batch_size = widgets.batch_slider(PREFIX)
        seed = widgets.seed_input(PREFIX)
    betas = st.multiselect(
        t("compare.betas"),
        BETA_CHOICES,
        format_func=widgets.number_format(lang),
        help=t("compare.betas_help"),
        key="cmp_betas",
        persist_state="session",
    )
    with st.expander(t("sidebar.advanced")):
        measures = {
            name: int(
                column.number_input(
                    t(f"compare.{name}"),
                    low,
                    high,
                    step=step,
                    help=t(f"compare.{name}_help"),
                    key=f"{PREFIX}_{name}",
                    persist_state="session",
                )
            )
            for column, (name, low, high, step) in zip(st.columns(3), MEASURES, strict=True)
        }
        first, second, _ = st.columns(3)
        with first:
            lr = widgets.lr_slider(PREFIX)
        with second:
            device = widgets.device_select(PREFIX)
    values = dict(
        latent_dim=latent,
        hidden=tuple(hidden),
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        betas=tuple(sorted(betas, reverse=True)),
        **measures,
    )
    return dataset, values, device


def _load(requested: str) -> ImageDataset | None:
    """The dataset, or ``None`` after saying why; a fallback to MNIST 5k is announced."""
    try:
        with st.spinner(t("sidebar.loading", name=dataset_label(requested))):
            data = sidebar.load_data(requested)
    except DatasetUnavailableError:
        st.error(
            t(
                "sidebar.dataset_unavailable",
                name=dataset_label(requested),
                id=requested,
                folder=data_dir().resolve(),
            )
        )
        return None
    except (DatasetError, ConfigError, OSError) as exc:
        st.error(t("sidebar.dataset_error", reason=exc))
        return None
    sidebar.fallback_notice(requested, data)
    return data


def _validate(values: dict[str, object], data: ImageDataset) -> CompareSettings | None:
    """The settings, or ``None`` after saying what is wrong."""
    if not values["betas"]:
        st.error(t("compare.betas_none"), icon=":material/error:")
        return None
    if not values["hidden"]:
        st.error(t("compare.hidden_none"), icon=":material/error:")
        return None
    try:
        settings = CompareSettings(**values)
        configs = [settings.config(c, data) for c in contenders(settings.betas)]
    except ConfigError as exc:
        st.error(t("sidebar.invalid", reason=exc), icon=":material/error:")
        return None
    summaries = {s.run_id: s for s in run_store().list()}
    cached = sum(
        c.run_id in summaries and summaries[c.run_id].epochs_done >= settings.epochs
        for c in configs
    )
    st.markdown(t("compare.plan", total=len(configs), cached=cached, todo=len(configs) - cached))
    st.caption(estimate.comparison_text(settings, configs, summaries, data))
    return settings


# -- live progress --------------------------------------------------------------------------


def _phase_text(snap: ComparisonSnapshot) -> str:
    current = snap.current
    if current is None:
        return t("train.starting")
    if current.contender is None:
        return t("compare.classifier")
    name = contender_name(current.contender, current_language())
    detail = current.detail
    if current.phase == "train" and detail:
        phase = t("compare.phase.train", epoch=detail["epoch"], epochs=detail["epochs"])
    elif current.phase == "evaluate" and "stage" in detail:
        phase = t("compare.phase.evaluate", stage=t(f"metrics.stage.{detail['stage']}"))
    elif current.phase == "done":
        phase = t("compare.phase.done")
    else:  # about to train or measure: loading the cached run, building the model
        phase = t("compare.phase.prepare")
    text = t("compare.progress", index=current.index + 1, total=current.total, model=name)
    text += f" · {phase} · " + t("compare.elapsed", time=duration(snap.elapsed))
    if snap.eta is not None:
        text += " · " + t("compare.eta", time=duration(snap.eta))
    return text


def _row_lines(snap: ComparisonSnapshot) -> str:
    lines = []
    lang = current_language()
    for contender, row in zip(snap.contenders, snap.rows, strict=True):
        if row.phase == "done":
            key = "compare.state.done" if row.worked else "compare.state.cached"
        else:
            key = f"compare.state.{row.phase}"
        state = t(key, time=duration(row.seconds), percent=round(100 * row.fraction))
        name = contender_name(contender, lang)
        lines.append(f"{_STATE_ICONS[row.phase]} **{name}** — {state}")
    return "  \n".join(lines)


def _live_panel(job: ComparisonJob) -> None:
    """The running comparison: its progress and Stop side by side, then its rows.

    Stop is not in a fragment: a click in a fragment that redraws itself, or beside one, was
    lost now and then; a click on the page reruns the page, which Streamlit never drops.
    """
    left, right = st.columns([6, 1], vertical_alignment="bottom")
    with left:
        _progress(job)
    live_panel.stop_button(right, job, "compare_stop")
    _rows(job)


@st.fragment(run_every=REFRESH_S)
def _progress(job: ComparisonJob) -> None:
    snap = job.snapshot()
    if not snap.active:
        # Finished: a full rerun replaces the live panel with the results.
        st.rerun()
    dataset = dataset_label(job.data.name)
    st.markdown(t("compare.running", n=len(snap.contenders), dataset=dataset))
    if not live_panel.waiting(snap):  # a starting job's progress says that it starts
        overall = snap.current.overall if snap.current is not None else 0.0
        st.progress(overall, text=_phase_text(snap))


@st.fragment(run_every=REFRESH_S)
def _rows(job: ComparisonJob) -> None:
    snap = job.snapshot()
    if job.control.stopped:
        st.caption(t("compare.stopping"))
    st.markdown(_row_lines(snap))
    _finished_rows(snap)


def _finished_rows(snap: ComparisonSnapshot) -> None:
    """The samples of every row done so far: the figure grows while the sweep runs."""
    lang = current_language()
    for contender, row in zip(snap.contenders, snap.rows, strict=True):
        samples = row.detail.get("samples") if row.phase == "done" else None
        if samples is not None:
            scale = upscale_for_display(samples.shape[-1], 56)
            st.image(
                image_grid(samples, nrow=len(samples), scale=scale),
                caption=contender_name(contender, lang),
            )


# -- the committed reference ----------------------------------------------------------------


def _reference(dataset: str, settings: CompareSettings | None) -> None:
    """The committed reference on ``dataset`` closest to ``settings``, or one line saying none.

    Nothing is trained or measured: the table and the findings come from its record, the
    figure from its samples (drawn in the page's language), or its PNG when it has none.
    """
    lang = current_language()
    try:
        reference = reference_for(dataset, settings)
    except ConfigError as exc:
        st.error(t("compare.reference.broken", reason=exc), icon=":material/error:")
        return
    if reference is None:
        st.info(t("compare.reference.none", dataset=dataset_label(dataset, lang)))
        return
    comparison, reference_settings = reference.comparison, reference.comparison.settings
    st.markdown(t("compare.reference.intro", start=t("compare.start")))
    if reference.sample_of is not None:  # on a sample of the dataset, not on all of it
        sample = dataset_label(comparison.dataset, lang)  # its file's name
        label = dataset_label(dataset, lang)
        st.info(t("compare.reference.sample", dataset=label, sample=sample), icon=":material/info:")
    st.caption(_summary(comparison.dataset, reference_settings))
    time = duration(comparison.seconds)
    if comparison.finished:
        finished = datetime.fromisoformat(comparison.finished).strftime("%Y-%m-%d %H:%M UTC")
        made = t("compare.reference.made", command=reference.command, date=finished, time=time)
    else:
        made = t("compare.reference.made_undated", command=reference.command, time=time)
    st.caption(made + " " + seeds_caption(reference.seeds, reference_settings.seed, lang))
    if settings is not None:
        names = differences(reference_settings, settings)
        if names:
            st.warning(
                t(
                    "compare.reference.differs",
                    settings=", ".join(t(SETTING_LABELS[n]) for n in names),
                ),
                icon=":material/tune:",
            )
    drawn = any(row.samples is not None for row in comparison.rows)
    figure = reference.figure.read_bytes() if reference.figure and not drawn else None
    render_comparison(comparison, f"reference-{reference.folder.name}", lang, figure)
    if reference.seeds is not None:
        render_seeds(reference.seeds, lang)


def _summary(dataset: str, settings: CompareSettings) -> str:
    """Dataset, latent size, layers, epochs and seed of a comparison, in one line."""
    return t(
        "compare.result.summary",
        dataset=dataset_label(dataset),
        latent=settings.latent_dim,
        layers=layers_label(settings.hidden),
        epochs=settings.epochs,
        seed=settings.seed,
    )


# -- the last result ------------------------------------------------------------------------


def _outcome(job: ComparisonJob) -> None:
    """Say how the session's last comparison ended and show what it found."""
    snap = job.snapshot()
    comparison = snap.comparison
    if snap.status == "error":
        st.error(t("compare.failed", reason=snap.error), icon=":material/error:")
        return
    if snap.status == "cancelled" or comparison is None:
        st.info(t("compare.cancelled"))
        return
    st.subheader(t("compare.result.header"))
    st.caption(_summary(comparison.dataset, comparison.settings))
    statuses = [row.status for row in comparison.rows]
    done = sum(row.samples is not None for row in comparison.rows)
    time = duration(comparison.seconds)
    if comparison.stopped:
        st.warning(
            t("compare.result.stopped", done=done, total=len(statuses), time=time),
            icon=":material/pause:",
        )
    else:
        st.success(
            t(
                "compare.result.complete",
                time=time,
                trained=statuses.count("trained"),
                cached=statuses.count("cached"),
            ),
            icon=":material/check_circle:",
        )
    render_comparison(comparison, key=job.token, lang=current_language())


def _start(data: ImageDataset, settings: CompareSettings, device: str) -> None:
    """Start the comparison of ``data`` with ``settings`` on ``device``, for this browser."""
    job = ComparisonJob(
        data,
        run_store(),
        settings,
        classifier_dir=classifier_cache_dir(data_dir()),
        device=device,
    )
    REGISTRY.start(browser_id(), job)


def render() -> None:
    """Draw the Compare page."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.title(t("compare.title"))
    st.markdown(t("compare.intro"))
    job = REGISTRY.get(browser_id(), ComparisonJob.kind)
    if job is not None and job.active:
        with st.container():
            _live_panel(job)
        return
    st.empty()
    with st.container(border=True):
        requested, values, device = _settings_widgets()
        data = _load(requested)
        settings = _validate(values, data) if data is not None else None
        # Not a callback: its arguments would be the settings drawn before the click, and a value
        # typed just before it (sent with the click) would be lost. The click's run has them.
        if st.button(
            t("compare.start"),
            type="primary",
            key="compare_start",
            icon=":material/play_arrow:",
            disabled=settings is None,
        ):
            _start(data, settings, device)
            st.rerun()  # the next run draws the live panel in place of the form
    if job is None:
        st.subheader(t("compare.reference.header"))
        _reference(requested, settings)
        return
    _outcome(job)
    label = t("compare.reference.earlier", dataset=dataset_label(requested))
    with st.expander(label, icon=":material/history_edu:"):
        _reference(requested, settings)


render()
