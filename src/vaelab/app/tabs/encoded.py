"""The run's test images encoded once, and what several tabs derive from them.

The latent map, the interpolations, the KL bars, the user's image and the downloads all start from
the same codes: they are computed once per run (:func:`~vaelab.app.tabs.context.cache_key`).
"""

from __future__ import annotations

import streamlit as st
import torch

from vaelab import explore
from vaelab.models import ConvVAE

#: Test images encoded for the latent map and the KL per dimension (enough to see the classes,
#: fast enough on a CPU).
MAX_ENCODED = 2000


@st.cache_data(max_entries=16, show_spinner=False)
def encoded(key: str, _model: ConvVAE, _images: torch.Tensor) -> explore.Latents:
    """The codes of the first :data:`MAX_ENCODED` test images."""
    return explore.encode(_model, _images[:MAX_ENCODED])


@st.cache_data(max_entries=16, show_spinner=False)
def projection(key: str, _model: ConvVAE, _images: torch.Tensor) -> explore.Projection:
    """The 2-D view of the codes: the latent axes themselves, or their principal components."""
    return explore.fit_projection(encoded(key, _model, _images).mu)


@st.cache_data(max_entries=16, show_spinner=False)
def usage(key: str, _model: ConvVAE, _images: torch.Tensor) -> explore.LatentUsage:
    """The KL of each latent dimension and which dimensions are active."""
    return explore.latent_usage(encoded(key, _model, _images))
