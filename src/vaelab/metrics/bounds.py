r"""Exact decoder log-likelihoods, the ELBO, the IWAE bound, bits/dim and PSNR.

Every quantity is in nats per image (summed over the D pixels) unless its name says otherwise.
The decoder's mean is ``model.likelihood.mean(logits)`` (the sigmoid of the logits for every
likelihood but the continuous Bernoulli and the discretised laws), in [0, 1] like the pixels. A
model's own decoder is centred on ``likelihood.location(logits)``: its mean, but for the
discretised laws, whose location is unbounded and whose image is it clamped to [0, 1].

A *decoder* here is a :class:`DecoderLikelihood`: an exactly normalised
:math:`-\log p(x \mid z)` as a function of ``(x, logits)``, with the scale (σ or b) it uses.
It is either a density over :math:`[0, 1]^D` (``discrete=False``: its NLL can be negative and
has no meaning in bits/dim) or a probability of the :math:`256^D` 8-bit images
(``discrete=True``: :func:`bits_per_dim` applies, as in the likelihood tables of papers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor

from vaelab.models.likelihoods import (
    LOG_SCALE_MIN,
    Likelihood,
    discretized_nll,
    gaussian_nll,
    optimal_log_scale,
    softclip,
)

#: ``(x, logits) -> (B,)`` negative log-likelihood in nats per image.
DecoderNLL = Callable[[Tensor, Tensor], Tensor]

# Scales that the fixed-scale losses imply (see vaelab.models.likelihoods): Σ (x − x̂)² is a Gaussian
# with σ² = 1/2, Σ |x − x̂| a Laplace with b = 1; the unit Gaussian has σ = 1.
_IMPLIED_SCALES = {"mse": math.sqrt(0.5), "l1": 1.0, "gaussian-unit": 1.0}


class EncoderDecoder(Protocol):
    """What the metrics need from a model (:class:`vaelab.models.ConvVAE` qualifies)."""

    likelihood: Likelihood

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]: ...  # noqa: D102

    def decode_logits(self, z: Tensor) -> Tensor: ...  # noqa: D102


def bits_per_dim(nll: float | Tensor, num_pixels: int) -> float | Tensor:
    r"""Bits per dimension of a *discrete* negative log-likelihood, :math:`\mathrm{NLL}/(D \ln 2)`.

    The NLL must be that of a probability of the 8-bit images (a discretised decoder, see
    :func:`vaelab.models.likelihoods.discretized_nll`), which is already a probability mass:
    no :math:`D \ln 256` term is added. A decoder uniform over the 256 levels
    (NLL = D ln 256) gives exactly 8 bits/dim, a perfect one 0.

    Parameters
    ----------
    nll : float or Tensor
        Negative log-probability of one image (or of each image), in nats.
    num_pixels : int
        D, the number of values in one image (C · H · W).

    Returns
    -------
    float or Tensor
        Bits per dimension, of the same type as ``nll``.
    """
    return nll / (num_pixels * math.log(2.0))


def psnr(mse: float, peak: float = 1.0) -> float:
    r"""Peak signal-to-noise ratio :math:`10 \log_{10}(\mathrm{peak}^2 / \mathrm{MSE})`, in dB.

    Parameters
    ----------
    mse : float
        Mean squared error per pixel, ≥ 0.
    peak : float
        Largest pixel value (1.0 for pixels in [0, 1]).

    Returns
    -------
    float
        ``math.inf`` for a perfect reconstruction (MSE = 0).
    """
    if mse < 0:
        raise ValueError(f"a mean squared error cannot be negative, got {mse}")
    if mse == 0:
        return math.inf
    return 10.0 * math.log10(peak**2 / mse)


@dataclass(frozen=True)
class ErrorStats:
    """Mean errors per pixel of decoder means under z ~ q(z | x), over a set of images.

    Attributes
    ----------
    mse : float
        Mean squared error; its square root is the maximum-likelihood Gaussian σ.
    mae : float
        Mean absolute error, the maximum-likelihood Laplace b.
    """

    mse: float
    mae: float

    def log_scale(self, likelihood_id: str) -> float:
        """The optimal log-scale of the calibrated decoder ``likelihood_id``, soft-clipped.

        For ``"gaussian"`` the maximum-likelihood log σ (σ² the mean squared error), for
        ``"laplace"`` log b (b the mean absolute error), for ``"discretized-*"`` the plug-in
        that training uses (:func:`vaelab.models.likelihoods.optimal_log_scale`). The clip at
        :data:`~vaelab.models.likelihoods.LOG_SCALE_MIN` is the one used in training, so that a
        perfect reconstruction gives a finite likelihood.
        """
        return optimal_log_scale(likelihood_id, self.mse, self.mae)


@dataclass(frozen=True)
class DecoderLikelihood:
    r"""An exactly normalised decoder likelihood.

    Attributes
    ----------
    nll : DecoderNLL
        ``(x, logits) -> (B,)``, :math:`-\log p(x \mid z)` in nats per image.
    scale : float or None
        The σ (Gaussian), b (Laplace) or s (logistic) it uses, the geometric mean of a per-pixel
        one; ``None`` for a (continuous) Bernoulli decoder.
    scale_source : str or None
        ``"fixed"`` (implied by the loss: σ² = 1/2 for ``mse``, b = 1 for ``l1``), ``"learned"``
        (the σ-VAE's parameter), ``"train-optimal"`` (maximum likelihood on the training set,
        or for a discretised decoder its plug-in), or ``None`` (no scale).
    discrete : bool
        Whether ``nll`` is a probability of the 8-bit levels, whose NLL / (D ln 2) is in
        bits/dim; otherwise it is a density on [0, 1].
    """

    nll: DecoderNLL
    scale: float | None
    scale_source: str | None
    discrete: bool = False


def calibrated_gaussian(
    log_sigma: float,
    *,
    discrete: bool = False,
    mean: Callable[[Tensor], Tensor] = torch.sigmoid,
) -> DecoderLikelihood:
    r"""The Gaussian decoder with a fixed σ, such as the one fitted post hoc on the training set.

    Parameters
    ----------
    log_sigma : float
        :math:`\ln \sigma`.
    discrete : bool
        Discretise it on the 256 levels, the lowest and highest bins taking the tails
        (:func:`~vaelab.models.likelihoods.discretized_nll`); otherwise it is the density.
    mean : callable
        ``logits -> mean image``: the model's ``likelihood.mean``.

    Returns
    -------
    DecoderLikelihood
        With ``scale_source="train-optimal"``.
    """
    if discrete:

        def nll(x: Tensor, logits: Tensor) -> Tensor:
            return discretized_nll(x, mean(logits), log_sigma, "gaussian")

    else:

        def nll(x: Tensor, logits: Tensor) -> Tensor:
            return gaussian_nll(x, mean(logits), log_sigma)

    return DecoderLikelihood(nll, math.exp(log_sigma), "train-optimal", discrete)


def _own_log_scale(
    likelihood: Likelihood, train_errors: ErrorStats
) -> tuple[float | Tensor, float, str]:
    # A learned scale as training clips it (a per-pixel one stays a (C, H, W) tensor, reported
    # by its geometric mean); an optimal one, which training computes on each batch, by the same
    # rule on the whole training set. Returns the log-scale, the reported scale and its source.
    if getattr(likelihood, "learned", False):
        log_scale = softclip(likelihood.log_scale.detach(), LOG_SCALE_MIN)
        if log_scale.dim() == 0:
            value = float(log_scale.double())
            return value, math.exp(value), "learned"
        return log_scale, math.exp(float(log_scale.double().mean())), "learned"
    value = train_errors.log_scale(likelihood.id)
    return value, math.exp(value), "train-optimal"


def model_decoder(
    likelihood: Likelihood, num_pixels: int, train_errors: ErrorStats
) -> DecoderLikelihood:
    """The model's own likelihood, exactly normalised and independent of the batch.

    ``mse`` and ``l1`` get their constant
    :meth:`~vaelab.models.likelihoods.Likelihood.nll_offset`; a learned σ-VAE scale is used as
    is; an *optimal* σ-VAE scale, which training computes on each batch, is replaced by its
    value on the whole training set (so that a test metric never depends on how the test set is
    batched, nor fits anything on test images).

    Parameters
    ----------
    likelihood : Likelihood
        The model's likelihood module.
    num_pixels : int
        D, values per image.
    train_errors : ErrorStats
        Errors on the training set, used by optimal-scale decoders only.

    Returns
    -------
    DecoderLikelihood
        The exact decoder; ``discrete`` for the ``discretized-*`` likelihoods.
    """
    if likelihood.has_scale:
        log_scale, scale, source = _own_log_scale(likelihood, train_errors)

        def scaled(x: Tensor, logits: Tensor) -> Tensor:
            return likelihood.nll_at(x, likelihood.location(logits), log_scale)

        return DecoderLikelihood(scaled, scale, source, likelihood.discrete)
    offset = likelihood.nll_offset(num_pixels)

    def fixed(x: Tensor, logits: Tensor) -> Tensor:
        return likelihood.nll(x, logits)[0] + offset

    scale = _IMPLIED_SCALES.get(likelihood.id)
    return DecoderLikelihood(fixed, scale, None if scale is None else "fixed")


def model_discrete_decoder(
    likelihood: Likelihood, train_errors: ErrorStats
) -> DecoderLikelihood | None:
    """A σ-VAE's own decoder discretised on the 256 levels, with its own scale.

    The same law (Gaussian, Laplace or logistic) and scale as :func:`model_decoder`, its
    probability of each 8-bit level (:func:`~vaelab.models.likelihoods.discretized_nll`):
    the ``discretized-*`` decoders are their own discretisation.

    Parameters
    ----------
    likelihood : Likelihood
        The model's likelihood module.
    train_errors : ErrorStats
        Errors on the training set, used by optimal-scale decoders only.

    Returns
    -------
    DecoderLikelihood or None
        ``None`` for the likelihoods without a scale of their own (every one but the σ-VAE's).
    """
    if not likelihood.has_scale:
        return None
    log_scale, scale, source = _own_log_scale(likelihood, train_errors)

    def nll(x: Tensor, logits: Tensor) -> Tensor:
        return likelihood.discretized_nll_at(x, likelihood.location(logits), log_scale)

    return DecoderLikelihood(nll, scale, source, discrete=True)


def log_importance_weights(
    model: EncoderDecoder,
    x: Tensor,
    k: int,
    decoders: Sequence[DecoderNLL],
    generator: torch.Generator | None = None,
) -> Tensor:
    r"""Log importance weights :math:`\log p(x \mid z_i) + \log p(z_i) - \log q(z_i \mid x)`.

    The noise is drawn on the CPU from ``generator`` and then moved to ``x``'s device, so that the
    same seed gives the same draws on every device. With ``k = 1`` the weight is the usual
    one-sample ELBO estimate in which the KL term is estimated by Monte Carlo.

    Parameters
    ----------
    model : EncoderDecoder
        The VAE.
    x : Tensor
        Images in [0, 1], ``(B, C, H, W)``.
    k : int
        Samples z_i ~ q(z | x) per image.
    decoders : sequence of DecoderNLL
        Decoder likelihoods; all use the same samples z_i.
    generator : torch.Generator, optional
        A CPU generator for the noise.

    Returns
    -------
    Tensor
        Shape ``(len(decoders), k, B)``, nats.
    """
    mu, logvar = model.encode(x)  # (B, L) each
    b, latent = mu.shape
    eps = torch.randn((k, b, latent), generator=generator).to(mu.device, mu.dtype)
    z = mu + torch.exp(0.5 * logvar) * eps  # (k, B, L)
    # log p(z) − log q(z | x) with z = μ + σ ε: the ½ ln 2π constants cancel.
    log_prior_ratio = (0.5 * (eps.square() - z.square() + logvar)).sum(dim=2)  # (k, B)
    logits = model.decode_logits(z.reshape(k * b, latent))  # (k·B, C, H, W)
    x_rep = x.expand(k, *x.shape).reshape(k * b, *x.shape[1:])
    weights = [-nll(x_rep, logits).view(k, b) + log_prior_ratio for nll in decoders]
    return torch.stack(weights)


def convergence_ks(k: int) -> tuple[int, ...]:
    """The numbers of samples the IWAE bound is reported at: the powers of 10 below ``k``, and k.

    The bound at each is computed from the first of the same ``k`` draws, so that the values
    show how far it still moves as k grows (``convergence_ks(5000)`` is
    ``(1, 10, 100, 1000, 5000)``; at k = 1 it is an ELBO with a sampled KL).

    Parameters
    ----------
    k : int
        The largest number of samples, ≥ 1.

    Returns
    -------
    tuple of int
        Increasing, ending with ``k``.
    """
    powers = []
    power = 1
    while power < k:
        powers.append(power)
        power *= 10
    return (*powers, k)


def iwae_nll(log_weights: Tensor) -> Tensor:
    r"""IWAE estimate of :math:`-\log p(x)` from k log weights (Burda et al. 2016).

    :math:`-\left(\operatorname{logsumexp}_i \log w_i - \ln k\right)`, an upper bound on
    :math:`-\log p(x)` in expectation that tightens as k grows; k = 1 gives the negative ELBO.

    Parameters
    ----------
    log_weights : Tensor
        Shape ``(k, B)`` (see :func:`log_importance_weights`).

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image.
    """
    k = log_weights.shape[0]
    return -(torch.logsumexp(log_weights.double(), dim=0) - math.log(k))
