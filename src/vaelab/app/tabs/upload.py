"""The Your image tab: an uploaded picture encoded, reconstructed and placed on the latent map."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st
import torch

from vaelab import explore
from vaelab.app import widgets
from vaelab.app.tabs.context import SINGLE_WIDTH, TabContext, png_download, single_image
from vaelab.app.tabs.latent import scatter_png
from vaelab.data.images import ImageInputError, invert, load_image, suggest_invert
from vaelab.i18n import decimal

#: File types the uploader offers.
IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]


@st.cache_data(max_entries=16, show_spinner=False)
def _views(
    key: str, lang: str, digest: str, inverted: bool, _image: torch.Tensor, _ctx: TabContext
) -> dict[str, Any]:
    model = _ctx.model
    image = invert(_image) if inverted else _image
    latents = explore.encode(model, image[None])
    views: dict[str, Any] = {
        "input": single_image(image, model),
        "reconstruction": single_image(explore.decode(model, latents.mu)[0], model),
        "map": None,
    }
    if _ctx.has_test_images:
        views["map"] = scatter_png(_ctx, highlight=latents.mu)
    return views


@st.fragment
def render(ctx: TabContext) -> None:
    """Draw the tab (a fragment: an upload redraws only this tab)."""
    c, h, w = ctx.model.config.image_shape
    channels = ctx.text("results.upload.grey") if c == 1 else ctx.text("results.upload.colour")
    uploaded = widgets.file_uploader(
        ctx.text("results.upload.label"),
        IMAGE_TYPES,
        key=f"{ctx.wkey}.upload",
        help=ctx.text("results.upload.help", channels=channels, height=h, width=w),
        lang=ctx.lang,
    )
    if uploaded is None:
        st.info(ctx.text("results.upload.prompt"))
        return
    raw = uploaded.getvalue()
    try:
        image = load_image(raw, (c, h, w))
    except ImageInputError as exc:
        # Sizes such as 21.4 (MB) are written with the language's decimal mark.
        values = {
            name: decimal(value, "g", ctx.lang) if isinstance(value, float) else value
            for name, value in exc.values.items()
        }
        st.error(ctx.text(f"results.upload.error.{exc.reason}", **values), icon=":material/error:")
        return
    digest = hashlib.sha256(raw).hexdigest()[:16]
    reference = ctx.data.train_x[:256] if ctx.data is not None else torch.empty(0)
    inverted = st.checkbox(
        ctx.text("results.upload.invert"),
        value=suggest_invert(image, reference),
        key=f"{ctx.wkey}.invert.{digest}",
        help=ctx.text("results.upload.invert_help"),
    )
    views = _views(ctx.key, ctx.lang, digest, inverted, image, ctx)
    left, middle, right = st.columns([1, 1, 3])
    left.image(views["input"], caption=ctx.text("results.upload.input"), width=SINGLE_WIDTH)
    middle.image(
        views["reconstruction"],
        caption=ctx.text("results.upload.reconstruction"),
        width=SINGLE_WIDTH,
    )
    if views["map"] is not None:
        with right:
            st.image(views["map"], caption=ctx.text("results.upload.map"), width="stretch")
            png_download(ctx, "your-image-map", views["map"], f"{ctx.wkey}.png.upload")
