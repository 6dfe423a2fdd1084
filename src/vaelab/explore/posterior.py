"""One image's posterior q(z | x), seen on the latent map; points of the map, back in latent space.

The lab shows the posterior of a drawn image: its mean and its 1σ and 2σ ellipses on the map,
samples from it, and its KL to the prior. On a PCA map the ellipses are those of the posterior's
projection, exact since a projection of a Gaussian is a Gaussian. Going the other way, a point
of the map is a latent code: itself for a 2-D latent, else the point of the principal plane
through the data's mean (the coordinates off the plane are the data mean's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from vaelab.explore.latent import Projection, as_input, decode
from vaelab.models import ConvVAE
from vaelab.models.likelihoods import gaussian_kl


@dataclass(frozen=True)
class Posterior:
    """The diagonal Gaussian q(z | x) of one image.

    Attributes
    ----------
    mu, logvar : Tensor
        ``(D,)`` mean and log-variance, on the CPU.
    """

    mu: Tensor
    logvar: Tensor

    @property
    def kl(self) -> float:
        """KL(q(z | x) ‖ N(0, I)) in nats: the information the code carries about the image."""
        return float(gaussian_kl(self.mu[None].double(), self.logvar[None].double())[0])


@torch.inference_mode()
def posterior(model: ConvVAE, image: Tensor) -> Posterior:
    """The posterior q(z | x) of one image.

    Parameters
    ----------
    model : ConvVAE
        The model.
    image : Tensor
        ``(C, H, W)``, ``uint8`` or float in [0, 1].

    Returns
    -------
    Posterior
        Its mean and log-variance.
    """
    device = next(model.parameters()).device
    mu, logvar = model.encode(as_input(image)[None].to(device))
    return Posterior(mu[0].float().cpu(), logvar[0].float().cpu())


def projected_gaussian(projection: Projection, post: Posterior) -> tuple[Tensor, Tensor]:
    """The posterior's image on the map: a 2-D Gaussian.

    Parameters
    ----------
    projection : Projection
        The map's projection.
    post : Posterior
        The posterior.

    Returns
    -------
    tuple of Tensor
        Its mean ``(2,)`` and covariance ``(2, 2)``: ``Pᵀ diag(σ²) P`` for the axes ``P``.
    """
    axes = projection.components  # (D, 2)
    variance = post.logvar.double().exp()
    covariance = axes.T @ (variance[:, None] * axes)  # (2, D) (D, 2) -> (2, 2)
    return projection.transform(post.mu[None])[0], covariance.float()


def ellipse(centre: Tensor, covariance: Tensor, k: float, n: int = 73) -> np.ndarray:
    """Vertices of the k-σ ellipse of a 2-D Gaussian, first and last equal (a closed line).

    Parameters
    ----------
    centre : Tensor
        ``(2,)`` mean.
    covariance : Tensor
        ``(2, 2)`` covariance.
    k : float
        How many standard deviations: the ellipse is ``{x : (x − m)ᵀ Σ⁻¹ (x − m) = k²}``.
    n : int, default 73
        Number of vertices.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)``.
    """
    # Σ = V diag(λ) Vᵀ: the unit circle scaled by k √λ along the eigenvectors.
    values, vectors = torch.linalg.eigh(covariance.double())
    radii = k * values.clamp(min=0).sqrt()
    angle = torch.linspace(0.0, 2.0 * torch.pi, n, dtype=torch.float64)
    circle = torch.stack([angle.cos(), angle.sin()], dim=1)  # (n, 2)
    return (centre.double() + (circle * radii) @ vectors.T).numpy()


@torch.inference_mode()
def sample_posterior(
    model: ConvVAE, post: Posterior, n: int = 8, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """Draw codes z ~ q(z | x) and decode them, reproducibly.

    Parameters
    ----------
    model : ConvVAE
        The model.
    post : Posterior
        The posterior to draw from.
    n : int, default 8
        Number of draws.
    seed : int, default 0
        Seed of the draws.

    Returns
    -------
    tuple of Tensor
        The codes ``(n, D)`` and their decoded images ``(n, C, H, W)`` in [0, 1].
    """
    generator = torch.Generator().manual_seed(seed)
    eps = torch.randn(n, len(post.mu), generator=generator)
    z = post.mu + (0.5 * post.logvar).exp() * eps
    return z, decode(model, z)


def plane_point(projection: Projection, point: Tensor) -> Tensor:
    """The latent code of a point of the map.

    Parameters
    ----------
    projection : Projection
        The map's projection.
    point : Tensor
        ``(2,)`` map coordinates.

    Returns
    -------
    Tensor
        ``(D,)``: ``mean + P · point``, the point of the principal plane through the data's mean
        (``point`` itself for a 2-D latent), so that ``projection.transform`` gives ``point``
        back.
    """
    code = projection.mean + projection.components @ point.double()
    return code.float()
