r"""Posterior-collapse diagnostics: the KL of each latent dimension over training, and I(x; z).

A collapsed dimension has q(z_d | x) = p(z_d) for every x: its KL is 0 and it carries nothing.
Active units (:mod:`vaelab.metrics.latents`) count the dimensions whose posterior mean moves;
the KL per dimension after each epoch (:class:`vaelab.training.schedules.KLPerEpoch`, saved in
the run) shows when they collapsed; the mutual information between the image and its code
(:func:`mutual_information`) says how much the code tells about the image in all.

The KL term of the ELBO splits into :math:`I(x; z) + \mathrm{KL}(q(z) \,\|\, p(z))`, q(z) the
aggregate posterior (Hoffman & Johnson, *ELBO surgery*, NIPS 2016 workshop on advances in
approximate Bayesian inference): a KL well above I(x; z) is spent on an aggregate posterior that
does not fill the prior.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

#: Most images of the mutual-information estimate: it compares every pair, N² values.
MI_IMAGES = 2000
_LN_2PI = math.log(2.0 * math.pi)


def mutual_information(
    mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None
) -> float:
    r"""Minibatch estimate of :math:`I(x; z)` under :math:`p_{\text{data}}(x)\, q(z \mid x)`.

    :math:`I = \mathbb E_x \mathbb E_{q(z|x)}[\log q(z \mid x) - \log q(z)]`, with the
    aggregate posterior q(z) taken as the mixture of the N posteriors given and one z drawn per
    image: the minibatch estimator of He et al. (*Lagging inference networks*, ICLR 2019) and
    Dieng et al. (*Avoiding latent variable collapse with generative skip models*, AISTATS
    2019), after Hoffman & Johnson's decomposition, with log q(z | x) taken at the same draw
    as log q(z) rather than as the closed-form entropy, so that their noise cancels. It is at
    most ln N (posteriors that do not overlap), so compare values on the same number of
    images.

    Parameters
    ----------
    mu, logvar : Tensor
        Posterior parameters of N images, ``(N, D)``.
    generator : torch.Generator, optional
        CPU source of the draws of z.

    Returns
    -------
    float
        Nats.
    """
    mu, logvar = mu.double().cpu(), logvar.double().cpu()
    n, d = mu.shape
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
    z = mu + torch.exp(0.5 * logvar) * eps
    own = -0.5 * (eps.square() + logvar + _LN_2PI).sum(dim=1)  # log q(z_i | x_i)
    precision = torch.exp(-logvar)  # (N, D)
    # log q(z_i | x_j) for every pair, (N, N), from matrix products instead of an (N, N, D)
    # tensor. Expanding the square can cancel for a narrow posterior far from 0, but only on
    # pairs whose terms are negligible or on the diagonal, which is taken exactly instead.
    quadratic = (
        z.square() @ precision.T
        - 2.0 * z @ (mu * precision).T
        + (mu.square() * precision).sum(dim=1)
    )
    log_q = -0.5 * (quadratic + logvar.sum(dim=1) + d * _LN_2PI)
    log_q.diagonal().copy_(own)
    log_aggregate = torch.logsumexp(log_q, dim=1) - math.log(n)  # log q(z_i)
    return float((own - log_aggregate).mean())
