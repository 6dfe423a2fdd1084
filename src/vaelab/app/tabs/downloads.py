"""The Downloads tab: the run's archive and every figure of the other tabs, as files."""

from __future__ import annotations

import numpy as np
import streamlit as st

from vaelab.app.export import ZIP_MIME, png_button, run_archive
from vaelab.app.paths import runs_dir
from vaelab.app.tabs import curves, kl, latent, reconstructions, samples
from vaelab.app.tabs.context import TabContext
from vaelab.errors import RunError
from vaelab.runs import RunStore

#: Columns of figure buttons.
COLUMNS = 3


def _archive(ctx: TabContext) -> None:
    run = ctx.run
    st.subheader(ctx.text("results.download.run_header"))
    store = RunStore(runs_dir())
    archive = None
    if run.updated and store.exists(run.run_id):
        try:
            archive = run_archive(str(store.root), run.run_id, run.updated)
        except RunError as exc:
            st.warning(str(exc))
    if archive is None:
        st.info(ctx.text("results.download.unsaved"))
        return
    st.download_button(
        ctx.text("results.download.run"),
        archive,
        file_name=f"{run.run_id}.zip",
        mime=ZIP_MIME,
        key=f"{ctx.wkey}.zip",
        help=ctx.text("results.download.run_help"),
        icon=":material/folder_zip:",
        on_click="ignore",
    )


def _figures(ctx: TabContext) -> list[tuple[str, str, bytes | np.ndarray]]:
    """(label id, file name, picture) of every figure the run has."""
    figures: list[tuple[str, str, bytes | np.ndarray]] = []
    if ctx.run.history:
        figures.append(("curves", "loss-curves", curves.figure(ctx)))
    if ctx.has_test_images:
        figures.append(("reconstructions", "reconstructions", reconstructions.figure(ctx)))
    seed, temperature = samples.settings(ctx)
    figures.append(
        (
            "samples",
            samples.file_name(seed, temperature),
            samples.samples(ctx.key, seed, temperature, ctx.model),
        )
    )
    if ctx.has_test_images:
        figures.append(("latent", "latent-map", latent.latent_map_png(ctx.key, ctx.lang, ctx)))
        if ctx.model.config.latent_dim == 2:
            figures.append(
                ("manifold", "manifold", latent.manifold_png(ctx.key, ctx.lang, ctx.model))
            )
        figures.append(("kl", "kl-per-dimension", kl.figure(ctx)))
    return figures


def render(ctx: TabContext) -> None:
    """Draw the tab."""
    _archive(ctx)
    st.subheader(ctx.text("results.download.figures"))
    columns = st.columns(COLUMNS)
    for i, (name, file_name, picture) in enumerate(_figures(ctx)):
        with columns[i % COLUMNS]:
            png_button(
                ctx.text(f"results.figure.{name}"),
                file_name,
                picture,
                f"{ctx.wkey}.dl.{name}",
                icon=":material/image:",
                width="stretch",
            )
