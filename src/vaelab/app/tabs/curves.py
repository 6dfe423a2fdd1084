"""The Loss curves tab: the training and test loss terms, epoch by epoch."""

from __future__ import annotations

import streamlit as st

from vaelab.app.tabs.context import TabContext, png_download
from vaelab.explore import plots
from vaelab.i18n import texts


@st.cache_data(max_entries=32, show_spinner=False)
def _curves_png(key: str, lang: str, _history: list[dict[str, float]]) -> bytes:
    """The loss curves of a run's history, as PNG."""
    return plots.png_bytes(plots.loss_curves(_history, labels=texts("plot", lang)))


def figure(ctx: TabContext) -> bytes:
    """The tab's figure for the run's history."""
    return _curves_png(ctx.key, ctx.lang, ctx.run.history)


def render(ctx: TabContext) -> None:
    """Draw the tab."""
    if not ctx.run.history:
        st.info(ctx.text("results.curves.empty"))
        return
    png = figure(ctx)
    st.image(png)
    st.caption(ctx.text("results.curves.caption"))
    png_download(ctx, "loss-curves", png, f"{ctx.wkey}.png.curves")
