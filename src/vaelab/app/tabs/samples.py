"""The Samples tab: images decoded from random codes, at a chosen temperature."""

from __future__ import annotations

import numpy as np
import streamlit as st

from vaelab import explore
from vaelab.app.tabs.context import TabContext, display_grid, png_download
from vaelab.app.widgets import LATENT_DEFAULT
from vaelab.i18n import decimal
from vaelab.models import ConvVAE

#: Samples shown, in a square.
SIDE = 7
#: Temperatures offered, 0.1 to 2.0 by tenths (a select slider, so that they are written with the
#: language's decimal mark; Streamlit's slider writes "1.50" in every language).
TEMPERATURES = tuple(round(0.1 * k, 1) for k in range(1, 21))
#: Below this β the KL term hardly shapes the codes (see :func:`warning_key`).
TINY_BETA = 0.01
#: From this many latent dimensions on, a short training leaves the prior badly matched...
LARGE_LATENT = 16
#: ...when it lasted fewer epochs than this: on MNIST 5k, z = 16 gives 12 to 19 % of samples that
#: read as digits after 5 or 10 epochs, z = 4 about half (benchmarks/results/default_run.md).
FEW_EPOCHS = 20


@st.cache_data(max_entries=64, show_spinner=False)
def samples(key: str, seed: int, temperature: float, _model: ConvVAE) -> np.ndarray:
    """:data:`SIDE` × :data:`SIDE` samples from the prior, as one image."""
    images = explore.sample_prior(_model, SIDE * SIDE, temperature=temperature, seed=seed)
    return display_grid(images, SIDE, _model)


def warning_key(beta: float, latent_dim: int, epochs: int) -> str | None:
    """The string that says why samples of these settings are poor, or ``None``.

    A tiny β leaves the codes of the training images far from the prior, so codes drawn from it
    decode to blends of digits; a large latent space trained briefly has many dimensions the
    decoder has barely learned to read, so random values along them give noise.
    """
    if beta < TINY_BETA:
        return "results.samples.poor.tiny_beta"
    if latent_dim >= LARGE_LATENT and epochs < FEW_EPOCHS:
        return "results.samples.poor.large_latent"
    return None


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
        st.select_slider(
            ctx.text("results.samples.temperature"),
            TEMPERATURES,
            value=1.0,
            format_func=lambda value: decimal(value, ".1f", ctx.lang),
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
    model = ctx.model.config
    warning = warning_key(model.beta, model.latent_dim, ctx.run.epochs_done)
    if warning is not None:
        st.info(
            ctx.text(
                warning,
                beta=decimal(model.beta, "g", ctx.lang),
                latent=model.latent_dim,
                epochs=ctx.run.epochs_done,
                default=LATENT_DEFAULT,
            ),
            icon=":material/lightbulb:",
        )
    png_download(ctx, file_name(seed, temperature), grid, f"{ctx.wkey}.png.samples")
