"""The Reconstructions tab: fixed test images above what the model makes of them."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from vaelab import explore
from vaelab.app.tabs.context import TabContext, display_scale, needs_data, png_download
from vaelab.explore import plots
from vaelab.models import ConvVAE
from vaelab.training.experiment import fixed_batch


@st.cache_data(max_entries=32, show_spinner=False)
def reconstructions(key: str, _model: ConvVAE, _images: torch.Tensor) -> np.ndarray:
    """``_images`` in the top row, their reconstructions below, as one image."""
    originals = explore.as_input(_images)
    return plots.reconstruction_grid(
        originals, explore.reconstruct(_model, originals), scale=display_scale(_model)
    )


def figure(ctx: TabContext) -> np.ndarray:
    """The tab's figure for the run's fixed batch of test images (it needs them)."""
    return reconstructions(ctx.key, ctx.model, fixed_batch(ctx.data))


def render(ctx: TabContext) -> None:
    """Draw the tab."""
    if not needs_data(ctx):
        return
    picture = figure(ctx)
    st.image(picture, width="stretch")
    st.caption(ctx.text("results.recon.caption"))
    png_download(ctx, "reconstructions", picture, f"{ctx.wkey}.png.recon")
