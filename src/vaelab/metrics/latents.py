"""Which latent dimensions a VAE uses: active units and KL per dimension."""

from __future__ import annotations

from torch import Tensor

#: A unit is active when the variance of its posterior mean across images exceeds this
#: (Burda, Grosse & Salakhutdinov, Importance Weighted Autoencoders, ICLR 2016, section 5.2).
ACTIVE_UNIT_THRESHOLD = 0.01
#: A dimension "carries information" when its mean KL to the prior exceeds this many nats.
KL_THRESHOLD = 0.01


def latent_mean_variance(mu: Tensor) -> Tensor:
    """Activity of each latent unit, ``Cov_x(E_q[z_d])``: the variance of μ_d across images.

    Parameters
    ----------
    mu : Tensor
        Posterior means of every image, ``(N, L)``.

    Returns
    -------
    Tensor
        Shape ``(L,)``, float64; the population variance (divided by N).
    """
    return mu.double().var(dim=0, correction=0)


def active_units(mu: Tensor, threshold: float = ACTIVE_UNIT_THRESHOLD) -> int:
    """Number of latent units whose posterior mean varies across images (Burda et al. 2016).

    Parameters
    ----------
    mu : Tensor
        Posterior means of every image, ``(N, L)``.
    threshold : float
        Activity above which a unit counts as active.

    Returns
    -------
    int
        Units with ``Var_x(μ_d) > threshold``.
    """
    return int((latent_mean_variance(mu) > threshold).sum())


def kl_per_dimension(mu: Tensor, logvar: Tensor) -> Tensor:
    """Mean over images of KL(q(z_d | x) ‖ N(0, 1)) for each latent dimension d.

    Parameters
    ----------
    mu, logvar : Tensor
        Posterior parameters, ``(N, L)``.

    Returns
    -------
    Tensor
        Shape ``(L,)``, float64, nats; it sums to the mean KL term of the ELBO.
    """
    mu, logvar = mu.double(), logvar.double()
    return (0.5 * (mu.square() + logvar.exp() - 1.0 - logvar)).mean(dim=0)
