r"""Teaching figures of the Learn page, drawn with matplotlib (no Streamlit here).

Every figure function takes ``lang`` (``"en"`` or ``"fr"``) and returns a
:class:`matplotlib.figure.Figure` built without :mod:`matplotlib.pyplot`, so that concurrent
browser sessions never share pyplot's global state; the caller displays it and drops it. The
words on the figures come from the app's string tables (keys ``learn.fig.*``).

The curves are computed by the small formulas below, which the tests check against
:mod:`torch.distributions`:

* :func:`gaussian_kl_1d` — :math:`\mathrm{KL}(\mathcal N(\mu,\sigma^2)\,\|\,\mathcal N(0,1))`;
* :func:`gaussian_nll` — per-pixel Gaussian negative log-likelihood with scale σ, given the
  mean squared error, minimal at :math:`\sigma^* = \sqrt{\mathrm{MSE}}`;
* :func:`laplace_nll` — the Laplace analogue, minimal at :math:`b^* = \mathrm{MAE}`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.patches import Ellipse, FancyArrowPatch

from vaelab.app.i18n import t
from vaelab.models.likelihoods import LOG_SCALE_MIN

# One look for every figure: sizes chosen so that text stays readable once Streamlit scales the
# figure to the width of the page column (about 700 px).
_STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "mathtext.fontset": "dejavusans",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}
_BLUE, _ORANGE, _GREEN, _RED, _PURPLE, _GREY = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#7f7f7f",
)
#: Mean squared errors of the calibration figure: a blurry, a fair and a sharp decoder.
CALIBRATION_MSES: tuple[float, ...] = (0.05, 0.01, 0.002)


def gaussian_kl_1d(mu: np.ndarray | float, sigma: np.ndarray | float) -> np.ndarray:
    r"""KL divergence of a 1-D Gaussian from the standard normal prior.

    Parameters
    ----------
    mu, sigma : array_like
        Mean and standard deviation (σ > 0) of :math:`q = \mathcal N(\mu, \sigma^2)`.

    Returns
    -------
    numpy.ndarray
        :math:`\tfrac12(\mu^2 + \sigma^2 - 1 - \ln\sigma^2)` in nats, broadcast over the inputs.
    """
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    return 0.5 * (mu**2 + sigma**2 - 1.0 - np.log(sigma**2))


def gaussian_nll(sigma: np.ndarray | float, mse: float) -> np.ndarray:
    r"""Per-pixel Gaussian negative log-likelihood with scale σ, for a given mean squared error.

    Parameters
    ----------
    sigma : array_like
        Decoder standard deviation(s), σ > 0.
    mse : float
        Mean of :math:`(x - \hat x)^2` over the pixels (and images) considered.

    Returns
    -------
    numpy.ndarray
        :math:`\tfrac12\ln(2\pi\sigma^2) + \mathrm{MSE}/(2\sigma^2)` in nats per pixel; its
        minimum over σ is at :math:`\sigma = \sqrt{\mathrm{MSE}}`.
    """
    sigma = np.asarray(sigma, dtype=float)
    return 0.5 * np.log(2.0 * np.pi * sigma**2) + mse / (2.0 * sigma**2)


def laplace_nll(b: np.ndarray | float, mae: float) -> np.ndarray:
    r"""Per-pixel Laplace negative log-likelihood with scale b, for a given mean absolute error.

    Parameters
    ----------
    b : array_like
        Decoder scale(s), b > 0.
    mae : float
        Mean of :math:`|x - \hat x|` over the pixels (and images) considered.

    Returns
    -------
    numpy.ndarray
        :math:`\ln(2b) + \mathrm{MAE}/b` in nats per pixel; minimal at :math:`b = \mathrm{MAE}`.
    """
    b = np.asarray(b, dtype=float)
    return np.log(2.0 * b) + mae / b


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------------------------
# 1. Autoencoder vs VAE latent space
# --------------------------------------------------------------------------------------------


def latent_space_figure(lang: str = "en") -> Figure:
    """Draw the codes of an autoencoder (points) next to the posteriors of a VAE (Gaussians).

    The data are synthetic: three classes, a few images each, laid out to show the typical
    picture: scattered points with holes for the autoencoder, overlapping ellipses packed inside
    the prior for the VAE.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels.
    """
    rng = np.random.default_rng(3)
    colors = (_BLUE, _ORANGE, _GREEN)
    with mpl.rc_context(_STYLE):
        fig = _new_figure(7.2, 3.6)
        ax_ae, ax_vae = fig.subplots(1, 2)

        # Autoencoder: the classes land wherever the reconstruction loss puts them.
        centres_ae = np.array([[-2.6, 1.6], [2.4, 2.1], [0.6, -2.4]])
        spreads_ae = np.array([[0.35, 0.9], [0.9, 0.3], [0.5, 0.5]])
        for k, (centre, spread) in enumerate(zip(centres_ae, spreads_ae, strict=True)):
            pts = centre + spread * rng.standard_normal((12, 2))
            ax_ae.scatter(*pts.T, s=22, color=colors[k], edgecolor="white", linewidth=0.5)
        ax_ae.plot([0.0], [0.6], marker="x", color=_RED, markersize=10, mew=2.5)
        ax_ae.annotate(
            t("learn.fig.latent.hole", lang),
            xy=(0.0, 0.6),
            xytext=(1.6, -0.7),
            ha="center",
            fontsize=9,
            color=_RED,
            arrowprops={"arrowstyle": "->", "color": _RED},
        )
        ax_ae.set_title(t("learn.fig.latent.ae_title", lang))

        # VAE: each image is a Gaussian q(z|x); the KL term packs them inside the prior.
        for radius, style in ((1.0, "-"), (2.0, "--")):
            ax_vae.add_patch(
                Ellipse((0, 0), 2 * radius, 2 * radius, fill=False, ls=style, color=_GREY, lw=1.2)
            )
        centres_vae = np.array([[-0.8, 0.6], [0.8, 0.7], [0.1, -0.9]])
        for k, centre in enumerate(centres_vae):
            mus = centre + 0.35 * rng.standard_normal((8, 2))
            for mu in mus:
                w, h = rng.uniform(0.35, 0.7, size=2)
                ax_vae.add_patch(
                    Ellipse(mu, w, h, angle=rng.uniform(0, 180), color=colors[k], alpha=0.25)
                )
            ax_vae.scatter(*mus.T, s=8, color=colors[k])
        ax_vae.plot([], [], color=_GREY, label=t("learn.fig.latent.prior", lang))
        ax_vae.legend(loc="upper right", handlelength=1.5)
        ax_vae.set_title(t("learn.fig.latent.vae_title", lang))

        for ax in (ax_ae, ax_vae):
            ax.set_xlim(-4, 4)
            ax.set_ylim(-4, 4)
            ax.set_aspect("equal")
            ax.title.set_fontsize(10.5)
            ax.set_xlabel("$z_1$")
            ax.set_ylabel("$z_2$")
    return fig


# --------------------------------------------------------------------------------------------
# 2. KL divergence of a Gaussian from the prior
# --------------------------------------------------------------------------------------------

#: (μ, σ) of the example posteriors in the KL figure.
KL_EXAMPLES: tuple[tuple[float, float], ...] = ((1.5, 0.5), (-1.0, 1.2), (0.0, 0.3))


def kl_figure(lang: str = "en") -> Figure:
    r"""Draw a few densities :math:`q = \mathcal N(\mu, \sigma^2)` and their KL from the prior.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    matplotlib.figure.Figure
        Left: densities; right: the KL as a function of (μ, σ), zero only at (0, 1).
    """
    colors = (_BLUE, _ORANGE, _GREEN)
    z = np.linspace(-4, 4, 400)
    with mpl.rc_context(_STYLE):
        fig = _new_figure(7.6, 3.3)
        ax_pdf, ax_map = fig.subplots(1, 2, width_ratios=(1.0, 1.05))

        ax_pdf.plot(z, _normal_pdf(z, 0.0, 1.0), color="black", lw=2.2, label=r"$p(z)$")
        for (mu, sigma), color in zip(KL_EXAMPLES, colors, strict=True):
            kl = float(gaussian_kl_1d(mu, sigma))
            label = rf"$\mu={mu:g},\ \sigma={sigma:g}$: KL $= {kl:.2f}$"
            ax_pdf.plot(z, _normal_pdf(z, mu, sigma), color=color, lw=1.6, label=label)
        ax_pdf.set_ylim(0, 2.2)
        ax_pdf.set_xlabel("$z$")
        ax_pdf.set_ylabel(t("learn.fig.kl.density", lang))
        ax_pdf.set_title(t("learn.fig.kl.pdf_title", lang))
        ax_pdf.legend(loc="upper left", fontsize=8.5)

        mus = np.linspace(-3, 3, 241)
        sigmas = np.linspace(0.05, 3.0, 237)
        mu_grid, sigma_grid = np.meshgrid(mus, sigmas)
        kl_grid = gaussian_kl_1d(mu_grid, sigma_grid)
        levels = [0.05, 0.25, 0.5, 1, 2, 3, 4.5]
        filled = ax_map.contourf(
            mu_grid, sigma_grid, kl_grid, levels=[0, *levels, kl_grid.max()], cmap="Blues"
        )
        lines = ax_map.contour(
            mu_grid, sigma_grid, kl_grid, levels=levels, colors="black", linewidths=0.6
        )
        ax_map.clabel(lines, fmt="%g", fontsize=7.5)
        ax_map.plot([0], [1], marker="*", color=_RED, markersize=13, ls="none")
        ax_map.annotate(
            t("learn.fig.kl.minimum", lang),
            xy=(0, 1),
            xytext=(0.45, 2.35),
            color=_RED,
            fontsize=9,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": _RED},
            arrowprops={"arrowstyle": "->", "color": _RED},
        )
        for (mu, sigma), color in zip(KL_EXAMPLES, colors, strict=True):
            ax_map.plot([mu], [sigma], "o", color=color, mec="white", markersize=8)
        ax_map.set_xlabel(r"$\mu$")
        ax_map.set_ylabel(r"$\sigma$")
        ax_map.grid(False)
        ax_map.set_title(t("learn.fig.kl.map_title", lang))
        fig.colorbar(
            filled, ax=ax_map, label=t("learn.fig.kl.nats", lang), ticks=levels, format="%g"
        )
    return fig


def _normal_pdf(z: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((z - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


# --------------------------------------------------------------------------------------------
# 3. Reparameterization trick
# --------------------------------------------------------------------------------------------


def _node(ax, xy, text, *, random: bool = False, color: str = _BLUE) -> None:
    # Random nodes are round and orange, deterministic ones square and blue (Kingma's convention).
    style = "round,pad=0.35"
    ax.text(
        *xy,
        text,
        ha="center",
        va="center",
        fontsize=10.5,
        zorder=3,
        bbox={
            "boxstyle": style,
            "facecolor": "#fde3c8" if random else "#d6e6f4",
            "edgecolor": _ORANGE if random else color,
            "lw": 1.4,
        },
    )


def _arrow(ax, start, end, *, gradient: bool = False, blocked: bool = False, rad: float = 0.0):
    color = _RED if gradient else "black"
    arrow = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=12,
        lw=1.6 if gradient else 1.2,
        ls=(0, (4, 3)) if gradient else "-",
        color=color,
        alpha=0.35 if blocked else 1.0,
        connectionstyle=f"arc3,rad={rad}",
        zorder=2,
    )
    ax.add_patch(arrow)


def reparameterization_figure(lang: str = "en") -> Figure:
    r"""Draw the computation graphs of a VAE without and with the reparameterization trick.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    matplotlib.figure.Figure
        Left: :math:`z \sim \mathcal N(\mu, \sigma^2)` is a random node the gradient cannot
        cross; right: :math:`z = \mu + \sigma \odot \varepsilon` with the noise as an input.
    """
    with mpl.rc_context(_STYLE | {"axes.grid": False}):
        fig = _new_figure(7.6, 4.0)
        axes = fig.subplots(1, 2)
        x_pos, mu_pos, sigma_pos = (0.38, 0.07), (0.2, 0.37), (0.56, 0.37)
        z_pos, loss_pos, eps_pos = (0.38, 0.64), (0.38, 0.9), (0.85, 0.64)
        for ax, trick in zip(axes, (False, True), strict=True):
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.axis("off")
            _node(ax, x_pos, "$x$")
            _node(ax, mu_pos, r"$\mu_\phi(x)$")
            _node(ax, sigma_pos, r"$\sigma_\phi(x)$")
            _node(ax, loss_pos, r"$\mathcal{L}(\theta,\phi)$")
            if trick:
                _node(ax, z_pos, r"$z = \mu + \sigma \odot \varepsilon$")
                _node(ax, eps_pos, r"$\varepsilon \sim \mathcal{N}(0, I)$", random=True)
                _arrow(ax, (eps_pos[0] - 0.12, eps_pos[1]), (z_pos[0] + 0.25, z_pos[1]))
            else:
                _node(ax, z_pos, r"$z \sim \mathcal{N}(\mu, \sigma^2)$", random=True)
            # Forward pass: encoder, then sampling, then decoder and loss.
            for target in (mu_pos, sigma_pos):
                _arrow(ax, (x_pos[0], x_pos[1] + 0.05), (target[0], target[1] - 0.06))
                _arrow(ax, (target[0], target[1] + 0.06), (z_pos[0], z_pos[1] - 0.07))
            _arrow(ax, (z_pos[0], z_pos[1] + 0.07), (loss_pos[0], loss_pos[1] - 0.06))
            ax.text(
                z_pos[0] + 0.03, 0.77, t("learn.fig.reparameterization.decoder", lang), fontsize=9
            )
            ax.text(
                x_pos[0] + 0.12, 0.2, t("learn.fig.reparameterization.encoder", lang), fontsize=9
            )
            # Backward pass, drawn beside the forward arrows.
            _arrow(
                ax,
                (loss_pos[0] - 0.08, loss_pos[1] - 0.06),
                (z_pos[0] - 0.1, z_pos[1] + 0.07),
                gradient=True,
                rad=0.25,
            )
            for target in (mu_pos, sigma_pos):
                _arrow(
                    ax,
                    (z_pos[0] - 0.04 if target is mu_pos else z_pos[0] + 0.06, z_pos[1] - 0.07),
                    (target[0] + (-0.07 if target is mu_pos else 0.08), target[1] + 0.06),
                    gradient=True,
                    blocked=not trick,
                    rad=0.3 if target is mu_pos else -0.3,
                )
            if trick:
                ax.text(0.03, 0.51, r"$\partial z/\partial\mu = 1$", color=_RED, fontsize=9.5)
                ax.text(
                    0.66,
                    0.51,
                    r"$\partial z/\partial\sigma = \varepsilon$",
                    color=_RED,
                    fontsize=9.5,
                )
                ax.set_title(t("learn.fig.reparameterization.with", lang), color=_GREEN)
            else:
                ax.text(
                    0.38,
                    0.5,
                    "✗",
                    color=_RED,
                    fontsize=22,
                    ha="center",
                    va="center",
                    fontweight="bold",
                )
                ax.text(
                    0.69,
                    0.52,
                    t("learn.fig.reparameterization.blocked", lang),
                    color=_RED,
                    fontsize=9,
                    va="center",
                )
                ax.set_title(t("learn.fig.reparameterization.without", lang), color=_RED)
        legend = [
            ("black", "-", "", t("learn.fig.reparameterization.forward", lang)),
            (_RED, (0, (4, 3)), "", t("learn.fig.reparameterization.backward", lang)),
            ("#d6e6f4", "none", "s", t("learn.fig.reparameterization.deterministic", lang)),
            ("#fde3c8", "none", "s", t("learn.fig.reparameterization.random", lang)),
        ]
        for color, style, marker, label in legend:
            edge = _ORANGE if color == "#fde3c8" else _BLUE
            axes[0].plot(
                [],
                [],
                color=color,
                ls=style,
                lw=1.5,
                marker=marker,
                markersize=10,
                mec=edge,
                label=label,
            )
        fig.legend(loc="outside lower center", ncols=4)
    return fig


# --------------------------------------------------------------------------------------------
# 4. Calibrated decoders: optimal σ and b
# --------------------------------------------------------------------------------------------


def calibration_figure(lang: str = "en") -> Figure:
    r"""Draw the per-pixel NLL of a Gaussian (vs σ) and a Laplace (vs b) decoder, with minima.

    For each mean squared error in :data:`CALIBRATION_MSES` the left panel draws
    :func:`gaussian_nll` and marks its minimum at :math:`\sigma = \sqrt{\mathrm{MSE}}`; the right
    panel does the same for :func:`laplace_nll` with a mean absolute error of
    :math:`\sqrt{\mathrm{MSE}}`, minimal at :math:`b = \mathrm{MAE}`. Each curve has the gid
    ``"nll:<error>"`` and its marked minimum ``"optimum:<error>"`` (tests read them back).

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels with a logarithmic scale axis; the dotted line is the soft clip
        :math:`\ln\sigma \geq -6` of the σ-VAE.
    """
    colors = (_BLUE, _ORANGE, _GREEN)
    scales = np.geomspace(1e-3, 1.0, 601)
    clip = float(np.exp(LOG_SCALE_MIN))
    with mpl.rc_context(_STYLE):
        fig = _new_figure(7.6, 3.4)
        ax_g, ax_l = fig.subplots(1, 2, sharey=True)
        panels: tuple[tuple, ...] = (
            (ax_g, gaussian_nll, CALIBRATION_MSES, r"\sigma", "learn.fig.calibration.gauss_title"),
            (
                ax_l,
                laplace_nll,
                tuple(np.sqrt(CALIBRATION_MSES)),
                "b",
                "learn.fig.calibration.laplace_title",
            ),
        )
        for ax, nll, errors, symbol, title in panels:
            handles, labels = [], []
            for error, color in zip(errors, colors, strict=True):
                best = float(np.sqrt(error)) if nll is gaussian_nll else float(error)
                name = "MSE" if nll is gaussian_nll else "MAE"
                (curve,) = ax.plot(
                    scales, nll(scales, error), color=color, lw=1.8, gid=f"nll:{error:g}"
                )
                (optimum,) = ax.plot(
                    [best],
                    [float(nll(best, error))],
                    "o",
                    color=color,
                    mec="black",
                    markersize=7,
                    gid=f"optimum:{error:g}",
                )
                handles.append((curve, optimum))
                labels.append(rf"{name} = {error:.3g}  $\rightarrow$  ${symbol}^* = {best:.3g}$")
            ax.axvline(clip, color=_GREY, ls=":", lw=1.2)
            ax.text(
                clip * 1.15,
                2.35,
                t("learn.fig.calibration.clip", lang),
                color=_GREY,
                fontsize=8.5,
                va="top",
            )
            ax.set_xscale("log")
            ax.set_xlabel(f"${symbol}$ " + t("learn.fig.calibration.scale_axis", lang))
            ax.set_title(t(title, lang))
            ax.legend(
                handles, labels, loc="lower right", handler_map={tuple: HandlerTuple(ndivide=None)}
            )
        ax_g.set_ylim(-3.6, 2.5)
        ax_g.set_ylabel(t("learn.fig.calibration.nll_axis", lang))
    return fig


# --------------------------------------------------------------------------------------------
# 5. Timeline of generative models
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    """One paper on the timeline.

    Attributes
    ----------
    when : float
        Date of the first public version (arXiv or conference), in decimal years.
    name : str
        Short model name.
    authors : str
        Citation form of the authors.
    year : int
        Year of the citation.
    family : str
        ``"vae"``, ``"gan"``, ``"autoregressive"`` or ``"diffusion"``.
    level : float
        Height of the label above (> 0) or below (< 0) the axis, chosen so labels never overlap.
    in_app : bool
        Whether VAE Lab implements the model.
    """

    when: float
    name: str
    authors: str
    year: int
    family: str
    level: float
    in_app: bool = False


#: The papers on the timeline, in date order.
MILESTONES: tuple[Milestone, ...] = (
    Milestone(2013.97, "VAE", "Kingma & Welling", 2013, "vae", 1.0, in_app=True),
    Milestone(2014.44, "GAN", "Goodfellow et al.", 2014, "gan", -1.0),
    Milestone(2015.19, "Diffusion", "Sohl-Dickstein et al.", 2015, "diffusion", 2.0),
    Milestone(2016.07, "PixelCNN", "van den Oord et al.", 2016, "autoregressive", -2.0),
    Milestone(2017.25, "β-VAE", "Higgins et al.", 2017, "vae", 1.0, in_app=True),
    Milestone(2017.84, "VQ-VAE", "van den Oord et al.", 2017, "vae", -1.0),
    Milestone(2018.95, "StyleGAN", "Karras et al.", 2018, "gan", 2.0),
    Milestone(2020.47, "DDPM", "Ho et al.", 2020, "diffusion", 1.0),
    Milestone(2020.48, "σ-VAE", "Rybkin et al.", 2020, "vae", -1.0, in_app=True),
)
_FAMILY_COLORS = {"vae": _BLUE, "gan": _RED, "autoregressive": _GREEN, "diffusion": _PURPLE}


def timeline_figure(lang: str = "en") -> Figure:
    """Draw a timeline of deep generative models for images, 2013–2020.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    matplotlib.figure.Figure
        One axis; each label is a text artist with the gid ``"milestone"`` (the tests check that
        none overlaps another).
    """
    with mpl.rc_context(_STYLE | {"axes.grid": False}):
        fig = _new_figure(8.2, 4.2)
        ax = fig.subplots()
        ax.axhline(0, color="black", lw=1.5, zorder=1)
        for year in range(2013, 2022):
            ax.plot([year, year], [-0.08, 0.08], color="black", lw=1.2)
            # A white box lets the stems that cross a year label pass behind it.
            ax.text(
                year,
                -0.16,
                str(year),
                ha="center",
                va="top",
                fontsize=9,
                color=_GREY,
                zorder=3,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
            )
        for m in MILESTONES:
            color = _FAMILY_COLORS[m.family]
            ax.plot([m.when, m.when], [0, m.level * 0.82], color=color, lw=1.2, zorder=1)
            ax.plot([m.when], [0], "o", color=color, markersize=7, zorder=2)
            ax.text(
                m.when,
                m.level,
                f"{m.name}\n{m.authors}, {m.year}",
                ha="center",
                va="bottom" if m.level > 0 else "top",
                fontsize=8.5,
                linespacing=1.35,
                color="white" if m.in_app else color,
                fontweight="bold" if m.in_app else "normal",
                gid="milestone",
                bbox={
                    "boxstyle": "round,pad=0.35",
                    "facecolor": color if m.in_app else "white",
                    "edgecolor": color,
                    "lw": 1.2,
                },
            )
        for family, color in _FAMILY_COLORS.items():
            ax.plot([], [], "o", color=color, label=t(f"learn.fig.timeline.{family}", lang))
        ax.plot([], [], "s", color=_GREY, markersize=9, label=t("learn.fig.timeline.in_app", lang))
        fig.legend(loc="outside lower center", ncols=3, fontsize=8.5)
        ax.set_xlim(2012.8, 2021.2)
        ax.set_ylim(-2.9, 3.0)
        ax.axis("off")
        ax.set_title(t("learn.fig.timeline.title", lang))
    return fig


#: Figure name (as used in the Learn page's ``<!-- figure: name -->`` markers) -> function.
FIGURES: dict[str, Callable[[str], Figure]] = {
    "latent": latent_space_figure,
    "kl": kl_figure,
    "reparameterization": reparameterization_figure,
    "calibration": calibration_figure,
    "timeline": timeline_figure,
}


def figure_png(name: str, lang: str = "en", dpi: int = 150) -> bytes:
    """Draw the figure ``name`` of :data:`FIGURES` and encode it as PNG.

    Drawing and encoding take about half a second per figure, so the app caches these bytes
    rather than the :class:`~matplotlib.figure.Figure` objects (which are not safe to save from
    two sessions at once).

    Parameters
    ----------
    name : str
        A key of :data:`FIGURES`.
    lang : str
        ``"en"`` or ``"fr"``.
    dpi : int
        Resolution; 150 stays sharp on high-density screens once scaled to the page width.

    Returns
    -------
    bytes
        The PNG file.

    Raises
    ------
    KeyError
        If ``name`` is not a known figure.
    """
    if name not in FIGURES:
        raise KeyError(f"unknown figure {name!r}; choose one of: {', '.join(FIGURES)}")
    buffer = io.BytesIO()
    FIGURES[name](lang).savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    return buffer.getvalue()
