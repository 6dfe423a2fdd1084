"""The KL tab: how much each latent dimension is used, and how many are active."""

from __future__ import annotations

import streamlit as st
import torch

from vaelab import explore
from vaelab.app.tabs.context import TabContext, needs_data, png_download
from vaelab.app.tabs.encoded import encoded, usage
from vaelab.explore import plots
from vaelab.i18n import decimal, texts, whole
from vaelab.metrics.collapse import mutual_information
from vaelab.training.schedules import KL_IMAGES


@st.cache_data(max_entries=32, show_spinner=False)
def kl_png(key: str, lang: str, _usage: explore.LatentUsage) -> bytes:
    """The mean KL of each latent dimension, active ones highlighted, as PNG."""
    return plots.png_bytes(plots.kl_bars(_usage.kl, _usage.active, labels=texts("plot", lang)))


@st.cache_data(max_entries=32, show_spinner=False)
def information(key: str, _latents: explore.Latents) -> float:
    """I(x; z) of the encoded test images (:func:`vaelab.metrics.collapse.mutual_information`)."""
    return mutual_information(_latents.mu, _latents.logvar, torch.Generator().manual_seed(0))


@st.cache_data(max_entries=32, show_spinner=False)
def history_png(key: str, lang: str, _records: list[dict]) -> bytes:
    """The KL of each dimension after each recorded epoch, as PNG."""
    return plots.png_bytes(plots.kl_history(_records, labels=texts("plot", lang)))


def figure(ctx: TabContext) -> bytes:
    """The tab's figure for the run's test images (it needs them)."""
    return kl_png(ctx.key, ctx.lang, usage(ctx.key, ctx.model, ctx.data.test_x))


def render(ctx: TabContext) -> None:
    """Draw the tab."""
    if not needs_data(ctx):
        return
    used = usage(ctx.key, ctx.model, ctx.data.test_x)
    d = len(used.kl)
    first, second, third, _ = st.columns([1, 1, 1, 1])
    first.metric(ctx.text("results.kl.active"), f"{used.n_active} / {d}")
    second.metric(ctx.text("results.kl.total"), decimal(float(used.kl.sum()), ".2f", ctx.lang))
    latents = encoded(ctx.key, ctx.model, ctx.data.test_x)
    third.metric(
        ctx.text("results.kl.information"),
        decimal(information(ctx.key, latents), ".2f", ctx.lang),
        help=ctx.text("metrics.help.mutual_information"),
    )
    png = figure(ctx)
    st.image(png)
    st.markdown(ctx.text("results.kl.explain"))
    if ctx.run.latent_kl:
        st.image(history_png(ctx.key, ctx.lang, ctx.run.latent_kl))
        images = whole(min(KL_IMAGES, len(ctx.data.test_x)))
        st.caption(ctx.text("results.kl.history", images=images))
    png_download(ctx, "kl-per-dimension", png, f"{ctx.wkey}.png.kl")
