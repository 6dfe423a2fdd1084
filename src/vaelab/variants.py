"""The model variants: one VAE, three ways to weigh and scale its loss.

A variant is configuration, not a subclass: it says which reconstruction likelihoods make sense,
which β is allowed and what the defaults are. :class:`vaelab.models.ConvVAE` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """What a model variant allows and defaults to.

    Attributes
    ----------
    id : str
        Stable identifier used in configs, files and on the command line.
    label : str
        Name shown to people.
    paper : str
        The paper the variant comes from.
    likelihoods : tuple of str
        Reconstruction likelihood ids this variant accepts (see
        :mod:`vaelab.models.likelihoods`); the first is the default. The σ-VAE's are the ones
        with a scale of their own.
    beta_range : tuple of float
        Inclusive range of the KL weight β. ``(1.0, 1.0)`` means β is fixed to 1. The β-VAE's
        starts at 0, a plain autoencoder (:func:`is_autoencoder`).
    """

    id: str
    label: str
    paper: str
    likelihoods: tuple[str, ...]
    beta_range: tuple[float, float]

    @property
    def beta_is_fixed(self) -> bool:
        """Whether β cannot be changed for this variant."""
        return self.beta_range[0] == self.beta_range[1]


VARIANTS: dict[str, Variant] = {
    v.id: v
    for v in (
        Variant(
            id="vae",
            label="VAE",
            paper="Kingma & Welling, Auto-Encoding Variational Bayes, ICLR 2014",
            likelihoods=("mse", "l1", "bernoulli", "continuous-bernoulli", "gaussian-unit"),
            beta_range=(1.0, 1.0),
        ),
        Variant(
            id="beta-vae",
            label="β-VAE",
            paper="Higgins et al., β-VAE: Learning Basic Visual Concepts with a Constrained "
            "Variational Framework, ICLR 2017",
            likelihoods=("mse", "l1", "bernoulli", "continuous-bernoulli", "gaussian-unit"),
            beta_range=(0.0, 10.0),
        ),
        Variant(
            id="sigma-vae",
            label="σ-VAE",
            paper="Rybkin, Daniilidis & Levine, Simple and Effective VAE Training with Calibrated "
            "Decoders, ICML 2021 (arXiv 2006.13202, 2020)",
            likelihoods=("gaussian", "laplace", "discretized-gaussian", "discretized-logistic"),
            beta_range=(1e-5, 10.0),
        ),
    )
}


def is_autoencoder(beta: float) -> bool:
    """Whether a model trained with KL weight ``beta`` is a plain autoencoder, not a VAE.

    With β = 0 nothing pulls the codes towards the prior and nothing fits the encoder's
    variances: the decoder only ever sees the means, there is no ELBO, and the latent map has
    holes where a code decodes to garbage.
    """
    return beta == 0
