"""The latent map of a model while it trains: a fixed batch of images, re-encoded on demand.

The training view redraws the posterior means of the same few hundred test images after each
epoch (or step), so the student sees the classes separate and the cloud settle onto the prior
N(0, I). For a latent space larger than 2-D the map is a PCA plane fitted at the first call and
then kept: refitting it each time would rotate and flip the picture and hide the movement.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from vaelab.explore.latent import Projection, encode, fit_projection
from vaelab.models import ConvVAE


class LatentTracker:
    """Encodes a fixed batch of images into 2-D map coordinates, model after model.

    Parameters
    ----------
    images : Tensor
        ``(N, C, H, W)`` ``uint8`` images; a few hundred keep each call cheap (one forward pass
        of the encoder in inference mode).
    labels : Tensor or None
        ``(N,)`` class indices to colour the points by, or ``None`` for unlabelled data.

    Attributes
    ----------
    images : Tensor
        The images, as given.
    labels : numpy.ndarray or None
        ``(N,)`` ``int64`` class indices, or ``None``.
    projection : Projection or None
        The plane the points are drawn on, fixed by the first :meth:`points` call of a model
        whose latent size is above 2 (``None`` before that, and for a 2-D latent).
    prior_centre : tuple of float
        Where the origin of the latent space lands on the map: the centre of the prior's rings
        (``(0, 0)`` for a 2-D latent; projecting N(0, I) on orthonormal axes keeps it N(0, I)).

    Examples
    --------
    >>> import torch
    >>> from vaelab.config import ModelConfig
    >>> from vaelab.explore.live_map import LatentTracker
    >>> from vaelab.models import ConvVAE
    >>> tracker = LatentTracker(torch.zeros(5, 1, 28, 28, dtype=torch.uint8), None)
    >>> tracker.points(ConvVAE(ModelConfig(latent_dim=8))).shape
    (5, 2)
    """

    def __init__(self, images: Tensor, labels: Tensor | None) -> None:
        if images.ndim != 4 or images.dtype != torch.uint8:
            raise ValueError(
                "the tracked images must be a uint8 tensor shaped (N, C, H, W), got "
                f"{images.dtype} shaped {tuple(images.shape)}"
            )
        if labels is not None and tuple(labels.shape) != (len(images),):
            raise ValueError(
                f"expected one label per image ({len(images)}), got labels shaped "
                f"{tuple(labels.shape)}"
            )
        self.images = images
        self.labels = None if labels is None else labels.detach().cpu().long().numpy()
        self.projection: Projection | None = None
        self.prior_centre = (0.0, 0.0)

    def points(self, model: ConvVAE) -> np.ndarray:
        """Map coordinates of the images' posterior means under ``model``.

        Parameters
        ----------
        model : ConvVAE
            The model as it is now (only read; its mode and device are left unchanged).

        Returns
        -------
        numpy.ndarray
            ``(N, 2)`` ``float32``: the means themselves for a 2-D latent, else their
            coordinates on the PCA plane fitted at the first call (latent sizes start at 2,
            ``LIMITS.latent_dim``).
        """
        mu = encode(model, self.images).mu  # (N, D)
        d = mu.shape[1]
        if d == 2:
            return mu.numpy().astype(np.float32)
        if self.projection is None or self.projection.components.shape[0] != d:
            self.projection = fit_projection(mu)
            origin = self.projection.transform(torch.zeros(1, d))[0]
            self.prior_centre = (float(origin[0]), float(origin[1]))
        return self.projection.transform(mu).numpy().astype(np.float32)
