r"""Reconstruction likelihoods :math:`p_\theta(x \mid z)` and the Gaussian KL term.

Every term is in nats per image: summed over pixels, one value per image. The decoder outputs
logits; the mean image is their sigmoid, so it lives in [0, 1] like the pixels.

=============  ============================================================================
id             negative log-likelihood per image (D pixels, :math:`\hat x` the decoder mean)
=============  ============================================================================
``mse``        :math:`\sum (x-\hat x)^2` — a Gaussian with fixed :math:`\sigma^2 = 1/2`, minus
               its constant :math:`\tfrac{D}{2}\ln\pi` (see :meth:`Likelihood.nll_offset`)
``l1``         :math:`\sum |x-\hat x|` — a Laplace with fixed :math:`b = 1`, minus
               :math:`D \ln 2`
``bernoulli``  binary cross-entropy, exact
``gaussian``   :math:`\sum \frac{(x-\hat x)^2}{2\sigma^2} + \ln\sigma + \tfrac12\ln 2\pi`, exact;
               σ optimal (the batch RMSE) or learned — the σ-VAE (Rybkin et al. 2020)
``laplace``    :math:`\sum \frac{|x-\hat x|}{b} + \ln 2b`, exact; b optimal (the batch mean
               absolute error) or learned
=============  ============================================================================
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

#: Lower bound of the soft clip on log σ. Rybkin et al. use −6 so σ never collapses to 0.
LOG_SCALE_MIN = -6.0
#: Sharpness k of the soft clip. Rybkin et al.'s code uses k = 1, which inflates σ = 0.1 by 2.5 %
#: so that the "optimal" σ is no longer the RMSE; with k = 10 the clip moves log σ by at most
#: 5e-6 above log σ = −5 (by 1e-17 at σ = 0.1) and is still smooth around −6.
SOFTCLIP_SHARPNESS = 10.0


def softclip(tensor: Tensor, minimum: float, sharpness: float = SOFTCLIP_SHARPNESS) -> Tensor:
    """Clip ``tensor`` from below smoothly: ``minimum + softplus(k (tensor - minimum)) / k``."""
    return minimum + F.softplus(sharpness * (tensor - minimum)) / sharpness


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    r"""KL divergence :math:`\mathrm{KL}(\mathcal N(\mu, \sigma^2) \,\|\, \mathcal N(0, I))`.

    Parameters
    ----------
    mu, logvar : Tensor
        Posterior means and log-variances, shape ``(B, D)``.

    Returns
    -------
    Tensor
        Shape ``(B,)``: :math:`\tfrac12 \sum_d (\mu_d^2 + \sigma_d^2 - 1 - \ln\sigma_d^2)`.
    """
    return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar).sum(dim=1)


def _per_image(t: Tensor) -> Tensor:
    # (B, C, H, W) -> (B,)
    return t.flatten(1).sum(dim=1)


class Likelihood(nn.Module):
    """A decoder distribution over pixels; subclasses define :meth:`nll`."""

    id: str = ""
    #: Whether the distribution has a scale (σ or b) reported during training.
    has_scale: bool = False

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:
        """Negative log-likelihood of ``x`` given the decoder ``logits``.

        Parameters
        ----------
        x : Tensor
            Images in [0, 1], shape ``(B, C, H, W)``.
        logits : Tensor
            Decoder outputs, same shape; the mean image is ``sigmoid(logits)``.

        Returns
        -------
        nll : Tensor
            Shape ``(B,)``, nats per image.
        scale : Tensor or None
            The scalar σ (or b) used, when the distribution has one.
        """
        raise NotImplementedError

    def nll_offset(self, num_pixels: int) -> float:
        """Constant that turns :meth:`nll` into the exact negative log-likelihood (0 if exact)."""
        return 0.0


class SquaredError(Likelihood):
    """Sum of squared errors: a Gaussian with σ² = 1/2 up to a constant."""

    id = "mse"

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        return _per_image((torch.sigmoid(logits) - x).square()), None

    def nll_offset(self, num_pixels: int) -> float:  # noqa: D102
        return 0.5 * num_pixels * math.log(math.pi)


class AbsoluteError(Likelihood):
    """Sum of absolute errors: a Laplace with b = 1 up to a constant."""

    id = "l1"

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        return _per_image((torch.sigmoid(logits) - x).abs()), None

    def nll_offset(self, num_pixels: int) -> float:  # noqa: D102
        return num_pixels * math.log(2.0)


class Bernoulli(Likelihood):
    """Bernoulli pixels (binary cross-entropy), for black-and-white data such as MNIST."""

    id = "bernoulli"

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        return _per_image(bce), None


class _CalibratedLikelihood(Likelihood):
    """A σ-VAE decoder: one scale shared by all pixels, optimal or learned (Rybkin et al. 2020)."""

    has_scale = True

    def __init__(self, learned: bool) -> None:
        super().__init__()
        self.learned = learned
        if learned:
            self.log_scale = nn.Parameter(torch.zeros(()))

    def _log_scale(self, error: Tensor) -> Tensor:
        if self.learned:
            raw = self.log_scale
        else:
            raw = self._optimal_log_scale(error)
        return softclip(raw, LOG_SCALE_MIN)

    def _optimal_log_scale(self, error: Tensor) -> Tensor:
        raise NotImplementedError


class Gaussian(_CalibratedLikelihood):
    """Gaussian pixels with one shared σ; the optimal σ² is the batch mean squared error."""

    id = "gaussian"

    def _optimal_log_scale(self, error: Tensor) -> Tensor:
        # argmax_σ Σ log N(x | x̂, σ²) = sqrt(mean (x − x̂)²) over the batch and every pixel
        # (the paper's erratum: the mean, not the per-image sum).
        return 0.5 * error.square().mean().log()

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        error = x - torch.sigmoid(logits)
        log_sigma = self._log_scale(error)
        per_pixel = (
            0.5 * error.square() * torch.exp(-2.0 * log_sigma)
            + log_sigma
            + 0.5 * math.log(2 * math.pi)
        )
        return _per_image(per_pixel), log_sigma.exp().detach()


class Laplace(_CalibratedLikelihood):
    """Laplace pixels with one shared scale b; the optimal b is the batch mean absolute error."""

    id = "laplace"

    def _optimal_log_scale(self, error: Tensor) -> Tensor:
        return error.abs().mean().log()

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        error = x - torch.sigmoid(logits)
        log_b = self._log_scale(error)
        per_pixel = error.abs() * torch.exp(-log_b) + log_b + math.log(2.0)
        return _per_image(per_pixel), log_b.exp().detach()


_FIXED = {cls.id: cls for cls in (SquaredError, AbsoluteError, Bernoulli)}
_CALIBRATED = {cls.id: cls for cls in (Gaussian, Laplace)}
#: Every likelihood id.
LIKELIHOODS: tuple[str, ...] = (*_FIXED, *_CALIBRATED)


def build_likelihood(likelihood: str, scale: str = "optimal") -> Likelihood:
    """Make the likelihood module named ``likelihood``.

    Parameters
    ----------
    likelihood : str
        One of :data:`LIKELIHOODS`.
    scale : str
        ``"optimal"`` or ``"learned"``; used by ``gaussian`` and ``laplace`` only.

    Returns
    -------
    Likelihood
        A module; a learned scale is its one parameter.
    """
    if likelihood in _CALIBRATED:
        return _CALIBRATED[likelihood](learned=scale == "learned")
    if likelihood in _FIXED:
        return _FIXED[likelihood]()
    raise ValueError(f"unknown likelihood {likelihood!r}; choose one of: {', '.join(LIKELIHOODS)}")
