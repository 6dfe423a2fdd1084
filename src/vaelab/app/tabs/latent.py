"""The Latent space tab: the test images' codes on a map and, in 2-D, the decoded plane."""

from __future__ import annotations

import streamlit as st
import torch

from vaelab import explore
from vaelab.app.tabs.context import TabContext, needs_data, png_download
from vaelab.app.tabs.encoded import encoded, projection
from vaelab.explore import plots
from vaelab.i18n import texts
from vaelab.models import ConvVAE

#: Images per side of the decoded plane of a 2-D latent space.
MANIFOLD_SIDE = 15


def scatter_png(ctx: TabContext, highlight: torch.Tensor | None = None) -> bytes:
    """The map of the test images' codes, with ``highlight`` codes as stars, as PNG."""
    data = ctx.data
    latents = encoded(ctx.key, ctx.model, data.test_x)
    view = projection(ctx.key, ctx.model, data.test_x)
    labels = texts("plot", ctx.lang)
    targets = None if data.test_y is None else data.test_y[: len(latents.mu)]
    fig = plots.latent_scatter(
        view.transform(latents.mu),
        targets,
        data.classes,
        axes=plots.axis_titles(view.method, view.explained.tolist(), labels),
        highlight=None if highlight is None else view.transform(highlight),
        labels=labels,
    )
    return plots.png_bytes(fig)


@st.cache_data(max_entries=32, show_spinner=False)
def latent_map_png(key: str, lang: str, _ctx: TabContext) -> bytes:
    """The map of the test images' codes, cached per run and language."""
    return scatter_png(_ctx)


@st.cache_data(max_entries=16, show_spinner=False)
def manifold_png(key: str, lang: str, _model: ConvVAE) -> bytes:
    """The images decoded over a grid of a 2-D latent space, as PNG."""
    grid = plots.image_grid(
        explore.manifold_grid(_model, MANIFOLD_SIDE), nrow=MANIFOLD_SIDE, padding=0, scale=2
    )
    axes = plots.axis_titles("latent", (0.0, 0.0), texts("plot", lang))
    return plots.png_bytes(
        plots.manifold_figure(grid, explore.manifold_values(MANIFOLD_SIDE), axes=axes)
    )


def render(ctx: TabContext) -> None:
    """Draw the tab."""
    if not needs_data(ctx):
        return
    latents = encoded(ctx.key, ctx.model, ctx.data.test_x)
    view = projection(ctx.key, ctx.model, ctx.data.test_x)
    two_d = view.method == "latent"
    left, right = st.columns(2)
    with left:
        png = latent_map_png(ctx.key, ctx.lang, ctx)
        st.image(png, width="stretch")
        n = len(latents.mu)
        if two_d:
            st.caption(ctx.text("results.latent.caption_latent", n=n))
        else:
            pct = round(100 * float(view.explained.sum()))
            st.caption(ctx.text("results.latent.caption_pca", n=n, d=latents.mu.shape[1], pct=pct))
        png_download(ctx, "latent-map", png, f"{ctx.wkey}.png.latent")
    with right:
        if two_d:
            png = manifold_png(ctx.key, ctx.lang, ctx.model)
            st.image(png, width="stretch")
            st.caption(ctx.text("results.latent.manifold_caption"))
            png_download(ctx, "manifold", png, f"{ctx.wkey}.png.manifold")
        else:
            st.info(ctx.text("results.latent.no_manifold"))
