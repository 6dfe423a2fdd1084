"""The Samples tab: images decoded from random codes, at a chosen temperature."""

from __future__ import annotations

import numpy as np
import streamlit as st

from vaelab import explore
from vaelab.app.tabs.context import TabContext, display_grid, png_download
from vaelab.models import ConvVAE

#: Samples shown, in a square.
SIDE = 7


@st.cache_data(max_entries=64, show_spinner=False)
def samples(key: str, seed: int, temperature: float, _model: ConvVAE) -> np.ndarray:
    """:data:`SIDE` × :data:`SIDE` samples from the prior, as one image."""
    images = explore.sample_prior(_model, SIDE * SIDE, temperature=temperature, seed=seed)
    return display_grid(images, SIDE, _model)


def settings(ctx: TabContext) -> tuple[int, float]:
    """The seed and temperature picked in the tab (the defaults until it was touched)."""
    seed = st.session_state.get(f"{ctx.wkey}.seed", 0)
    temperature = st.session_state.get(f"{ctx.wkey}.temperature", 1.0)
    return seed, temperature


def file_name(seed: int, temperature: float) -> str:
    """Name of the downloaded samples, which says how to draw them again."""
    return f"samples-T{temperature:g}-{seed + 1}"


@st.fragment
def render(ctx: TabContext) -> None:
    """Draw the tab (a fragment: moving its slider redraws only this tab)."""
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
    seed, temperature = settings(ctx)
    grid = samples(ctx.key, seed, temperature, ctx.model)
    st.image(grid, caption=ctx.text("results.samples.caption", seed=seed + 1))
    png_download(ctx, file_name(seed, temperature), grid, f"{ctx.wkey}.png.samples")
