r"""Exact decoder log-likelihoods, the ELBO, the IWAE bound, bits/dim and PSNR.

Every quantity is in nats per image (summed over the D pixels) unless its name says otherwise.
The decoder mean is ``sigmoid(logits)``, in [0, 1] like the pixels.

A *decoder* here is a :class:`DecoderLikelihood`: an exactly normalised
:math:`-\log p(x \mid z)` as a function of ``(x, logits)``, with the scale (σ or b) it uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor

from vaelab.models.likelihoods import LOG_SCALE_MIN, Likelihood, softclip

#: ``(x, logits) -> (B,)`` negative log-likelihood in nats per image.
DecoderNLL = Callable[[Tensor, Tensor], Tensor]

_HALF_LN_2PI = 0.5 * math.log(2 * math.pi)
# Scales that the fixed-scale losses imply (see vaelab.models.likelihoods): Σ (x − x̂)² is a Gaussian
# with σ² = 1/2, Σ |x − x̂| a Laplace with b = 1.
_IMPLIED_SCALES = {"mse": math.sqrt(0.5), "l1": 1.0}


class EncoderDecoder(Protocol):
    """What the metrics need from a model (:class:`vaelab.models.ConvVAE` qualifies)."""

    likelihood: Likelihood

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]: ...  # noqa: D102

    def decode_logits(self, z: Tensor) -> Tensor: ...  # noqa: D102


def bits_per_dim(nll: float, num_pixels: int) -> float:
    r"""Bits per dimension of a negative log-likelihood of pixels in [0, 1].

    The density of pixels in [0, 1] becomes that of 8-bit values in [0, 256] by dividing by
    :math:`256^D`, hence :math:`(\mathrm{NLL} + D \ln 256) / (D \ln 2)`. A uniform density on
    [0, 1] (NLL = 0) gives 8 bits/dim.

    Parameters
    ----------
    nll : float
        Negative log-likelihood of one image, in nats, for pixels scaled to [0, 1].
    num_pixels : int
        D, the number of values in one image (C · H · W).

    Returns
    -------
    float
        Bits per dimension.
    """
    return (nll + num_pixels * math.log(256.0)) / (num_pixels * math.log(2.0))


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


def gaussian_nll(x: Tensor, mean: Tensor, log_sigma: float | Tensor) -> Tensor:
    r"""Exact :math:`-\log \mathcal N(x;\, \hat x, \sigma^2 I)` per image, one σ for every pixel.

    Parameters
    ----------
    x, mean : Tensor
        Images and decoder means, ``(B, C, H, W)``.
    log_sigma : float or Tensor
        :math:`\ln \sigma`, a scalar.

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image.
    """
    log_sigma = torch.as_tensor(log_sigma, dtype=x.dtype, device=x.device)
    per_pixel = 0.5 * (x - mean).square() * torch.exp(-2.0 * log_sigma) + log_sigma + _HALF_LN_2PI
    return per_pixel.flatten(1).sum(dim=1)


def laplace_nll(x: Tensor, mean: Tensor, log_b: float | Tensor) -> Tensor:
    r"""Exact :math:`-\log \mathrm{Laplace}(x;\, \hat x, b)` per image, one b for every pixel.

    Parameters
    ----------
    x, mean : Tensor
        Images and decoder means, ``(B, C, H, W)``.
    log_b : float or Tensor
        :math:`\ln b`, a scalar.

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image.
    """
    log_b = torch.as_tensor(log_b, dtype=x.dtype, device=x.device)
    per_pixel = (x - mean).abs() * torch.exp(-log_b) + log_b + math.log(2.0)
    return per_pixel.flatten(1).sum(dim=1)


#: Exact NLL with a given log-scale, by likelihood id, for the decoders that have a scale.
SCALED_NLL: dict[str, Callable[[Tensor, Tensor, float | Tensor], Tensor]] = {
    "gaussian": gaussian_nll,
    "laplace": laplace_nll,
}


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
        """The maximum-likelihood log σ (``"gaussian"``) or log b (``"laplace"``), soft-clipped.

        The clip at :data:`~vaelab.models.likelihoods.LOG_SCALE_MIN` is the one used in training,
        so that a perfect reconstruction gives a finite likelihood.
        """
        # σ² is the mean squared error, b the mean absolute error (−inf: a perfect fit).
        power, error = {"gaussian": (0.5, self.mse), "laplace": (1.0, self.mae)}[likelihood_id]
        value = power * math.log(error) if error > 0 else -math.inf
        return float(softclip(torch.tensor(value, dtype=torch.float64), LOG_SCALE_MIN))


@dataclass(frozen=True)
class DecoderLikelihood:
    r"""An exactly normalised decoder likelihood.

    Attributes
    ----------
    nll : DecoderNLL
        ``(x, logits) -> (B,)``, :math:`-\log p(x \mid z)` in nats per image.
    scale : float or None
        The σ (Gaussian) or b (Laplace) it uses; ``None`` for a Bernoulli decoder.
    scale_source : str or None
        ``"fixed"`` (implied by the loss: σ² = 1/2 for ``mse``, b = 1 for ``l1``), ``"learned"``
        (the σ-VAE's parameter), ``"train-optimal"`` (maximum likelihood on the training set),
        or ``None`` (Bernoulli).
    """

    nll: DecoderNLL
    scale: float | None
    scale_source: str | None


def calibrated_gaussian(log_sigma: float) -> DecoderLikelihood:
    r"""The Gaussian decoder with a fixed σ, such as the one fitted post hoc on the training set.

    Parameters
    ----------
    log_sigma : float
        :math:`\ln \sigma`.

    Returns
    -------
    DecoderLikelihood
        With ``scale_source="train-optimal"``.
    """

    def nll(x: Tensor, logits: Tensor) -> Tensor:
        return gaussian_nll(x, torch.sigmoid(logits), log_sigma)

    return DecoderLikelihood(nll, math.exp(log_sigma), "train-optimal")


def model_decoder(
    likelihood: Likelihood, num_pixels: int, train_errors: ErrorStats
) -> DecoderLikelihood:
    """The model's own likelihood, exactly normalised and independent of the batch.

    ``mse`` and ``l1`` get their constant
    :meth:`~vaelab.models.likelihoods.Likelihood.nll_offset`; a learned σ-VAE scale is used as
    is; an *optimal* σ-VAE scale, which training computes on each batch, is replaced by its
    maximum-likelihood value on the whole training set (so that a test metric never depends on
    how the test set is batched, nor fits anything on test images).

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
        The exact decoder.
    """
    lid = likelihood.id
    if likelihood.has_scale and getattr(likelihood, "learned", False):
        log_scale = softclip(likelihood.log_scale.detach().double(), LOG_SCALE_MIN)

        def learned(x: Tensor, logits: Tensor) -> Tensor:
            return likelihood.nll(x, logits)[0]

        return DecoderLikelihood(learned, float(log_scale.exp()), "learned")
    if likelihood.has_scale:
        log_scale = train_errors.log_scale(lid)
        scaled = SCALED_NLL[lid]

        def optimal(x: Tensor, logits: Tensor) -> Tensor:
            return scaled(x, torch.sigmoid(logits), log_scale)

        return DecoderLikelihood(optimal, math.exp(log_scale), "train-optimal")
    offset = likelihood.nll_offset(num_pixels)

    def fixed(x: Tensor, logits: Tensor) -> Tensor:
        return likelihood.nll(x, logits)[0] + offset

    scale = _IMPLIED_SCALES.get(lid)
    return DecoderLikelihood(fixed, scale, None if scale is None else "fixed")


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
