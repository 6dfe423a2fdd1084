"""Looking inside a trained VAE: its latent space and its samples.

Every function here is plain PyTorch (no UI): the results tabs of the app and notebooks call the
same code. Images go in as ``uint8`` in [0, 255] or float in [0, 1], shaped ``(N, C, H, W)``;
images come out as float in [0, 1] on the CPU. The user's own pictures are decoded on the data
side, by :func:`vaelab.data.images.load_image`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from vaelab.config import LIMITS
from vaelab.errors import ConfigError
from vaelab.metrics.latents import (
    ACTIVE_UNIT_THRESHOLD,
    kl_per_dimension,
    latent_mean_variance,
)
from vaelab.models import ConvVAE

#: Interpolation paths between two latent codes.
INTERPOLATIONS = ("linear", "slerp")


# -- encoding --------------------------------------------------------------------------------


def as_input(images: Tensor) -> Tensor:
    """Float images in [0, 1] as the model takes them (``uint8`` is divided by 255).

    Parameters
    ----------
    images : Tensor
        ``(N, C, H, W)`` or ``(C, H, W)``, ``uint8`` or float.

    Returns
    -------
    Tensor
        Float32 images, same shape.
    """
    if images.dtype == torch.uint8:
        return images.float() / 255.0
    return images.float()


def _device(model: ConvVAE) -> torch.device:
    return next(model.parameters()).device


@dataclass(frozen=True)
class Latents:
    """Parameters of q(z | x) for a set of images, on the CPU.

    Attributes
    ----------
    mu, logvar : Tensor
        ``(N, D)`` posterior means and log-variances.
    """

    mu: Tensor
    logvar: Tensor


@torch.inference_mode()
def encode(model: ConvVAE, images: Tensor, batch_size: int = 500) -> Latents:
    """Encode images to the parameters of their posteriors, batch by batch.

    Parameters
    ----------
    model : ConvVAE
        A model (its mode is left unchanged; the encoder has no dropout or batch norm).
    images : Tensor
        ``(N, C, H, W)`` in ``uint8`` or float in [0, 1].
    batch_size : int, default 500
        Images per forward pass, to bound memory.

    Returns
    -------
    Latents
        μ and log σ², each ``(N, D)``.
    """
    device = _device(model)
    mus, logvars = [], []
    for start in range(0, len(images), batch_size):
        x = as_input(images[start : start + batch_size]).to(device)
        mu, logvar = model.encode(x)
        mus.append(mu.float().cpu())
        logvars.append(logvar.float().cpu())
    if not mus:
        d = model.config.latent_dim
        return Latents(torch.empty(0, d), torch.empty(0, d))
    return Latents(torch.cat(mus), torch.cat(logvars))


@torch.inference_mode()
def decode(model: ConvVAE, z: Tensor, batch_size: int = 500) -> Tensor:
    """Decode latent codes to mean images: ``(N, D) -> (N, C, H, W)`` in [0, 1], on the CPU.

    Parameters
    ----------
    model : ConvVAE
        The model.
    z : Tensor
        Latent codes, ``(N, D)``.
    batch_size : int, default 500
        Codes per forward pass.

    Returns
    -------
    Tensor
        Images, float in [0, 1].
    """
    device = _device(model)
    parts = [
        model.decode(z[start : start + batch_size].float().to(device)).cpu()
        for start in range(0, len(z), batch_size)
    ]
    if not parts:
        return torch.empty(0, *model.config.image_shape)
    return torch.cat(parts)


@torch.inference_mode()
def reconstruct(model: ConvVAE, images: Tensor) -> Tensor:
    """Decode the posterior means of ``images``: the model's deterministic reconstructions.

    Parameters
    ----------
    model : ConvVAE
        The model.
    images : Tensor
        ``(N, C, H, W)``, ``uint8`` or float in [0, 1].

    Returns
    -------
    Tensor
        ``(N, C, H, W)`` float in [0, 1], on the CPU.
    """
    return decode(model, encode(model, images).mu)


@torch.inference_mode()
def sample_prior(model: ConvVAE, n: int = 49, temperature: float = 1.0, seed: int = 0) -> Tensor:
    """Decode ``n`` draws z ~ N(0, temperature² I), reproducibly.

    A temperature below 1 trades variety for cleaner images (draws stay nearer the mode).

    Parameters
    ----------
    model : ConvVAE
        The model.
    n : int, default 49
        Number of samples (49 fills the 7 × 7 grid of the original app).
    temperature : float, default 1.0
        Standard deviation the prior is scaled by, within ``LIMITS.temperature``
        (:data:`vaelab.config.LIMITS`).
    seed : int, default 0
        Seed of the generator, so that the same seed gives the same grid.

    Returns
    -------
    Tensor
        ``(n, C, H, W)`` float in [0, 1], on the CPU.
    """
    low, high = LIMITS.temperature
    if not low <= temperature <= high:
        raise ConfigError(f"temperature must be from {low:g} to {high:g}, got {temperature:g}")
    device = _device(model)
    generator = torch.Generator(device=device).manual_seed(seed)
    return model.sample(n, temperature=temperature, generator=generator).cpu()


# -- the 2-D latent map ----------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """A linear map from the latent space to the plane: ``coords = (mu - mean) @ components``.

    Attributes
    ----------
    method : str
        ``"latent"`` (the latent space is 2-D: the two coordinates themselves) or ``"pca"``.
    mean : Tensor
        ``(D,)`` centre subtracted before projecting (zeros for ``"latent"``).
    components : Tensor
        ``(D, 2)`` orthonormal axes.
    explained : Tensor
        ``(2,)`` share of the total variance of the fitted codes along each axis, in [0, 1].
    """

    method: str
    mean: Tensor
    components: Tensor
    explained: Tensor

    def transform(self, mu: Tensor) -> Tensor:
        """Project latent codes: ``(N, D) -> (N, 2)``."""
        return ((mu.double() - self.mean) @ self.components).float()


def fit_projection(mu: Tensor) -> Projection:
    """Fit the 2-D view of latent codes: themselves if D = 2, else their first two PCs.

    PCA is computed with a full SVD of the centred codes, which is deterministic (unlike
    ``torch.pca_lowrank``); each axis's sign is fixed so that its largest loading is positive,
    so the picture does not flip between runs of the app.

    Parameters
    ----------
    mu : Tensor
        ``(N, D)`` latent codes, usually posterior means, with D ≥ 2.

    Returns
    -------
    Projection
        The fitted projection; apply it to other codes with :meth:`Projection.transform`.
    """
    if mu.ndim != 2 or mu.shape[1] < 2:
        raise ValueError(f"expected latent codes shaped (N, D) with D ≥ 2, got {tuple(mu.shape)}")
    x = mu.double()
    d = x.shape[1]
    if d == 2:
        variance = x.var(dim=0, correction=0) if len(x) else torch.zeros(2, dtype=x.dtype)
        total = variance.sum()
        explained = variance / total if total > 0 else torch.zeros(2, dtype=x.dtype)
        return Projection(
            "latent", torch.zeros(2, dtype=x.dtype), torch.eye(2, dtype=x.dtype), explained.float()
        )
    mean = x.mean(dim=0) if len(x) else torch.zeros(d, dtype=x.dtype)
    centred = x - mean
    if len(x) < 2:
        components = torch.eye(d, 2, dtype=x.dtype)
        return Projection("pca", mean, components, torch.zeros(2))
    # (N, D) = U S Vh; the rows of Vh are the principal axes, by decreasing variance.
    _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    components = vh[:2].T.clone()  # (D, 2)
    if components.shape[1] < 2:  # N = 2 and D > 2 leaves one axis at most per sample
        components = torch.cat(
            [components, torch.zeros(d, 2 - components.shape[1], dtype=x.dtype)], dim=1
        )
    largest = components.abs().argmax(dim=0)
    signs = torch.sign(components[largest, torch.arange(2)])
    components *= torch.where(signs == 0, torch.ones_like(signs), signs)
    power = s.square()
    total = power.sum()
    top = torch.zeros(2, dtype=x.dtype)
    top[: min(2, len(power))] = power[:2]
    explained = top / total if total > 0 else torch.zeros(2, dtype=x.dtype)
    return Projection("pca", mean, components, explained.float())


def manifold_values(n: int = 15, quantile: float = 0.05) -> Tensor:
    """Latent values of a manifold grid's rows and columns.

    Evenly spaced quantiles of N(0, 1) from ``quantile`` to ``1 - quantile``, mapped through its
    inverse CDF, so that the grid covers the prior evenly in probability (Kingma & Welling,
    Auto-Encoding Variational Bayes, ICLR 2014, figure 4).

    Parameters
    ----------
    n : int, default 15
        Values per axis, at least 2.
    quantile : float, default 0.05
        Probability left out on each side, in (0, 0.5).

    Returns
    -------
    Tensor
        ``(n,)`` increasing values, symmetric about 0.
    """
    if n < 2:
        raise ValueError(f"a manifold grid needs at least 2 values per axis, got {n}")
    if not 0.0 < quantile < 0.5:
        raise ValueError(f"quantile must be in (0, 0.5), got {quantile}")
    probabilities = torch.linspace(quantile, 1.0 - quantile, n, dtype=torch.float64)
    return torch.distributions.Normal(0.0, 1.0).icdf(probabilities).float()


def manifold_grid(model: ConvVAE, n: int = 15, quantile: float = 0.05) -> Tensor:
    """Decode a regular grid over a 2-D latent space.

    Parameters
    ----------
    model : ConvVAE
        A model whose latent size is 2.
    n : int, default 15
        Images per row and per column.
    quantile : float, default 0.05
        See :func:`manifold_values`.

    Returns
    -------
    Tensor
        ``(n * n, C, H, W)`` in [0, 1], row by row: the top row has the largest z₂, and z₁
        grows from left to right, like the axes of the latent scatter plot.
    """
    if model.config.latent_dim != 2:
        raise ValueError(
            f"the manifold grid needs a 2-D latent space; this model has {model.config.latent_dim}"
        )
    values = manifold_values(n, quantile)
    z2, z1 = torch.meshgrid(values.flip(0), values, indexing="ij")  # (n, n) each
    z = torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)  # (n², 2)
    return decode(model, z)


# -- paths through the latent space ----------------------------------------------------------


def interpolate_latents(
    z_a: Tensor, z_b: Tensor, steps: int = 10, method: str = "linear"
) -> Tensor:
    """Codes on a path from ``z_a`` to ``z_b``, both ends included.

    Parameters
    ----------
    z_a, z_b : Tensor
        ``(D,)`` end points.
    steps : int, default 10
        Number of codes, at least 2.
    method : str, default "linear"
        ``"linear"``, or ``"slerp"``: the great-circle path, which keeps the norm of the codes
        near that typical of the Gaussian prior (White, Sampling Generative Networks, 2016).

    Returns
    -------
    Tensor
        ``(steps, D)``; the first row is exactly ``z_a`` and the last exactly ``z_b``.
    """
    if method not in INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of: {', '.join(INTERPOLATIONS)}, got {method!r}"
        )
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps, got {steps}")
    a, b = z_a.double(), z_b.double()
    t = torch.linspace(0.0, 1.0, steps, dtype=torch.float64)[:, None]  # (steps, 1)
    weight_a, weight_b = 1.0 - t, t
    if method == "slerp":
        norms = a.norm() * b.norm()
        cosine = (a @ b / norms).clamp(-1.0, 1.0) if norms > 0 else torch.tensor(1.0)
        omega = torch.arccos(cosine)
        # Nearly parallel codes: the great circle is the straight line, and sin(ω) → 0.
        if torch.sin(omega) > 1e-6:
            weight_a = torch.sin((1.0 - t) * omega) / torch.sin(omega)
            weight_b = torch.sin(t * omega) / torch.sin(omega)
    path = weight_a * a + weight_b * b
    # Pin the ends so that they decode to exactly the reconstructions of the two images.
    path[0], path[-1] = a, b
    return path.to(z_a.dtype)


def interpolate(
    model: ConvVAE,
    image_a: Tensor,
    image_b: Tensor,
    steps: int = 10,
    method: str = "linear",
) -> Tensor:
    """Decode a path between the posterior means of two images.

    Parameters
    ----------
    model : ConvVAE
        The model.
    image_a, image_b : Tensor
        ``(C, H, W)`` images, ``uint8`` or float in [0, 1].
    steps : int, default 10
        Images on the path, both reconstructions included.
    method : str, default "linear"
        See :func:`interpolate_latents`.

    Returns
    -------
    Tensor
        ``(steps, C, H, W)``; the first and last are the reconstructions ``decode(μ_a)`` and
        ``decode(μ_b)``.
    """
    mu = encode(model, torch.stack([as_input(image_a), as_input(image_b)])).mu
    return decode(model, interpolate_latents(mu[0], mu[1], steps, method))


def traversal_latents(z: Tensor, dims: Sequence[int], span: float = 3.0, steps: int = 9) -> Tensor:
    """Codes that move one latent coordinate at a time, the others held at ``z``.

    Parameters
    ----------
    z : Tensor
        ``(D,)`` starting code (a posterior mean, or zeros for the prior's centre).
    dims : sequence of int
        Coordinates to move, one row each.
    span : float, default 3.0
        Each moved coordinate takes ``steps`` values evenly spaced from ``-span`` to ``span``
        (the range of the traversals of Higgins et al., β-VAE, ICLR 2017).
    steps : int, default 9
        Values per row, at least 2.

    Returns
    -------
    Tensor
        ``(len(dims), steps, D)``.
    """
    d = z.shape[-1]
    bad = [i for i in dims if not 0 <= i < d]
    if bad:
        raise ValueError(f"latent dimensions go from 0 to {d - 1}, got {bad}")
    if steps < 2:
        raise ValueError(f"a traversal needs at least 2 steps, got {steps}")
    values = torch.linspace(-span, span, steps, dtype=z.dtype)
    codes = z.detach().cpu().reshape(1, 1, d).repeat(len(dims), steps, 1)
    for row, dim in enumerate(dims):
        codes[row, :, dim] = values
    return codes


def traverse(
    model: ConvVAE, z: Tensor, dims: Sequence[int], span: float = 3.0, steps: int = 9
) -> Tensor:
    """Decode traversals of single latent dimensions (see :func:`traversal_latents`).

    Parameters
    ----------
    model : ConvVAE
        The model.
    z : Tensor
        ``(D,)`` starting code.
    dims : sequence of int
        Coordinates to move, one row each.
    span : float, default 3.0
        Half-width of the range of values.
    steps : int, default 9
        Images per row.

    Returns
    -------
    Tensor
        ``(len(dims), steps, C, H, W)`` in [0, 1].
    """
    codes = traversal_latents(z, dims, span, steps)
    images = decode(model, codes.reshape(-1, codes.shape[-1]))
    return images.reshape(len(dims), steps, *images.shape[1:])


# -- which dimensions are used ---------------------------------------------------------------


@dataclass(frozen=True)
class LatentUsage:
    r"""How much each latent dimension is used, over a set of images.

    Attributes
    ----------
    kl : Tensor
        ``(D,)`` mean KL per dimension in nats
        (:func:`vaelab.metrics.latents.kl_per_dimension`).
    activity : Tensor
        ``(D,)`` variance over the images of the posterior mean, :math:`\mathrm{Var}_x
        \mathbb E_{q(z|x)}[z_d]` — Burda et al.'s activity statistic.
    threshold : float
        Activity above which a dimension counts as active.
    """

    kl: Tensor
    activity: Tensor
    threshold: float = ACTIVE_UNIT_THRESHOLD

    @property
    def active(self) -> Tensor:
        """``(D,)`` booleans: the dimensions whose activity exceeds the threshold."""
        return self.activity > self.threshold

    @property
    def n_active(self) -> int:
        """Number of active dimensions."""
        return int(self.active.sum())

    def ranked(self) -> list[int]:
        """Dimensions by decreasing KL: the most informative first."""
        return [int(i) for i in torch.argsort(self.kl, descending=True, stable=True)]


def latent_usage(latents: Latents, threshold: float = ACTIVE_UNIT_THRESHOLD) -> LatentUsage:
    r"""KL per dimension and active units of a set of encoded images.

    A dimension the encoder ignores has a posterior equal to the prior whatever the image: its
    mean does not vary (activity ≈ 0) and its KL is ≈ 0. Burda, Grosse & Salakhutdinov
    (Importance Weighted Autoencoders, ICLR 2016, section 5.2) count a unit as active when
    :math:`\mathrm{Cov}_x(\mathbb E_{q(u|x)}[u]) > 10^{-2}`. A large β switches dimensions off.

    Parameters
    ----------
    latents : Latents
        Posterior parameters of the images, from :func:`encode`.
    threshold : float, default 0.01
        Activity threshold.

    Returns
    -------
    LatentUsage
        Per-dimension KL and activity.
    """
    if len(latents.mu) == 0:
        empty = torch.zeros(latents.mu.shape[1])
        return LatentUsage(empty, empty, threshold)
    kl = kl_per_dimension(latents.mu, latents.logvar).float()
    return LatentUsage(kl, latent_mean_variance(latents.mu).float(), threshold)
