"""The Paths tab: interpolations between two test images and traversals of latent dimensions."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from vaelab import explore
from vaelab.app.tabs.context import (
    SINGLE_WIDTH,
    TabContext,
    display_grid,
    needs_data,
    png_download,
    single_image,
)
from vaelab.app.tabs.encoded import usage
from vaelab.data import ImageDataset
from vaelab.i18n import decimal
from vaelab.models import ConvVAE

#: Images along each traversal.
TRAVERSAL_STEPS = 9
#: Half-widths of a traversal offered, in prior standard deviations: 1 to 5 by halves.
SPANS = tuple(1.0 + 0.5 * k for k in range(9))


@st.cache_data(max_entries=64, show_spinner=False)
def _interpolation(
    key: str, a: int, b: int, steps: int, method: str, _model: ConvVAE, _images: torch.Tensor
) -> np.ndarray:
    images = explore.interpolate(_model, _images[a], _images[b], steps, method)
    return display_grid(images, steps, _model)


@st.cache_data(max_entries=64, show_spinner=False)
def _traversal(
    key: str, start: tuple[float, ...], dims: tuple[int, ...], span: float, _model: ConvVAE
) -> np.ndarray:
    images = explore.traverse(_model, torch.tensor(start), dims, span, TRAVERSAL_STEPS)
    return display_grid(images.flatten(0, 1), TRAVERSAL_STEPS, _model)


def _class_of(ctx: TabContext, data: ImageDataset, index: int) -> str | None:
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


def _interpolations(ctx: TabContext) -> int:
    """The interpolation between two picked test images; returns the first one's index."""
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
                single_image(data.test_x[index], model),
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
    png_download(ctx, f"interpolation-{indices[0]}-{indices[1]}", grid, f"{ctx.wkey}.png.interp")
    return indices[0]


def _traversals(ctx: TabContext, image: int) -> None:
    """Each picked latent dimension swept from −span to +span, from ``image``'s code or 0."""
    data, model = ctx.data, ctx.model
    st.subheader(ctx.text("results.trav.header"))
    ranked = usage(ctx.key, model, data.test_x).ranked()
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
        # A select slider, so that the spans are written with the language's decimal mark.
        span = st.select_slider(
            ctx.text("results.trav.span"),
            SPANS,
            value=3.0,
            format_func=lambda value: decimal(value, ".1f", ctx.lang),
            key=f"{ctx.wkey}.trav.span",
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
        start = explore.encode(model, data.test_x[image][None]).mu[0]
    else:
        start = torch.zeros(model.config.latent_dim)
    grid = _traversal(ctx.key, tuple(start.tolist()), tuple(dims), float(span), model)
    st.image(grid, width="stretch")
    st.caption(
        ctx.text(
            "results.trav.caption",
            span=decimal(span, "g", ctx.lang),
            dims=", ".join(str(d) for d in dims),
        )
    )
    png_download(ctx, "traversals", grid, f"{ctx.wkey}.png.trav")


@st.fragment
def render(ctx: TabContext) -> None:
    """Draw the tab (a fragment: its widgets redraw only this tab)."""
    if not needs_data(ctx):
        return
    _traversals(ctx, _interpolations(ctx))
