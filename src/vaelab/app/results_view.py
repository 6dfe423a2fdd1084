"""The results tabs of a trained run, shared by the Train and Results pages.

Widgets and layout only: the computations are :mod:`vaelab.explore` and the figures
:mod:`~vaelab.explore.plots`. Everything costly is cached per run (its id and the time it was
saved), so switching tabs and moving a slider redraw at once; the interactive tabs are fragments,
so a widget there reruns only its own tab.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
import torch

from vaelab import explore
from vaelab.app.i18n import STRINGS, current_language, localize_decimal, t
from vaelab.app.metrics_view import render_metrics
from vaelab.app.paths import data_dir, runs_dir
from vaelab.data import ImageDataset, load_dataset
from vaelab.data.images import ImageInputError, invert, load_image, suggest_invert
from vaelab.errors import ConfigError, DatasetError, RunError
from vaelab.explore import plots
from vaelab.models import ConvVAE
from vaelab.runs import MANIFEST, Run, RunStore
from vaelab.training.experiment import fixed_batch, open_run
from vaelab.variants import VARIANTS

#: Test images encoded for the latent map and the KL per dimension (enough to see the classes,
#: fast enough on a CPU).
MAX_ENCODED = 2000
#: Side, in screen pixels, that small images are scaled up to (nearest neighbour, so they stay
#: sharp).
DISPLAY_SIDE = 84
#: Screen width of a single image shown on its own (a caption must not stretch it).
SINGLE_WIDTH = 140
MANIFOLD_SIDE = 15
TRAVERSAL_STEPS = 9
_MIME_PNG = "image/png"


# -- loading a run for display ---------------------------------------------------------------


@st.cache_resource(max_entries=8, show_spinner=False)
def _open_run(root: str, run_id: str, stamp: int) -> tuple[Run, ConvVAE]:
    # `stamp` (the manifest's mtime) is part of the key so that a run trained further reloads.
    return open_run(RunStore(root), run_id)


def open_cached_run(run_id: str, root: Path | None = None) -> tuple[Run, ConvVAE]:
    """Load a saved run and its model once per save, for every session.

    Parameters
    ----------
    run_id : str
        Id of the run.
    root : Path, optional
        Folder of runs; :func:`vaelab.app.paths.runs_dir` by default.

    Returns
    -------
    tuple of Run and ConvVAE
        The run and its model, in eval mode on the CPU. Treat both as read-only: they are shared.

    Raises
    ------
    RunError
        If the run is missing, partial or corrupted.
    """
    store = RunStore(root or runs_dir())
    try:
        stamp = (store.path(run_id) / MANIFEST).stat().st_mtime_ns
    except OSError:
        stamp = 0  # open_run then says what is missing
    return _open_run(str(store.root), run_id, stamp)


def load_run_data(run: Run) -> tuple[ImageDataset | None, str | None]:
    """The images a run was trained on, or ``None`` and a translated reason.

    Parameters
    ----------
    run : Run
        The run.

    Returns
    -------
    tuple
        The dataset (only when its fingerprint matches the run's) and a message to show when it
        could not be used.
    """
    dataset = run.config.data.dataset
    try:
        data = load_dataset(
            dataset, data_dir(), download=False, image_size=run.config.data.image_size
        )
    except (DatasetError, ConfigError, OSError) as exc:
        error = " ".join(str(exc).split())
        return None, t("results.page.data_missing", dataset=dataset_label(dataset), error=error)
    if data.fingerprint != run.config.data.fingerprint:
        return None, t("results.page.data_changed", dataset=dataset_label(dataset))
    return data, None


def dataset_label(dataset: str) -> str:
    """Display name of a dataset id (the id itself for the user's folders)."""
    key = f"dataset.{dataset}"
    return t(key) if key in STRINGS["en"] else dataset


def run_label(run_id: str, config: Any) -> str:
    """Short description of a run for pickers and legends: model, dataset, z, β, id suffix."""
    if config is None:
        return run_id
    model = config.model
    variant = VARIANTS[model.variant]
    beta = "" if variant.beta_is_fixed else f" β={model.beta:g}"
    suffix = run_id.rsplit("-", 1)[-1][:6]
    return (
        f"{variant.label} · {dataset_label(config.data.dataset)} · z={model.latent_dim}{beta} "
        f"· {suffix}"
    )


def run_summary(run: Run) -> str:
    """One Markdown line describing a run (model, data, latent size, epochs)."""
    model = run.config.model
    return t(
        "results.summary",
        model=VARIANTS[model.variant].label,
        dataset=dataset_label(run.config.data.dataset),
        latent=model.latent_dim,
        epochs=run.epochs_done,
    )


# -- cached computations ---------------------------------------------------------------------


def plot_labels(lang: str) -> dict[str, str]:
    """Texts of the figures in ``lang``."""
    return {key: t(f"plot.{key}", lang) for key in plots.LABEL_KEYS}


def _scale(model: ConvVAE) -> int:
    return plots.upscale_for_display(max(model.config.height, model.config.width), DISPLAY_SIDE)


@dataclass(frozen=True)
class _Context:
    """What every tab needs, plus the cache key of the run's current weights and data."""

    run: Run
    model: ConvVAE
    data: ImageDataset | None
    key: str
    lang: str

    def text(self, key: str, **values: Any) -> str:
        """The string ``key`` in the run's language.

        Fragments rerun alone, so they use the language of the full run that drew them.
        """
        return t(key, self.lang, **values)

    @property
    def wkey(self) -> str:
        """Prefix of widget keys: widgets reset when another run is shown."""
        return f"results.{self.run.run_id}"


def _cache_key(run: Run, model: ConvVAE, data: ImageDataset | None) -> str:
    # A saved run is identified by its id and save time; an unsaved one by its model object.
    stamp = run.updated or f"unsaved-{run.epochs_done}-{id(model)}"
    return f"{run.run_id}@{stamp}@{data.fingerprint if data is not None else 'nodata'}"


@st.cache_data(max_entries=32, show_spinner=False)
def _curves_png(key: str, lang: str, _history: list[dict[str, float]]) -> bytes:
    return plots.png_bytes(plots.loss_curves(_history, labels=plot_labels(lang)))


@st.cache_data(max_entries=32, show_spinner=False)
def _reconstructions(key: str, _model: ConvVAE, _images: torch.Tensor) -> np.ndarray:
    originals = explore.as_input(_images)
    both = torch.cat([originals, explore.reconstruct(_model, originals)])
    return plots.image_grid(both, nrow=len(originals), scale=_scale(_model))


@st.cache_data(max_entries=64, show_spinner=False)
def _samples(key: str, seed: int, temperature: float, _model: ConvVAE) -> np.ndarray:
    images = explore.sample_prior(_model, 49, temperature=temperature, seed=seed)
    return plots.image_grid(images, nrow=7, scale=_scale(_model))


@st.cache_data(max_entries=16, show_spinner=False)
def _encoded(key: str, _model: ConvVAE, _images: torch.Tensor) -> explore.Latents:
    return explore.encode(_model, _images[:MAX_ENCODED])


@st.cache_data(max_entries=16, show_spinner=False)
def _projection(key: str, _model: ConvVAE, _images: torch.Tensor) -> explore.Projection:
    return explore.fit_projection(_encoded(key, _model, _images).mu)


def _scatter_figure(ctx: _Context, highlight: torch.Tensor | None = None) -> bytes:
    data = ctx.data
    latents = _encoded(ctx.key, ctx.model, data.test_x)
    projection = _projection(ctx.key, ctx.model, data.test_x)
    labels = plot_labels(ctx.lang)
    targets = None if data.test_y is None else data.test_y[: len(latents.mu)]
    fig = plots.latent_scatter(
        projection.transform(latents.mu),
        targets,
        data.classes,
        axes=plots.axis_titles(projection.method, projection.explained.tolist(), labels),
        highlight=None if highlight is None else projection.transform(highlight),
        labels=labels,
    )
    return plots.png_bytes(fig)


@st.cache_data(max_entries=32, show_spinner=False)
def _latent_map_png(key: str, lang: str, _ctx: _Context) -> bytes:
    return _scatter_figure(_ctx)


@st.cache_data(max_entries=16, show_spinner=False)
def _manifold_png(key: str, lang: str, _model: ConvVAE) -> bytes:
    grid = plots.image_grid(
        explore.manifold_grid(_model, MANIFOLD_SIDE), nrow=MANIFOLD_SIDE, padding=0, scale=2
    )
    axes = plots.axis_titles("latent", (0.0, 0.0), plot_labels(lang))
    return plots.png_bytes(
        plots.manifold_figure(grid, explore.manifold_values(MANIFOLD_SIDE), axes=axes)
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _usage(key: str, _model: ConvVAE, _images: torch.Tensor) -> explore.LatentUsage:
    return explore.latent_usage(_encoded(key, _model, _images))


@st.cache_data(max_entries=32, show_spinner=False)
def _kl_png(key: str, lang: str, _usage_: explore.LatentUsage) -> bytes:
    return plots.png_bytes(plots.kl_bars(_usage_.kl, _usage_.active, labels=plot_labels(lang)))


@st.cache_data(max_entries=64, show_spinner=False)
def _interpolation(
    key: str, a: int, b: int, steps: int, method: str, _model: ConvVAE, _images: torch.Tensor
) -> np.ndarray:
    images = explore.interpolate(_model, _images[a], _images[b], steps, method)
    return plots.image_grid(images, nrow=steps, scale=_scale(_model))


@st.cache_data(max_entries=64, show_spinner=False)
def _traversal(
    key: str, start: tuple[float, ...], dims: tuple[int, ...], span: float, _model: ConvVAE
) -> np.ndarray:
    images = explore.traverse(_model, torch.tensor(start), dims, span, TRAVERSAL_STEPS)
    return plots.image_grid(images.flatten(0, 1), nrow=TRAVERSAL_STEPS, scale=_scale(_model))


@st.cache_data(max_entries=4, show_spinner=False)
def run_archive(root: str, run_id: str, updated: str) -> bytes:
    """The zip archive of a saved run (:meth:`vaelab.runs.RunStore.export`), cached per save.

    Parameters
    ----------
    root : str
        Folder of runs.
    run_id : str
        Id of the run.
    updated : str
        Its save time, so that a run saved again is exported again.

    Returns
    -------
    bytes
        The archive.

    Raises
    ------
    RunError
        If the run does not load (missing, corrupted).
    """
    with tempfile.TemporaryDirectory() as folder:
        return RunStore(root).export(run_id, Path(folder)).read_bytes()


# -- small widgets ---------------------------------------------------------------------------


def _png_button(ctx: _Context, name: str, data: bytes | np.ndarray, key: str) -> None:
    payload = data if isinstance(data, bytes) else plots.png_bytes(data)
    st.download_button(
        ctx.text("results.download_png"),
        payload,
        file_name=f"{name}.png",
        mime=_MIME_PNG,
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def _needs_data(ctx: _Context) -> bool:
    if ctx.data is None or len(ctx.data.test_x) == 0:
        st.info(ctx.text("results.no_data"))
        return False
    return True


def _small(image: torch.Tensor, model: ConvVAE) -> np.ndarray:
    side = max(model.config.height, model.config.width)
    scale = plots.upscale_for_display(side, SINGLE_WIDTH)
    return plots.image_grid(image[None], nrow=1, padding=0, scale=scale)


# -- the tabs --------------------------------------------------------------------------------


def _curves_tab(ctx: _Context) -> None:
    if not ctx.run.history:
        st.info(ctx.text("results.curves.empty"))
        return
    png = _curves_png(ctx.key, ctx.lang, ctx.run.history)
    st.image(png)
    st.caption(ctx.text("results.curves.caption"))
    _png_button(ctx, "loss-curves", png, f"{ctx.wkey}.png.curves")


def _reconstructions_tab(ctx: _Context) -> None:
    if not _needs_data(ctx):
        return
    grid = _reconstructions(ctx.key, ctx.model, fixed_batch(ctx.data))
    st.image(grid, width="stretch")
    st.caption(ctx.text("results.recon.caption"))
    _png_button(ctx, "reconstructions", grid, f"{ctx.wkey}.png.recon")


def _sample_settings(ctx: _Context) -> tuple[int, float]:
    seed = st.session_state.get(f"{ctx.wkey}.seed", 0)
    temperature = st.session_state.get(f"{ctx.wkey}.temperature", 1.0)
    return seed, temperature


@st.fragment
def _samples_tab(ctx: _Context) -> None:
    seed_key = f"{ctx.wkey}.seed"
    st.session_state.setdefault(seed_key, 0)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        st.slider(
            ctx.text("results.samples.temperature"),
            min_value=0.1,
            max_value=2.0,
            value=1.0,
            step=0.1,
            key=f"{ctx.wkey}.temperature",
            help=ctx.text("results.samples.temperature_help"),
        )
    with right:
        if st.button(
            ctx.text("results.samples.resample"),
            key=f"{ctx.wkey}.resample",
            icon=":material/casino:",
        ):
            st.session_state[seed_key] += 1
    seed, temperature = _sample_settings(ctx)
    grid = _samples(ctx.key, seed, temperature, ctx.model)
    st.image(grid, caption=ctx.text("results.samples.caption", seed=seed + 1))
    _png_button(ctx, f"samples-T{temperature:g}-{seed + 1}", grid, f"{ctx.wkey}.png.samples")


def _latent_tab(ctx: _Context) -> None:
    if not _needs_data(ctx):
        return
    latents = _encoded(ctx.key, ctx.model, ctx.data.test_x)
    projection = _projection(ctx.key, ctx.model, ctx.data.test_x)
    two_d = projection.method == "latent"
    left, right = st.columns(2)
    with left:
        png = _latent_map_png(ctx.key, ctx.lang, ctx)
        st.image(png, width="stretch")
        n = len(latents.mu)
        if two_d:
            st.caption(ctx.text("results.latent.caption_latent", n=n))
        else:
            pct = round(100 * float(projection.explained.sum()))
            st.caption(ctx.text("results.latent.caption_pca", n=n, d=latents.mu.shape[1], pct=pct))
        _png_button(ctx, "latent-map", png, f"{ctx.wkey}.png.latent")
    with right:
        if two_d:
            png = _manifold_png(ctx.key, ctx.lang, ctx.model)
            st.image(png, width="stretch")
            st.caption(ctx.text("results.latent.manifold_caption"))
            _png_button(ctx, "manifold", png, f"{ctx.wkey}.png.manifold")
        else:
            st.info(ctx.text("results.latent.no_manifold"))


def _class_of(ctx: _Context, data: ImageDataset, index: int) -> str | None:
    if data.test_y is None:
        return None
    label = int(data.test_y[index])
    name = data.classes[label] if data.classes and label < len(data.classes) else str(label)
    return ctx.text("results.interp.label", label=name)


def _default_partner(data: ImageDataset) -> int:
    """A second test image of another class than the first, for a telling interpolation."""
    n = len(data.test_x)
    if data.test_y is not None:
        different = torch.nonzero(data.test_y != data.test_y[0]).flatten()
        if len(different):
            return int(different[0])
    return min(1, n - 1)


@st.fragment
def _paths_tab(ctx: _Context) -> None:
    if not _needs_data(ctx):
        return
    data, model = ctx.data, ctx.model
    n = len(data.test_x)
    st.subheader(ctx.text("results.interp.header"))
    pick_a, pick_b, settings = st.columns([1, 1, 2])
    indices = []
    for column, name, default in (
        (pick_a, "a", 0),
        (pick_b, "b", _default_partner(data)),
    ):
        with column:
            index = st.number_input(
                ctx.text(f"results.interp.image_{name}"),
                min_value=0,
                max_value=n - 1,
                value=default,
                step=1,
                key=f"{ctx.wkey}.interp.{name}",
            )
            st.image(
                _small(data.test_x[index], model),
                caption=_class_of(ctx, data, index),
                width=SINGLE_WIDTH,
            )
            indices.append(int(index))
    with settings:
        steps = st.slider(
            ctx.text("results.interp.steps"), 3, 15, 10, key=f"{ctx.wkey}.interp.steps"
        )
        method = st.radio(
            ctx.text("results.interp.method"),
            explore.INTERPOLATIONS,
            format_func=lambda m: ctx.text(f"results.interp.{m}"),
            horizontal=True,
            key=f"{ctx.wkey}.interp.method",
            help=ctx.text("results.interp.method_help"),
        )
    grid = _interpolation(ctx.key, indices[0], indices[1], steps, method, model, data.test_x)
    st.image(grid, width="stretch")
    st.caption(ctx.text("results.interp.caption"))
    _png_button(ctx, f"interpolation-{indices[0]}-{indices[1]}", grid, f"{ctx.wkey}.png.interp")

    st.subheader(ctx.text("results.trav.header"))
    usage = _usage(ctx.key, model, data.test_x)
    ranked = usage.ranked()
    left, right = st.columns([2, 1])
    with left:
        dims = st.multiselect(
            ctx.text("results.trav.dims"),
            ranked,
            default=ranked[: min(5, len(ranked))],
            key=f"{ctx.wkey}.trav.dims",
            placeholder=ctx.text("results.trav.placeholder"),
            help=ctx.text("results.trav.dims_help"),
        )
    with right:
        span = st.slider(
            ctx.text("results.trav.span"), 1.0, 5.0, 3.0, 0.5, key=f"{ctx.wkey}.trav.span"
        )
        origin = st.radio(
            ctx.text("results.trav.origin"),
            ("image", "prior"),
            format_func=lambda o: ctx.text(f"results.trav.from_{o}"),
            key=f"{ctx.wkey}.trav.origin",
        )
    if not dims:
        st.info(ctx.text("results.trav.pick"))
        return
    if origin == "image":
        start = explore.encode(model, data.test_x[indices[0]][None]).mu[0]
    else:
        start = torch.zeros(model.config.latent_dim)
    grid = _traversal(ctx.key, tuple(start.tolist()), tuple(dims), float(span), model)
    st.image(grid, width="stretch")
    st.caption(
        ctx.text("results.trav.caption", span=f"{span:g}", dims=", ".join(str(d) for d in dims))
    )
    _png_button(ctx, "traversals", grid, f"{ctx.wkey}.png.trav")


def _kl_tab(ctx: _Context) -> None:
    if not _needs_data(ctx):
        return
    usage = _usage(ctx.key, ctx.model, ctx.data.test_x)
    d = len(usage.kl)
    first, second, _ = st.columns([1, 1, 2])
    first.metric(ctx.text("results.kl.active"), f"{usage.n_active} / {d}")
    total = f"{float(usage.kl.sum()):.2f}"
    second.metric(ctx.text("results.kl.total"), localize_decimal(total, ctx.lang))
    png = _kl_png(ctx.key, ctx.lang, usage)
    st.image(png)
    st.markdown(ctx.text("results.kl.explain"))
    _png_button(ctx, "kl-per-dimension", png, f"{ctx.wkey}.png.kl")


def _metrics_tab(ctx: _Context) -> None:
    render_metrics(ctx.run, ctx.model, ctx.data, lang=ctx.lang, key=ctx.wkey)


@st.cache_data(max_entries=16, show_spinner=False)
def _upload_views(
    key: str, lang: str, digest: str, inverted: bool, _image: torch.Tensor, _ctx: _Context
) -> dict[str, Any]:
    model = _ctx.model
    image = invert(_image) if inverted else _image
    latents = explore.encode(model, image[None])
    views: dict[str, Any] = {
        "input": _small(image, model),
        "reconstruction": _small(explore.decode(model, latents.mu)[0], model),
        "map": None,
    }
    if _ctx.data is not None and len(_ctx.data.test_x):
        views["map"] = _scatter_figure(_ctx, highlight=latents.mu)
    return views


@st.fragment
def _upload_tab(ctx: _Context) -> None:
    c, h, w = ctx.model.config.image_shape
    channels = ctx.text("results.upload.grey") if c == 1 else ctx.text("results.upload.colour")
    uploaded = st.file_uploader(
        ctx.text("results.upload.label"),
        type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"],
        key=f"{ctx.wkey}.upload",
        help=ctx.text("results.upload.help", channels=channels, height=h, width=w),
    )
    if uploaded is None:
        st.info(ctx.text("results.upload.prompt"))
        return
    raw = uploaded.getvalue()
    try:
        image = load_image(raw, (c, h, w))
    except ImageInputError as exc:
        st.error(
            ctx.text(f"results.upload.error.{exc.reason}", **exc.values), icon=":material/error:"
        )
        return
    digest = hashlib.sha256(raw).hexdigest()[:16]
    reference = ctx.data.train_x[:256] if ctx.data is not None else torch.empty(0)
    inverted = st.checkbox(
        ctx.text("results.upload.invert"),
        value=suggest_invert(image, reference),
        key=f"{ctx.wkey}.invert.{digest}",
        help=ctx.text("results.upload.invert_help"),
    )
    views = _upload_views(ctx.key, ctx.lang, digest, inverted, image, ctx)
    left, middle, right = st.columns([1, 1, 3])
    left.image(views["input"], caption=ctx.text("results.upload.input"), width=SINGLE_WIDTH)
    middle.image(
        views["reconstruction"],
        caption=ctx.text("results.upload.reconstruction"),
        width=SINGLE_WIDTH,
    )
    if views["map"] is not None:
        with right:
            st.image(views["map"], caption=ctx.text("results.upload.map"), width="stretch")
            _png_button(ctx, "your-image-map", views["map"], f"{ctx.wkey}.png.upload")


def _downloads_tab(ctx: _Context) -> None:
    run = ctx.run
    st.subheader(ctx.text("results.download.run_header"))
    store = RunStore(runs_dir())
    archive = None
    if run.updated and store.exists(run.run_id):
        try:
            archive = run_archive(str(store.root), run.run_id, run.updated)
        except RunError as exc:
            st.warning(str(exc))
    if archive is not None:
        st.download_button(
            ctx.text("results.download.run"),
            archive,
            file_name=f"{run.run_id}.zip",
            mime="application/zip",
            key=f"{ctx.wkey}.zip",
            help=ctx.text("results.download.run_help"),
            icon=":material/folder_zip:",
            on_click="ignore",
        )
    else:
        st.info(ctx.text("results.download.unsaved"))

    st.subheader(ctx.text("results.download.figures"))
    figures: list[tuple[str, str, bytes | np.ndarray]] = []
    if run.history:
        figures.append(("curves", "loss-curves", _curves_png(ctx.key, ctx.lang, run.history)))
    if ctx.data is not None and len(ctx.data.test_x):
        figures.append(
            (
                "reconstructions",
                "reconstructions",
                _reconstructions(ctx.key, ctx.model, fixed_batch(ctx.data)),
            )
        )
    seed, temperature = _sample_settings(ctx)
    figures.append(
        (
            "samples",
            f"samples-T{temperature:g}-{seed + 1}",
            _samples(ctx.key, seed, temperature, ctx.model),
        )
    )
    if ctx.data is not None and len(ctx.data.test_x):
        figures.append(("latent", "latent-map", _latent_map_png(ctx.key, ctx.lang, ctx)))
        if ctx.model.config.latent_dim == 2:
            figures.append(("manifold", "manifold", _manifold_png(ctx.key, ctx.lang, ctx.model)))
        usage = _usage(ctx.key, ctx.model, ctx.data.test_x)
        figures.append(("kl", "kl-per-dimension", _kl_png(ctx.key, ctx.lang, usage)))
    columns = st.columns(3)
    for i, (name, file_name, data) in enumerate(figures):
        payload = data if isinstance(data, bytes) else plots.png_bytes(data)
        with columns[i % 3]:
            st.download_button(
                ctx.text(f"results.figure.{name}"),
                payload,
                file_name=f"{file_name}.png",
                mime=_MIME_PNG,
                key=f"{ctx.wkey}.dl.{name}",
                icon=":material/image:",
                on_click="ignore",
                width="stretch",
            )


def render_results(run: Run, model: ConvVAE, data: ImageDataset | None) -> None:
    """Draw the results tabs of a run.

    Parameters
    ----------
    run : Run
        The run (its history gives the curves; its id and save time key the caches).
    model : ConvVAE
        Its model, in eval mode. It is only read.
    data : ImageDataset or None
        The images it was trained on; ``None`` when they are not available, in which case only
        the curves, the samples and the downloads are shown.
    """
    model.eval()
    ctx = _Context(run, model, data, _cache_key(run, model, data), current_language())
    tabs = st.tabs(
        [
            t("results.tab.curves"),
            t("results.tab.reconstructions"),
            t("results.tab.samples"),
            t("results.tab.latent"),
            t("results.tab.paths"),
            t("results.tab.kl"),
            t("results.tab.metrics"),
            t("results.tab.upload"),
            t("results.tab.downloads"),
        ]
    )
    sections = (
        _curves_tab,
        _reconstructions_tab,
        _samples_tab,
        _latent_tab,
        _paths_tab,
        _kl_tab,
        _metrics_tab,
        _upload_tab,
        _downloads_tab,
    )
    for tab, section in zip(tabs, sections, strict=True):
        with tab:
            section(ctx)
