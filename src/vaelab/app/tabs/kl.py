"""The KL tab: how much each latent dimension is used, and how many are active."""

from __future__ import annotations

import streamlit as st

from vaelab import explore
from vaelab.app.tabs.context import TabContext, needs_data, png_download
from vaelab.app.tabs.encoded import usage
from vaelab.explore import plots
from vaelab.i18n import decimal, texts


@st.cache_data(max_entries=32, show_spinner=False)
def kl_png(key: str, lang: str, _usage: explore.LatentUsage) -> bytes:
    """The mean KL of each latent dimension, active ones highlighted, as PNG."""
    return plots.png_bytes(plots.kl_bars(_usage.kl, _usage.active, labels=texts("plot", lang)))


def figure(ctx: TabContext) -> bytes:
    """The tab's figure for the run's test images (it needs them)."""
    return kl_png(ctx.key, ctx.lang, usage(ctx.key, ctx.model, ctx.data.test_x))


def render(ctx: TabContext) -> None:
    """Draw the tab."""
    if not needs_data(ctx):
        return
    used = usage(ctx.key, ctx.model, ctx.data.test_x)
    d = len(used.kl)
    first, second, _ = st.columns([1, 1, 2])
    first.metric(ctx.text("results.kl.active"), f"{used.n_active} / {d}")
    second.metric(ctx.text("results.kl.total"), decimal(float(used.kl.sum()), ".2f", ctx.lang))
    png = figure(ctx)
    st.image(png)
    st.markdown(ctx.text("results.kl.explain"))
    png_download(ctx, "kl-per-dimension", png, f"{ctx.wkey}.png.kl")
