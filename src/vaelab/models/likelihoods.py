r"""Reconstruction likelihoods :math:`p_\theta(x \mid z)` and the Gaussian KL term.

Every term is in nats per image: summed over pixels, one value per image. The decoder outputs
logits; the mean image is their sigmoid (for the continuous Bernoulli, a function of it), so it
lives in [0, 1] like the pixels. Pixels are 8-bit levels :math:`k/255`.

The discretised laws are the exception: their location is the logits themselves, unbounded, as in
PixelCNN++ and VDVAE. The edge bins take the tails, so a black pixel is likely only when the
location lies below 0 by a few scales: a location squeezed into [0, 1] by a sigmoid gives a black
or white pixel a probability of at most about ½ at any usable scale, and such a decoder learned
to ignore its code (KL ≈ 0 after 5 epochs on MNIST-5k, σ-VAE, z = 16; with the unbounded location,
KL ≈ 34 nats and a test NLL 1,160 instead of 1,626 nats). Their image (:meth:`Likelihood.mean`)
is the location clamped to [0, 1], the law's median to within a bin.

========================  =================================================================
id                        negative log-likelihood per image (D pixels, :math:`\hat x` the
                          decoder's location)
========================  =================================================================
``mse``                   :math:`\sum (x-\hat x)^2` — a Gaussian with fixed
                          :math:`\sigma^2 = 1/2`, minus its constant :math:`\tfrac{D}{2}\ln\pi`
                          (see :meth:`Likelihood.nll_offset`)
``l1``                    :math:`\sum |x-\hat x|` — a Laplace with fixed :math:`b = 1`, minus
                          :math:`D \ln 2`
``gaussian-unit``         :math:`\sum \frac{(x-\hat x)^2}{2} + \tfrac12\ln 2\pi`, exact: a Gaussian
                          with σ = 1, the σ-VAE paper's "Gaussian VAE" (its code's
                          ``gaussian_vae``), which barely weighs the reconstruction
``bernoulli``             binary cross-entropy: exact for black-and-white pixels, not a
                          normalised likelihood of grey levels
``continuous-bernoulli``  the cross-entropy minus :math:`\log C(\lambda)`: an exact density on
                          [0, 1] (Loaiza-Ganem & Cunningham 2019)
``gaussian``              :math:`\sum \frac{(x-\hat x)^2}{2\sigma^2} + \ln\sigma
                          + \tfrac12\ln 2\pi`, exact; σ optimal (the batch RMSE) or learned,
                          shared by every pixel or one per pixel — the σ-VAE (Rybkin et al.
                          2020)
``laplace``               :math:`\sum \frac{|x-\hat x|}{b} + \ln 2b`, exact; b optimal (the
                          batch mean absolute error) or learned
``discretized-gaussian``  :math:`-\sum \ln P(x)`, P the Gaussian mass of the 1/255-wide bin of
                          each 8-bit level, the lowest and highest bins taking the tails: a
                          probability, as in the likelihood tables of papers; σ optimal (the
                          batch RMSE, the continuous optimum used as a plug-in: the discrete
                          one has no closed form) or learned
``discretized-logistic``  the same with a logistic (Salimans et al. 2017, PixelCNN++); scale s
                          optimal (:math:`\sqrt3\,\mathrm{RMSE}/\pi`, the logistic of the
                          plug-in Gaussian's variance) or learned
========================  =================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

#: Lower bound of the soft clip on log σ. Rybkin et al. use −6 so σ never collapses to 0.
LOG_SCALE_MIN = -6.0
#: Sharpness k of the soft clip. Rybkin et al.'s code uses k = 1, which inflates σ = 0.1 by 2.5 %
#: so that the "optimal" σ is no longer the RMSE; with k = 10 the clip moves log σ by at most
#: 5e-6 above log σ = −5 (by 1e-17 at σ = 0.1) and is still smooth around −6.
SOFTCLIP_SHARPNESS = 10.0
#: Levels of an 8-bit pixel; the pixels are ``k / (LEVELS − 1)``.
LEVELS = 256
#: Half the width of the bin of one level: the bins are 1/255 wide, centred on the levels.
HALF_BIN = 0.5 / (LEVELS - 1)
#: Smallest gap, in log space, between the two CDF values of a bin. It only binds where float
#: rounding would make them equal (a scale ~10⁴ times the bin), so that the log stays finite.
_MIN_LOG_GAP = 1e-12
#: Below this |logit|, the continuous Bernoulli's normaliser and mean use their Taylor series
#: (truncation error under 1e-12); above it the closed forms have no cancellation to fear.
_CB_SERIES_BELOW = 0.1
_LN2 = math.log(2.0)
_HALF_LN_2PI = 0.5 * math.log(2 * math.pi)


def softclip(tensor: Tensor, minimum: float, sharpness: float = SOFTCLIP_SHARPNESS) -> Tensor:
    """Clip ``tensor`` from below smoothly: ``minimum + softplus(k (tensor - minimum)) / k``."""
    return minimum + F.softplus(sharpness * (tensor - minimum)) / sharpness


def gaussian_kl_terms(mu: Tensor, logvar: Tensor) -> Tensor:
    r"""KL divergence of each latent dimension, :math:`\mathrm{KL}(q(z_d \mid x) \| p(z_d))`.

    Parameters
    ----------
    mu, logvar : Tensor
        Posterior means and log-variances, shape ``(B, D)``.

    Returns
    -------
    Tensor
        Shape ``(B, D)``: :math:`\tfrac12 (\mu_d^2 + \sigma_d^2 - 1 - \ln\sigma_d^2)`.
    """
    return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar)


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    r"""KL divergence :math:`\mathrm{KL}(\mathcal N(\mu, \sigma^2) \,\|\, \mathcal N(0, I))`.

    Parameters
    ----------
    mu, logvar : Tensor
        Posterior means and log-variances, shape ``(B, D)``.

    Returns
    -------
    Tensor
        Shape ``(B,)``, the sum over dimensions of :func:`gaussian_kl_terms`.
    """
    return gaussian_kl_terms(mu, logvar).sum(dim=1)


def _per_image(t: Tensor) -> Tensor:
    # (B, C, H, W) -> (B,)
    return t.flatten(1).sum(dim=1)


# -- continuous densities on [0, 1] (or the real line) -------------------------------------------


def gaussian_nll(x: Tensor, mean: Tensor, log_sigma: float | Tensor) -> Tensor:
    r"""Exact :math:`-\log \mathcal N(x;\, \hat x, \sigma^2 I)` per image, one σ for every pixel.

    Parameters
    ----------
    x, mean : Tensor
        Images and decoder means, ``(B, C, H, W)``.
    log_sigma : float or Tensor
        :math:`\ln \sigma`, a scalar, or one per pixel ``(C, H, W)``.

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image (a density: it can be negative).
    """
    log_sigma = torch.as_tensor(log_sigma, dtype=x.dtype, device=x.device)
    per_pixel = 0.5 * (x - mean).square() * torch.exp(-2.0 * log_sigma) + log_sigma + _HALF_LN_2PI
    return _per_image(per_pixel)


def laplace_nll(x: Tensor, mean: Tensor, log_b: float | Tensor) -> Tensor:
    r"""Exact :math:`-\log \mathrm{Laplace}(x;\, \hat x, b)` per image, one b for every pixel.

    Parameters
    ----------
    x, mean : Tensor
        Images and decoder means, ``(B, C, H, W)``.
    log_b : float or Tensor
        :math:`\ln b`, a scalar, or one per pixel ``(C, H, W)``.

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image (a density: it can be negative).
    """
    log_b = torch.as_tensor(log_b, dtype=x.dtype, device=x.device)
    per_pixel = (x - mean).abs() * torch.exp(-log_b) + log_b + _LN2
    return _per_image(per_pixel)


def _cb_series_region(logits: Tensor) -> tuple[Tensor, Tensor]:
    # Where the series is used, and |η| elsewhere (1 there): the closed forms are evaluated away
    # from 0 only, so that their gradients are never NaN.
    small = logits.abs() < _CB_SERIES_BELOW
    return small, torch.where(small, torch.ones_like(logits), logits.abs())


def continuous_bernoulli_log_norm(logits: Tensor) -> Tensor:
    r""":math:`\log C(\lambda)`, the log-normaliser of the continuous Bernoulli, per pixel.

    With :math:`\lambda = \mathrm{sigmoid}(\eta)`, :math:`C = 2\tanh^{-1}(1-2\lambda)/(1-2\lambda)
    = \eta / \tanh(\eta/2)`, even in η and equal to 2 at λ = ½. Near there it is the series
    :math:`\ln 2 + \eta^2/12 - 7\eta^4/1440 + 62\eta^6/181440`; elsewhere
    :math:`\ln|\eta| - \ln(1 - e^{-|\eta|}) + \ln(1 + e^{-|\eta|})`, which neither overflows
    nor cancels.

    Parameters
    ----------
    logits : Tensor
        η, any shape.

    Returns
    -------
    Tensor
        Same shape as ``logits``.
    """
    small, safe = _cb_series_region(logits)
    closed = safe.log() - torch.log(-torch.expm1(-safe)) + torch.log1p(torch.exp(-safe))
    eta2 = logits.square()
    series = _LN2 + eta2 * (1.0 / 12.0 + eta2 * (-7.0 / 1440.0 + eta2 * (62.0 / 181440.0)))
    return torch.where(small, series, closed)


def continuous_bernoulli_mean(logits: Tensor) -> Tensor:
    r"""Mean of the continuous Bernoulli of logits η: :math:`1/(1 - e^{-\eta}) - 1/\eta`.

    It is not :math:`\lambda = \mathrm{sigmoid}(\eta)`: it lies nearer ½ (Loaiza-Ganem &
    Cunningham 2019, who show that λ is a poor reconstruction). Near η = 0 it is the series
    :math:`\tfrac12 + \eta/12 - \eta^3/720 + \eta^5/30240`.

    Parameters
    ----------
    logits : Tensor
        η, any shape.

    Returns
    -------
    Tensor
        Same shape, in (0, 1).
    """
    small, safe = _cb_series_region(logits)
    eta = torch.where(small, torch.ones_like(logits), logits)
    # 1 / (1 − e^{−η}) written with e^{−|η|} only, so that it never overflows.
    first = torch.where(eta > 0, torch.ones_like(eta), -torch.exp(-safe)) / -torch.expm1(-safe)
    closed = first - 1.0 / eta
    eta2 = logits.square()
    series = 0.5 + logits * (1.0 / 12.0 + eta2 * (-1.0 / 720.0 + eta2 / 30240.0))
    return torch.where(small, series, closed)


def continuous_bernoulli_nll(x: Tensor, logits: Tensor) -> Tensor:
    r"""Exact :math:`-\log \mathcal{CB}(x;\, \lambda)` per image, λ the sigmoid of the logits.

    It is the binary cross-entropy minus :math:`\log C(\lambda)`
    (:func:`continuous_bernoulli_log_norm`).

    Parameters
    ----------
    x, logits : Tensor
        Images in [0, 1] and decoder logits, ``(B, C, H, W)``.

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image (a density on [0, 1]: it can be negative).
    """
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return _per_image(bce - continuous_bernoulli_log_norm(logits))


# -- discretised likelihoods: probabilities of the 256 levels ------------------------------------


def _laplace_log_cdf(t: Tensor) -> Tensor:
    # log F(t) of the standard Laplace: t − ln 2 below 0, log(1 − e^{−t}/2) above; e^{−|t|} so
    # that the branch not taken never overflows.
    return torch.where(t < 0, t - _LN2, torch.log1p(-0.5 * torch.exp(-t.abs())))


#: log F(t) of each standardised law, all symmetric about 0: F(−t) = 1 − F(t).
LOG_CDF: dict[str, Callable[[Tensor], Tensor]] = {
    "gaussian": torch.special.log_ndtr,
    "logistic": F.logsigmoid,
    "laplace": _laplace_log_cdf,
}


def discretized_log_prob(x: Tensor, mean: Tensor, log_scale: float | Tensor, law: str) -> Tensor:
    r"""Log-probability of each 8-bit pixel under a discretised location-scale law.

    The level :math:`x = k/255` gets the mass of the bin :math:`[x - \tfrac1{510},
    x + \tfrac1{510}]`; level 0 also takes everything below and level 255 everything above, so
    that the 256 probabilities sum to 1 (PixelCNN++, Salimans et al. 2017; VDVAE). A bin's mass
    :math:`F(b) - F(a)` is computed in log space as
    :math:`\log F(b) + \log(1 - e^{\log F(a) - \log F(b)})`, on the side of the location where
    the bin lies (mirrored when above it), where :math:`\log F` is accurate however far in the
    tail: no floor on the probability, only on the gap between the two CDF values where rounding
    would make them equal.

    Parameters
    ----------
    x : Tensor
        Pixels on the levels ``k / 255``, ``(B, C, H, W)``.
    mean : Tensor
        The law's location, same shape.
    log_scale : float or Tensor
        Log of its scale (σ for ``"gaussian"``, s for ``"logistic"``, b for ``"laplace"``),
        a scalar or broadcastable.
    law : str
        A key of :data:`LOG_CDF`.

    Returns
    -------
    Tensor
        Same shape as ``x``; each value ≤ 0.
    """
    log_cdf = LOG_CDF[law]
    inv_scale = torch.exp(-torch.as_tensor(log_scale, dtype=x.dtype, device=x.device))
    centre = (x - mean) * inv_scale  # the bin's centre, standardised
    half = HALF_BIN * inv_scale
    first, last = x < HALF_BIN, x > 1.0 - HALF_BIN
    # The bin is [u − half, u + half] once mirrored below the location (F(−t) = 1 − F(t)), where
    # F is small and its log accurate; the first bin's mass is then F(u + half) as is, the last
    # one's 1 − F(centre − half) = F(u + half) mirrored.
    u = torch.where(first, centre, torch.where(last, -centre, -centre.abs()))
    log_upper = log_cdf(u + half)
    gap = (log_cdf(u - half) - log_upper).clamp(max=-_MIN_LOG_GAP)
    # log(1 − e^gap): −expm1 keeps its relative precision near 0; far below, the value is
    # about −e^gap, tiny next to log_upper, so its absolute precision is what counts.
    inner = torch.log(-torch.expm1(gap))
    return log_upper + torch.where(first | last, torch.zeros_like(inner), inner)


def discretized_nll(x: Tensor, mean: Tensor, log_scale: float | Tensor, law: str) -> Tensor:
    r"""Exact :math:`-\log P(x)` per image under :func:`discretized_log_prob`.

    Parameters
    ----------
    x, mean, log_scale, law
        As for :func:`discretized_log_prob`.

    Returns
    -------
    Tensor
        Shape ``(B,)``, nats per image, ≥ 0: a probability, so NLL / (D ln 2) is in bits per
        dimension as papers report them.
    """
    return -_per_image(discretized_log_prob(x, mean, log_scale, law))


# -- the likelihood modules ----------------------------------------------------------------------


class Likelihood(nn.Module):
    """A decoder distribution over pixels; subclasses define :meth:`nll`."""

    id: str = ""
    #: Whether the distribution has a scale (σ or b) reported during training.
    has_scale: bool = False

    def mean(self, logits: Tensor) -> Tensor:
        """The reconstruction: the distribution's mean (its location), in [0, 1]."""
        return torch.sigmoid(logits)

    def location(self, logits: Tensor) -> Tensor:
        """Where the law is centred: the mean but for the discretised laws (unbounded there)."""
        return self.mean(logits)

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:
        """Negative log-likelihood of ``x`` given the decoder ``logits``.

        Parameters
        ----------
        x : Tensor
            Images in [0, 1], shape ``(B, C, H, W)``.
        logits : Tensor
            Decoder outputs, same shape; the mean image is :meth:`Likelihood.mean` of them.

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
        return num_pixels * _LN2


class UnitGaussian(Likelihood):
    """Gaussian pixels with σ = 1: the Gaussian VAE of Rybkin et al. (2020).

    Their code's ``gaussian_vae`` fixes log σ = 0. With pixels in [0, 1] the reconstruction then
    weighs little against the KL, which is the paper's point. Exact, with its constant.
    """

    id = "gaussian-unit"

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        return gaussian_nll(x, torch.sigmoid(logits), 0.0), None


class Bernoulli(Likelihood):
    """Bernoulli pixels (binary cross-entropy), for black-and-white data such as MNIST.

    On grey levels it is a loss, not a likelihood: it does not integrate to 1 over [0, 1].
    """

    id = "bernoulli"

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
        return _per_image(bce), None


class ContinuousBernoulli(Likelihood):
    """The continuous Bernoulli: the cross-entropy made a density on [0, 1].

    Loaiza-Ganem & Cunningham, *The continuous Bernoulli: fixing a pervasive error in variational
    autoencoders*, NeurIPS 2019 (arXiv 1907.06845). Its reconstruction is its mean
    (:func:`continuous_bernoulli_mean`), not λ.
    """

    id = "continuous-bernoulli"

    def mean(self, logits: Tensor) -> Tensor:  # noqa: D102
        return continuous_bernoulli_mean(logits)

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:  # noqa: D102
        return continuous_bernoulli_nll(x, logits), None


class _CalibratedLikelihood(Likelihood):
    """A σ-VAE decoder (Rybkin et al. 2020): its scale optimal, learned, or learned per pixel.

    Subclasses name their ``law`` (a key of :data:`LOG_CDF`), whether they are ``discrete``,
    the mean error (``"squared"`` or ``"absolute"``) their optimal scale follows from and
    ``log_scale_of`` it.

    Parameters
    ----------
    learned : bool
        Learn the log-scale as a parameter instead of computing the optimum on each batch.
    pixel_shape : tuple of int, optional
        ``(C, H, W)``: learn one log-scale per pixel, shared by every image (the paper's
        per-pixel σ, against the shared one). Only with ``learned``.

    Attributes
    ----------
    eval_log_scale : float or None
        For an optimal scale: the log-scale used in eval mode instead of the test batch's
        optimum, so that a test loss fits nothing on test images. Training sets it to the mean
        σ of the epoch's training batches (:class:`vaelab.training.schedules.TrainingScale`).
    """

    has_scale = True
    law = "gaussian"
    discrete = False
    error_kind = "squared"

    def __init__(self, learned: bool, pixel_shape: tuple[int, ...] | None = None) -> None:
        super().__init__()
        self.learned = learned
        self.per_pixel = learned and pixel_shape is not None
        self.eval_log_scale: float | None = None
        if learned:
            self.log_scale = nn.Parameter(torch.zeros(pixel_shape if self.per_pixel else ()))

    @staticmethod
    def log_scale_of(mean_error: Tensor) -> Tensor:
        """The optimal log-scale, before the soft clip, from the mean error per pixel."""
        raise NotImplementedError

    def nll_at(self, x: Tensor, mean: Tensor, log_scale: float | Tensor) -> Tensor:
        """Exact NLL per image, ``(B,)``, at the location ``mean`` and the given log-scale."""
        if self.discrete:
            return discretized_nll(x, mean, log_scale, self.law)
        return {"gaussian": gaussian_nll, "laplace": laplace_nll}[self.law](x, mean, log_scale)

    def discretized_nll_at(self, x: Tensor, mean: Tensor, log_scale: float | Tensor) -> Tensor:
        """The same law discretised on the 256 levels (:func:`discretized_nll`), ``(B,)``."""
        return discretized_nll(x, mean, log_scale, self.law)

    def _log_scale(self, error: Tensor) -> Tensor:
        if self.learned:
            raw = self.log_scale
        elif not self.training and self.eval_log_scale is not None:
            raw = torch.tensor(self.eval_log_scale, dtype=error.dtype, device=error.device)
        else:
            mean_error = (
                error.square().mean() if self.error_kind == "squared" else error.abs().mean()
            )
            raw = self.log_scale_of(mean_error)
        return softclip(raw, LOG_SCALE_MIN)

    def nll(self, x: Tensor, logits: Tensor) -> tuple[Tensor, Tensor | None]:
        """As :meth:`Likelihood.nll`; a per-pixel scale is reported by its geometric mean."""
        # An optimal scale follows from the errors of the image, the location sets the law.
        log_scale = self._log_scale(x - self.mean(logits))
        return self.nll_at(x, self.location(logits), log_scale), log_scale.mean().exp().detach()


class Gaussian(_CalibratedLikelihood):
    """Gaussian pixels with one shared σ; the optimal σ² is the batch mean squared error."""

    id = "gaussian"

    @staticmethod
    def log_scale_of(mean_error: Tensor) -> Tensor:  # noqa: D102
        # argmax_σ Σ log N(x | x̂, σ²) = sqrt(mean (x − x̂)²) over the batch and every pixel
        # (the paper's erratum: the mean, not the per-image sum).
        return 0.5 * mean_error.log()


class Laplace(_CalibratedLikelihood):
    """Laplace pixels with one shared scale b; the optimal b is the batch mean absolute error."""

    id = "laplace"
    law = "laplace"
    error_kind = "absolute"

    @staticmethod
    def log_scale_of(mean_error: Tensor) -> Tensor:  # noqa: D102
        return mean_error.log()


class _Discretized(_CalibratedLikelihood):
    """A law discretised on the 256 levels: an unbounded location, its image clamped to [0, 1].

    See the module's docstring for why the location must be free to pass the edges.
    """

    discrete = True

    def mean(self, logits: Tensor) -> Tensor:  # noqa: D102
        return logits.clamp(0.0, 1.0)

    def location(self, logits: Tensor) -> Tensor:  # noqa: D102
        return logits


class DiscretizedGaussian(_Discretized):
    """Gaussian pixels discretised on the 256 levels, edge bins taking the tails.

    The optimal σ of the discrete likelihood has no closed form; the "optimal" σ here is the
    batch RMSE of the image, the continuous optimum, used as a plug-in.
    """

    id = "discretized-gaussian"

    @staticmethod
    def log_scale_of(mean_error: Tensor) -> Tensor:  # noqa: D102
        return 0.5 * mean_error.log()


class DiscretizedLogistic(_Discretized):
    """Logistic pixels discretised on the 256 levels (Salimans et al. 2017, PixelCNN++).

    Salimans, Karpathy, Chen & Kingma, *PixelCNN++*, ICLR 2017 (arXiv 1701.05517), with one
    scale s shared by every pixel. The "optimal" s is a plug-in: the logistic whose variance
    π²s²/3 is the batch mean squared error, s = √3 · RMSE / π.
    """

    id = "discretized-logistic"
    law = "logistic"

    @staticmethod
    def log_scale_of(mean_error: Tensor) -> Tensor:  # noqa: D102
        return 0.5 * mean_error.log() + math.log(math.sqrt(3.0) / math.pi)


_FIXED = {
    cls.id: cls
    for cls in (SquaredError, AbsoluteError, Bernoulli, ContinuousBernoulli, UnitGaussian)
}
_CALIBRATED = {cls.id: cls for cls in (Gaussian, Laplace, DiscretizedGaussian, DiscretizedLogistic)}
#: Every likelihood id.
LIKELIHOODS: tuple[str, ...] = (*_FIXED, *_CALIBRATED)


def optimal_log_scale(
    likelihood: str, mean_squared_error: float, mean_absolute_error: float
) -> float:
    """The soft-clipped optimal log-scale of a calibrated decoder, from its mean errors.

    The rule is the one training uses on each batch (for ``discretized-*``, the plug-in), so
    that evaluation can apply it to a whole set of images.

    Parameters
    ----------
    likelihood : str
        A likelihood id that has a scale (``gaussian``, ``laplace``, ``discretized-*``).
    mean_squared_error, mean_absolute_error : float
        Mean errors per pixel; 0 gives the soft floor :data:`LOG_SCALE_MIN`.

    Returns
    -------
    float
        log σ (or log b, log s).
    """
    rule = _CALIBRATED[likelihood]
    error = mean_squared_error if rule.error_kind == "squared" else mean_absolute_error
    raw = rule.log_scale_of(torch.tensor(error, dtype=torch.float64))
    return float(softclip(raw, LOG_SCALE_MIN))


def build_likelihood(
    likelihood: str, scale: str = "optimal", pixel_shape: tuple[int, ...] = (1, 28, 28)
) -> Likelihood:
    """Make the likelihood module named ``likelihood``.

    Parameters
    ----------
    likelihood : str
        One of :data:`LIKELIHOODS`.
    scale : str
        ``"optimal"``, ``"learned"`` or ``"learned-per-pixel"``; used by the likelihoods that
        have a scale only.
    pixel_shape : tuple of int
        ``(C, H, W)`` of one image, for ``"learned-per-pixel"``.

    Returns
    -------
    Likelihood
        A module; a learned scale is its one parameter.
    """
    if likelihood in _CALIBRATED:
        per_pixel = scale == "learned-per-pixel"
        return _CALIBRATED[likelihood](
            learned=scale in ("learned", "learned-per-pixel"),
            pixel_shape=tuple(pixel_shape) if per_pixel else None,
        )
    if likelihood in _FIXED:
        return _FIXED[likelihood]()
    raise ValueError(f"unknown likelihood {likelihood!r}; choose one of: {', '.join(LIKELIHOODS)}")
