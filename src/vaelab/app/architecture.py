"""The architecture panel: the model's layers as a graph, its size and its loss formula.

:func:`architecture_dot` and :func:`loss_formula` are plain functions (a DOT string, a LaTeX
string); :func:`render` lays them out.
"""

from __future__ import annotations

from functools import lru_cache
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


def architecture_dot(
    layers: tuple[tuple[str, tuple[int, ...]], ...], labels: list[str] | None = None
) -> str:
    """Graphviz DOT source of the encoder → μ, log σ² → z → decoder chain.

    Parameters
    ----------
    layers : sequence of (str, tuple of int)
        ``ConvVAE.describe()``: layer names and output shapes in data-flow order.
    labels : list of str, optional
        Names to show instead of the layer names (translations), in the same order.

    Returns
    -------
    str
        A left-to-right digraph: encoder (blue), latent (yellow), decoder (green), with the
        reparameterization noise ε feeding z.
    """
    names = [name for name, _ in layers]
    latent_at = names.index("z")
    labels = labels or names
    lines = [
        "digraph vae {",
        '  rankdir=LR; bgcolor="transparent"; nodesep=0.15; ranksep=0.25;',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11,',
        '        margin="0.08,0.04"];',
        '  edge [color="#64748b", arrowsize=0.6];',
    ]
    for i, (_, shape) in enumerate(layers):
        if i < latent_at - 1:
            color = ENCODER_COLOR
        elif i <= latent_at:
            color = LATENT_COLOR
        else:
            color = DECODER_COLOR
        label = f"{labels[i]}\\n{size(shape)}"
        lines.append(f'  n{i} [label="{label}", fillcolor="{color}"];')
    lines.append('  eps [label="ε ~ N(0, I)", shape=ellipse, fillcolor="white", fontsize=10];')
    lines.append("  " + " -> ".join(f"n{i}" for i in range(len(layers))) + ";")
    lines.append(f"  eps -> n{latent_at} [style=dashed];")
    lines.append("}")
    return "\n".join(lines)


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
        st.graphviz_chart(architecture_dot(layers, labels), width="stretch")
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
