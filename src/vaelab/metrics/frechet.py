r"""The Fréchet distance between two sets of features, seen as Gaussians.

.. math::

    d^2 = \lVert \mu_a - \mu_b \rVert^2
          + \operatorname{Tr}\left(\Sigma_a + \Sigma_b - 2 (\Sigma_a \Sigma_b)^{1/2}\right)

(Dowson & Landau 1982; Heusel et al. 2017 use it on Inception features, which makes it the FID).
The matrix square root comes from :func:`scipy.linalg.sqrtm` (SciPy is a dependency of VAE Lab),
as in the reference FID code; when it fails on nearly singular covariances, from two symmetric
eigendecompositions in PyTorch.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import Tensor

ArrayLike = Tensor | np.ndarray


def feature_statistics(features: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (divided by N − 1) of features, in float64.

    Parameters
    ----------
    features : Tensor or numpy.ndarray
        Shape ``(N, F)`` with N ≥ 2.

    Returns
    -------
    mean : numpy.ndarray
        Shape ``(F,)``.
    cov : numpy.ndarray
        Shape ``(F, F)``.
    """
    array = _as_array(features)
    if array.ndim != 2 or len(array) < 2:
        raise ValueError(f"features must be shaped (N, F) with N >= 2, got {array.shape}")
    return array.mean(axis=0), np.cov(array, rowvar=False).reshape(array.shape[1], -1)


def frechet_distance(features_a: ArrayLike, features_b: ArrayLike) -> float:
    """Fréchet distance between the Gaussians fitted to two sets of features.

    Parameters
    ----------
    features_a, features_b : Tensor or numpy.ndarray
        Shapes ``(N_a, F)`` and ``(N_b, F)``.

    Returns
    -------
    float
        The squared distance d² (the quantity FID reports), ≥ 0.
    """
    return frechet_distance_from_stats(
        *feature_statistics(features_a), *feature_statistics(features_b)
    )


def frechet_distance_from_stats(
    mean_a: ArrayLike, cov_a: ArrayLike, mean_b: ArrayLike, cov_b: ArrayLike
) -> float:
    """Fréchet distance between N(mean_a, cov_a) and N(mean_b, cov_b).

    Parameters
    ----------
    mean_a, mean_b : Tensor or numpy.ndarray
        Means, ``(F,)``.
    cov_a, cov_b : Tensor or numpy.ndarray
        Symmetric positive semi-definite covariances, ``(F, F)``.

    Returns
    -------
    float
        The squared distance d², ≥ 0.
    """
    mean_a, mean_b = _as_array(mean_a), _as_array(mean_b)
    cov_a, cov_b = _as_array(cov_a), _as_array(cov_b)
    if mean_a.shape != mean_b.shape or cov_a.shape != cov_b.shape:
        raise ValueError("the two sets of statistics have different dimensions")
    diff = mean_a - mean_b
    distance = (
        diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_sqrt_product(cov_a, cov_b)
    )
    # Rounding can leave −1e−12 for identical inputs.
    return max(float(distance), 0.0)


def trace_sqrt_product(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    """``Tr((cov_a @ cov_b) ** ½)`` for symmetric PSD matrices, by SciPy, or PyTorch if it fails."""
    value = _trace_sqrt_scipy(cov_a, cov_b)
    return _trace_sqrt_eigh(cov_a, cov_b) if value is None else value


def _trace_sqrt_scipy(cov_a: np.ndarray, cov_b: np.ndarray) -> float | None:
    from scipy import linalg  # slow to import, and only needed here

    with warnings.catch_warnings():
        # Singular covariances (fewer samples than features) are expected; handled below.
        warnings.simplefilter("ignore")
        root = linalg.sqrtm(cov_a @ cov_b)
        if not np.isfinite(root).all():
            # As in the reference FID code: nudge both matrices off singularity.
            offset = np.eye(len(cov_a)) * 1e-6
            root = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    if not np.isfinite(root).all():
        return None
    if np.iscomplexobj(root):
        # Tiny imaginary parts are rounding; large ones mean sqrtm went astray.
        if not np.allclose(np.diagonal(root).imag, 0, atol=1e-3):
            return None
        root = root.real
    return float(np.trace(root))


def _trace_sqrt_eigh(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    # (Σa Σb)^½ has the eigenvalues of the symmetric PSD matrix Σa^½ Σb Σa^½, so the trace is the
    # sum of their square roots: two eigh calls, no general (non-symmetric) square root.
    a = torch.from_numpy(cov_a)
    b = torch.from_numpy(cov_b)
    values, vectors = torch.linalg.eigh(a)
    sqrt_a = (vectors * values.clamp(min=0).sqrt()) @ vectors.T
    middle = sqrt_a @ b @ sqrt_a
    middle = 0.5 * (middle + middle.T)
    return float(torch.linalg.eigvalsh(middle).clamp(min=0).sqrt().sum())


def _as_array(values: ArrayLike) -> np.ndarray:
    if isinstance(values, Tensor):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.float64)
