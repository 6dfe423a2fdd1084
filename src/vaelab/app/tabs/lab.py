"""The Lab tab: draw an image and see its posterior, click the latent map, slide the latent code.

Three panels act on one latent code, the *base*: the posterior mean of the last drawing, or the
last clicked point of the map (at first, the prior's centre z = 0). The map shows the test
images' codes, the prior's rings, the drawing's posterior q(z | x) with its 1σ and 2σ ellipses,
and the clicks; two clicks decode the path between them. The sliders start at the base. What is
costly (the encoded test set, its plane, the KL ranking) is cached per run; the tab is a
fragment and the sliders a fragment inside it, so moving a slider decodes one image and nothing
else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st
import torch

from vaelab.app.i18n import t
from vaelab.app.lab import canvas, sliders
from vaelab.app.lab.map import CLICK, lab_base, with_marks
from vaelab.app.tabs.context import SINGLE_WIDTH, TabContext, display_grid, needs_data, single_image
from vaelab.app.tabs.encoded import encoded, projection, usage
from vaelab.data import ImageDataset
from vaelab.explore import plots
from vaelab.explore.latent import Projection, decode, interpolate_latents
from vaelab.explore.posterior import (
    Posterior,
    ellipse,
    plane_point,
    posterior,
    projected_gaussian,
    sample_posterior,
)
from vaelab.i18n import decimal, texts
from vaelab.models import ConvVAE
from vaelab.variants import is_autoencoder

#: Test images drawn on the map (enough to see the classes; the chart stays light).
MAP_POINTS = 1000
#: Draws from q(z | x) decoded under the drawing.
POSTERIOR_SAMPLES = 8
#: Images along the path between two clicks.
PATH_STEPS = 8


@dataclass
class LabState:
    """What the lab remembers between reruns, per run.

    Attributes
    ----------
    base : list of float
        The code the sliders start from.
    source : str
        Where it comes from: ``"prior"``, ``"drawing"`` or ``"click"``.
    version : int
        Bumped with every new base, so that the sliders start again from it.
    drawing : str or None
        Digest of the drawing last taken as the base.
    clicks : list of (float, float)
        The last two clicked points of the map, oldest first.
    seen : tuple of float or None
        The map's selection at the last rerun: a click is a selection that differs from it.
    """

    base: list[float]
    source: str = "prior"
    version: int = 0
    drawing: str | None = None
    clicks: list[tuple[float, float]] = field(default_factory=list)
    seen: tuple[float, float] | None = None

    def move(self, code: torch.Tensor, source: str) -> None:
        """Take ``code`` as the new base."""
        self.base, self.source = [float(v) for v in code], source
        self.version += 1


def clicked_point(selection: Any) -> tuple[float, float] | None:
    """The map point of a chart selection event, or ``None`` when nothing is selected.

    Parameters
    ----------
    selection : mapping or None
        ``event.selection`` of ``st.altair_chart``: ``{CLICK: [{"x": ..., "y": ...}]}``.
    """
    points = (selection or {}).get(CLICK) or []
    if not points:
        return None
    last = points[-1]
    try:
        return float(last["x"]), float(last["y"])
    except (KeyError, TypeError, ValueError):
        return None


@st.cache_data(max_entries=16, show_spinner=False)
def _map_spec(key: str, lang: str, _model: ConvVAE, _data: ImageDataset) -> dict:
    """The map's spec without the drawing and the clicks: built once per run and language."""
    view = projection(key, _model, _data.test_x)
    points = view.transform(encoded(key, _model, _data.test_x).mu[:MAP_POINTS]).numpy()
    labels = None if _data.test_y is None else _data.test_y[: len(points)].numpy()
    return lab_base(
        points,
        labels,
        lang,
        classes=_data.classes,
        axes=plots.axis_titles(view.method, view.explained.tolist(), texts("plot", lang)),
        prior_centre=view.transform(torch.zeros(1, _model.config.latent_dim))[0].tolist(),
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _code_ranges(key: str, _model: ConvVAE, _images: torch.Tensor) -> list[tuple[float, float]]:
    mu = encoded(key, _model, _images).mu
    return list(zip(mu.min(dim=0).values.tolist(), mu.max(dim=0).values.tolist(), strict=True))


@st.cache_data(max_entries=32, show_spinner=False)
def _posterior_views(key: str, digest: str, _image: torch.Tensor, _model: ConvVAE) -> dict:
    post = posterior(_model, _image)
    _, samples = sample_posterior(_model, post, POSTERIOR_SAMPLES)
    return {
        "post": post,
        "input": single_image(_image, _model),
        "reconstruction": single_image(decode(_model, post.mu[None])[0], _model),
        "samples": display_grid(samples, POSTERIOR_SAMPLES // 2, _model),
    }


def _state(ctx: TabContext) -> LabState:
    key = f"{ctx.wkey}.lab.state"
    if key not in st.session_state:
        st.session_state[key] = LabState(base=[0.0] * ctx.model.config.latent_dim)
    return st.session_state[key]


def _ellipses(view: Projection, post: Posterior, lang: str) -> pd.DataFrame:
    centre, covariance = projected_gaussian(view, post)
    rows = []
    for k in (1, 2):
        name = t("lab.posterior_ring", lang, k=k)
        rows += [
            {"x": x, "y": y, "ring": name, "i": i}
            for i, (x, y) in enumerate(ellipse(centre, covariance, k))
        ]
    return pd.DataFrame(rows)


def _marks(
    ctx: TabContext, view: Projection, post: Posterior | None, state: LabState
) -> pd.DataFrame | None:
    rows = []
    if post is not None:
        x, y = view.transform(post.mu[None])[0].tolist()
        rows.append({"x": x, "y": y, "what": ctx.text("lab.mark.drawing"), "shape": "diamond"})
    for n, (x, y) in enumerate(state.clicks, 1):
        rows.append({"x": x, "y": y, "what": ctx.text("lab.mark.click", n=n), "shape": "cross"})
    return pd.DataFrame(rows) if rows else None


def _drawing_panel(ctx: TabContext, state: LabState) -> Posterior | None:
    """The canvas and what the model makes of the drawing; returns its posterior."""
    model = ctx.model
    c, _, _ = model.config.image_shape
    if c != 1:
        st.info(ctx.text("lab.colour"))
        return None
    left, right = st.columns([1, 2])
    with left:
        drawing = canvas.draw(f"{ctx.wkey}.lab", model.config.image_shape, ctx.data.train_x[:256])
    with right:
        if drawing is None:
            st.info(ctx.text("lab.draw_prompt"))
            return None
        views = _posterior_views(ctx.key, drawing.digest, drawing.image, model)
        post: Posterior = views["post"]
        if drawing.digest != state.drawing:
            state.drawing = drawing.digest
            state.move(post.mu, "drawing")
        seen, recon, kl = st.columns(3)
        seen.image(
            views["input"], caption=ctx.text("lab.input"), width=SINGLE_WIDTH, output_format="PNG"
        )
        recon.image(
            views["reconstruction"],
            caption=ctx.text("lab.reconstruction"),
            width=SINGLE_WIDTH,
            output_format="PNG",
        )
        kl.metric(
            ctx.text("lab.kl"),
            ctx.text("lab.nats", value=decimal(post.kl, ".1f", ctx.lang)),
            help=ctx.text("lab.kl_help"),
        )
        if drawing.inverted:
            st.caption(ctx.text("lab.inverted"))
        st.image(
            views["samples"],
            caption=ctx.text("lab.samples", n=POSTERIOR_SAMPLES),
            output_format="PNG",
        )
    return post


def _map_panel(ctx: TabContext, state: LabState, post: Posterior | None) -> None:
    """The clickable map, and the decoding of the clicks beside it."""
    model, data = ctx.model, ctx.data
    view = projection(ctx.key, model, data.test_x)
    map_key = f"{ctx.wkey}.lab.map"
    # The click of this rerun, read before drawing so that the map already marks it.
    event = st.session_state.get(map_key)
    point = clicked_point(getattr(event, "selection", None) if event is not None else None)
    if point != state.seen:
        state.seen = point
        if point is not None:
            state.clicks = [*state.clicks[-1:], point]
            state.move(plane_point(view, torch.tensor(point)), "click")
    spec = with_marks(
        _map_spec(ctx.key, ctx.lang, model, data),
        None if post is None else _ellipses(view, post, ctx.lang),
        _marks(ctx, view, post, state),
    )
    left, right = st.columns([3, 2])
    with left:
        st.vega_lite_chart(
            spec, on_select="rerun", selection_mode=CLICK, key=map_key, width="content"
        )
        note = "lab.map_caption_latent" if view.method == "latent" else "lab.map_caption_pca"
        st.caption(ctx.text(note, d=model.config.latent_dim))
        if post is not None:
            st.caption(ctx.text("lab.map_posterior"))
    with right:
        if not state.clicks:
            st.info(ctx.text("lab.click_prompt"))
            return
        codes = [plane_point(view, torch.tensor(p)) for p in state.clicks]
        st.image(
            single_image(decode(model, codes[-1][None])[0], model),
            caption=ctx.text("lab.clicked"),
            width=SINGLE_WIDTH,
            output_format="PNG",
        )
        if len(codes) == 2:
            path = decode(model, interpolate_latents(codes[0], codes[1], PATH_STEPS))
            st.image(
                display_grid(path, PATH_STEPS // 2, model),
                caption=ctx.text("lab.path"),
                output_format="PNG",
            )
        else:
            st.caption(ctx.text("lab.click_again"))
        st.button(
            ctx.text("lab.forget_clicks"),
            key=f"{ctx.wkey}.lab.forget",
            on_click=state.clicks.clear,
        )


def _sliders_panel(ctx: TabContext, state: LabState) -> None:
    model, data = ctx.model, ctx.data
    d = model.config.latent_dim
    ranked = usage(ctx.key, model, data.test_x).ranked()
    dims = sorted(ranked[: sliders.MAX_SLIDERS])
    ranges = _code_ranges(ctx.key, model, data.test_x)
    base = torch.tensor(state.base)
    st.caption(
        ctx.text(f"lab.sliders_from.{state.source}")
        + " "
        + (
            ctx.text("lab.sliders_all", d=d)
            if d <= sliders.MAX_SLIDERS
            else ctx.text("lab.sliders_top", n=sliders.MAX_SLIDERS, d=d)
        )
    )
    sliders.render(
        model,
        f"{ctx.wkey}.lab.z{state.version}",
        base,
        dims,
        [sliders.slider_range(*ranges[dim], float(base[dim])) for dim in dims],
        ctx.lang,
    )


@st.fragment
def render(ctx: TabContext) -> None:
    """Draw the tab (a fragment: drawing, clicking and sliding redraw only this tab)."""
    if not needs_data(ctx):
        return
    state = _state(ctx)
    if is_autoencoder(ctx.model.config.beta):
        st.info(ctx.text("lab.autoencoder"))
    st.subheader(ctx.text("lab.draw_header"))
    post = _drawing_panel(ctx, state)
    st.subheader(ctx.text("lab.map_header"))
    _map_panel(ctx, state, post)
    st.subheader(ctx.text("lab.sliders_header"))
    _sliders_panel(ctx, state)
