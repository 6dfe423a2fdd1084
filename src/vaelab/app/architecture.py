"""The architecture panel: the model's layers as a graph, its size and its loss formula.

:func:`architecture_svg` and :func:`loss_formula` are plain functions (an SVG drawing, a LaTeX
string); :func:`render` lays them out.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from math import prod

import streamlit as st

from vaelab.app.i18n import current_language, t
from vaelab.config import ModelConfig
from vaelab.i18n import latex_decimal, size, whole
from vaelab.models import ConvVAE
from vaelab.variants import VARIANTS

ENCODER_COLOR = "#dbeafe"
LATENT_COLOR = "#fef3c7"
DECODER_COLOR = "#dcfce7"

# Reconstruction term of each likelihood, per image (D pixels), as in vaelab.models.likelihoods.
_RECON = {
    "mse": r"\lVert x-\hat x\rVert_2^2",
    "l1": r"\lVert x-\hat x\rVert_1",
    "gaussian-unit": r"\frac{D}{2}\log(2\pi)+\frac{\lVert x-\hat x\rVert_2^2}{2}",
    "bernoulli": r"-\sum_{i=1}^{D}\big[x_i\log\hat x_i+(1-x_i)\log(1-\hat x_i)\big]",
    "continuous-bernoulli": r"-\sum_{i=1}^{D}\big[x_i\log\lambda_i+(1-x_i)\log(1-\lambda_i)"
    r"+\log C(\lambda_i)\big]",
    "gaussian": r"\frac{D}{2}\log\left(2\pi\sigma^2\right)"
    r"+\frac{\lVert x-\hat x\rVert_2^2}{2\sigma^2}",
    "laplace": r"D\log(2b)+\frac{\lVert x-\hat x\rVert_1}{b}",
    # The mass of each pixel's 1/255-wide bin [x⁻, x⁺] (edge bins take the tails), Φ the CDF.
    "discretized-gaussian": r"-\sum_{i=1}^{D}\log\Big[\Phi\big(\tfrac{x_i^{+}-\hat x_i}"
    r"{\sigma}\big)-\Phi\big(\tfrac{x_i^{-}-\hat x_i}{\sigma}\big)\Big]",
    "discretized-logistic": r"-\sum_{i=1}^{D}\log\Big[\mathrm{sigmoid}\big(\tfrac{x_i^{+}"
    r"-\hat x_i}{s}\big)-\mathrm{sigmoid}\big(\tfrac{x_i^{-}-\hat x_i}{s}\big)\Big]",
}
_KL = r"\mathrm{KL}\big(q_\phi(z\mid x)\,\Vert\,\mathcal N(0, I)\big)"
# The optimal scale of a calibrated decoder (Rybkin et al. 2020, section 3.3).
_OPTIMAL_SCALE = {
    "gaussian": r"\sigma^{2} = \mathrm{MSE} = \tfrac{1}{D}\lVert x-\hat x\rVert_2^2",
    "laplace": r"b = \tfrac{1}{D}\lVert x-\hat x\rVert_1",
    # Plug-ins: the discretised likelihoods' optimal scale has no closed form.
    "discretized-gaussian": r"\sigma^{2} = \mathrm{MSE}",
    "discretized-logistic": r"s = \sqrt{3\,\mathrm{MSE}}/\pi",
}
# A learned scale is one more parameter s, trained by gradient descent with the others (written in
# symbols, so that it reads the same in every language).
_LEARNED_SCALE = {
    "gaussian": r"\sigma = e^{s},\quad s \leftarrow s - \eta\,\partial\mathcal{L}/\partial s",
    "laplace": r"b = e^{s},\quad s \leftarrow s - \eta\,\partial\mathcal{L}/\partial s",
    "discretized-gaussian": r"\sigma = e^{s},\quad s \leftarrow s"
    r" - \eta\,\partial\mathcal{L}/\partial s",
    # The logistic's scale is already called s: its parameter is u.
    "discretized-logistic": r"s = e^{u},\quad u \leftarrow u"
    r" - \eta\,\partial\mathcal{L}/\partial u",
}


@lru_cache(maxsize=32)
def describe_model(config: ModelConfig) -> tuple[tuple[tuple[str, tuple[int, ...]], ...], int]:
    """Layers with their output shapes, and the number of trainable parameters.

    Building the model on the CPU takes milliseconds, so it is done for every sidebar change
    (and cached).
    """
    model = ConvVAE(config)
    return tuple(model.describe()), model.num_parameters()


def layer_label(name: str) -> str:
    """Translate a layer name of ``ConvVAE.describe()`` (``"linear"`` → ``"linéaire"``)."""
    kind, _, index = name.partition(" ")
    if kind in ("conv", "deconv") and index.isdigit():
        return t(f"arch.node.{kind}", i=index)
    keys = {
        "input x": "arch.node.input",
        "linear": "arch.node.linear",
        "output x̂": "arch.node.output",
    }
    return t(keys[name]) if name in keys else name


#: Geometry of the diagram, in SVG units (1 unit is a CSS pixel at the diagram's natural size).
_FONT, _CHAR, _PAD, _BOX_HEIGHT, _GAP, _MARGIN = 12, 7.0, 10, 40, 18, 4
_EDGE_COLOR, _TEXT_COLOR = "#64748b", "#1e293b"
_NOISE = "ε ~ N(0, I)"
#: Narrowest the diagram is drawn (px), and at least this share of its natural size: its labels
#: stay readable on a phone, where it scrolls sideways, and with five conv layers.
DIAGRAM_MIN_WIDTH, DIAGRAM_MIN_SCALE = 640, 0.8


def architecture_svg(
    layers: tuple[tuple[str, tuple[int, ...]], ...], labels: list[str] | None = None
) -> str:
    """An SVG drawing of the encoder → μ, log σ² → z → decoder chain.

    The server draws it: a chart drawn in the browser (Graphviz) made the first visit load and
    compile a 0.8 MB script, the last part of the Train page to appear.

    Parameters
    ----------
    layers : sequence of (str, tuple of int)
        ``ConvVAE.describe()``: layer names and output shapes in data-flow order.
    labels : list of str, optional
        Names to show instead of the layer names (translations), in the same order.

    Returns
    -------
    str
        A left-to-right chain of boxes — encoder (blue), latent (yellow), decoder (green) — each
        with its name and output shape, and the reparameterization noise ε feeding z (dashed).
    """
    names = [name for name, _ in layers]
    latent_at = names.index("z")
    labels = labels or names
    widths = [
        max(len(labels[i]), len(size(shape))) * _CHAR + 2 * _PAD
        for i, (_, shape) in enumerate(layers)
    ]
    lefts = [_MARGIN + sum(widths[:i]) + _GAP * i for i in range(len(layers))]
    top, noise_y = _MARGIN, _MARGIN + _BOX_HEIGHT + 34
    width = lefts[-1] + widths[-1] + _MARGIN
    height = noise_y + 18 + _MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height}" '
        f'style="min-width: {max(DIAGRAM_MIN_WIDTH, DIAGRAM_MIN_SCALE * width):.0f}px" '
        f'font-family="sans-serif" font-size="{_FONT}" fill="{_TEXT_COLOR}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        f'markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{_EDGE_COLOR}"/></marker></defs>',
    ]
    for i, (_, shape) in enumerate(layers):
        if i < latent_at - 1:
            color = ENCODER_COLOR
        elif i <= latent_at:
            color = LATENT_COLOR
        else:
            color = DECODER_COLOR
        x, middle = lefts[i], lefts[i] + widths[i] / 2
        parts.append(
            f'<rect x="{x:.0f}" y="{top}" width="{widths[i]:.0f}" height="{_BOX_HEIGHT}" rx="8" '
            f'fill="{color}" stroke="{_EDGE_COLOR}" stroke-width="0.8"/>'
            f'<text x="{middle:.0f}" y="{top + 16}" text-anchor="middle">'
            f"{escape(labels[i])}</text>"
            f'<text x="{middle:.0f}" y="{top + 32}" text-anchor="middle">'
            f"{escape(size(shape))}</text>"
        )
        if i:
            start = lefts[i - 1] + widths[i - 1]
            parts.append(_edge(start, top + _BOX_HEIGHT / 2, x, top + _BOX_HEIGHT / 2))
    # The noise, under the box before z, feeds z from below.
    noise_x = lefts[latent_at - 1] + widths[latent_at - 1] / 2
    radius = len(_NOISE) * _CHAR / 2 + _PAD
    parts.append(
        f'<ellipse cx="{noise_x:.0f}" cy="{noise_y}" rx="{radius:.0f}" ry="14" fill="white" '
        f'stroke="{_EDGE_COLOR}" stroke-width="0.8"/>'
        f'<text x="{noise_x:.0f}" y="{noise_y + 4}" text-anchor="middle">{_NOISE}</text>'
    )
    z_left = lefts[latent_at]
    parts.append(_edge(noise_x + radius, noise_y, z_left + 12, top + _BOX_HEIGHT, dashed=True))
    parts.append("</svg>")
    return "".join(parts)


def _edge(x1: float, y1: float, x2: float, y2: float, *, dashed: bool = False) -> str:
    """An arrow from (x1, y1) to (x2, y2)."""
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="{_EDGE_COLOR}" '
        f'stroke-width="1.2" marker-end="url(#arrow)"{dash}/>'
    )


def loss_formula(config: ModelConfig) -> str:
    r"""LaTeX of the loss minimised by ``config``'s variant, per image.

    Parameters
    ----------
    config : ModelConfig
        Variant, likelihood and scale mode.

    Returns
    -------
    str
        For instance ``\mathcal{L}(x) = \lVert x-\hat x\rVert_2^2 + \beta\,\mathrm{KL}(...)``.
    """
    recon = _RECON[config.likelihood]
    weight = "" if VARIANTS[config.variant].beta_is_fixed else r"\beta\,"
    return rf"\mathcal{{L}}(x) = {recon} + {weight}{_KL}"


def settings_formula(config: ModelConfig, lang: str) -> str | None:
    """LaTeX of the chosen β and of how a σ-VAE sets its decoder scale; ``None`` if neither.

    β is written in ``lang`` (``0{,}5``, ``10^{-5}``), as every number on screen.
    """
    parts = []
    if not VARIANTS[config.variant].beta_is_fixed:
        parts.append(rf"\beta = {latex_decimal(config.beta, 'g', lang)}")
    table = _OPTIMAL_SCALE if config.scale == "optimal" else _LEARNED_SCALE
    if config.likelihood in table:
        parts.append(table[config.likelihood])
    # Separate lines keep the formulas inside a narrow column.
    if not parts:
        return None
    return r"\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}"


def render(config: ModelConfig | None, *, expanded: bool = True) -> None:
    """Draw the architecture panel of ``config`` in an expander.

    Parameters
    ----------
    config : ModelConfig or None
        The model the sidebar describes; ``None`` shows a short message instead.
    expanded : bool
        Whether the expander starts open.
    """
    if config is None:
        st.info(t("arch.unavailable"))
        return
    layers, n_params = describe_model(config)
    title = t(
        "arch.title",
        variant=VARIANTS[config.variant].label,
        params=whole(n_params),
    )
    with st.expander(title, expanded=expanded):
        labels = [layer_label(name) for name, _ in layers]
        # Markdown, not st.html, whose sanitiser drops SVG; the drawing is the app's own, its
        # texts escaped.
        diagram = architecture_svg(layers, labels)
        st.markdown(f'<div class="vaelab-diagram">{diagram}</div>', unsafe_allow_html=True)
        d = prod(config.image_shape)
        left, right = st.columns([3, 2])
        with left:
            st.markdown(t("arch.loss_heading"))
            st.latex(loss_formula(config))
            settings = settings_formula(config, current_language())
            if settings:
                st.latex(settings)
            st.caption(t(f"arch.loss_caption.{config.variant}", d=d, latent=config.latent_dim))
        with right:
            st.markdown(t("arch.layers_heading"))
            # A markdown table: light, and drawn at once (a data grid is drawn by script).
            rows = [f"| {t('arch.layer')} | {t('arch.shape')} |", "|:--|:--|"]
            rows += [
                f"| {label} | {size(shape)} |"
                for label, (_, shape) in zip(labels, layers, strict=True)
            ]
            st.markdown("\n".join(rows))
