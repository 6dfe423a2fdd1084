"""One slider per latent coordinate, and the image they decode to, redrawn as a slider moves.

This is the live version of the traversal grid: the code starts at the posterior mean of the
drawn image, or at the clicked point of the map, and each slider moves one coordinate. The
sliders are a fragment, so moving one reruns only them: one decoder pass, nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import streamlit as st
import torch

from vaelab.app.i18n import t
from vaelab.app.tabs.context import SINGLE_WIDTH, single_image
from vaelab.explore.latent import decode
from vaelab.i18n import decimal
from vaelab.models import ConvVAE

#: Most sliders shown: a larger latent gets the dimensions with the largest KL.
MAX_SLIDERS = 10
#: Step of a slider.
STEP = 0.05


def slider_range(low: float, high: float, value: float) -> tuple[float, float]:
    """The range of a coordinate's slider: the prior's ±3σ, widened to the data and the value.

    An autoencoder's codes can lie far outside the prior: the range then follows them.
    """
    return (
        float(math.floor(min(-3.0, low, value))),
        float(math.ceil(max(3.0, high, value))),
    )


def _options(low: float, high: float) -> list[float]:
    # Values on the STEP grid, rounded so that they print as they read.
    return [round(low + k * STEP, 2) for k in range(round((high - low) / STEP) + 1)]


@st.fragment
def render(
    model: ConvVAE,
    prefix: str,
    base: torch.Tensor,
    dims: Sequence[int],
    ranges: Sequence[tuple[float, float]],
    lang: str,
) -> None:
    """Draw the sliders of ``dims`` starting at ``base``, and the image they decode to.

    Parameters
    ----------
    model : ConvVAE
        The model.
    prefix : str
        Widget-key prefix; a new ``base`` must come with a new prefix, so that the sliders start
        again from it.
    base : torch.Tensor
        ``(D,)`` the starting code; the coordinates without a slider stay at its values.
    dims : sequence of int
        The coordinates with a slider.
    ranges : sequence of (float, float)
        Each slider's range.
    lang : str
        Language of the labels.
    """
    code = base.clone()
    picture, controls = st.columns([1, 2])
    with controls:
        columns = st.columns(2)
        for i, (dim, (low, high)) in enumerate(zip(dims, ranges, strict=True)):
            options = _options(low, high)
            start = options[min(len(options) - 1, max(0, round((float(base[dim]) - low) / STEP)))]
            with columns[i % 2]:
                code[dim] = st.select_slider(
                    t("lab.slider", lang, i=dim + 1),
                    options,
                    value=start,
                    format_func=lambda value: decimal(value, ".2f", lang),
                    key=f"{prefix}.{dim}",
                )
    image = decode(model, code[None])[0]
    with picture:
        st.image(
            single_image(image, model),
            caption=t("lab.slider_image", lang),
            width=SINGLE_WIDTH,
            output_format="PNG",
        )
