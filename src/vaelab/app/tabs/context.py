"""What every results tab is given, and the small helpers the tabs share.

Everything costly is cached per run: :func:`cache_key` names the run's current weights and data,
and every cached function of the tabs takes it as its first argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
import torch

from vaelab.app.export import png_button
from vaelab.app.i18n import t
from vaelab.data import ImageDataset
from vaelab.explore import plots
from vaelab.models import ConvVAE
from vaelab.runs import Run

#: Side, in screen pixels, that small images are scaled up to (nearest neighbour, so they stay
#: sharp).
DISPLAY_SIDE = 84
#: Screen width of a single image shown on its own (a caption must not stretch it).
SINGLE_WIDTH = 140


@dataclass(frozen=True)
class TabContext:
    """The run a tab shows, plus the cache key of its current weights and data.

    Attributes
    ----------
    run : Run
        The run (its history gives the curves; its id and save time key the caches).
    model : ConvVAE
        Its model, in eval mode. It is only read.
    data : ImageDataset or None
        The images it was trained on, when available.
    key : str
        :func:`cache_key` of the three.
    lang : str
        Language of the page that drew the tabs.
    """

    run: Run
    model: ConvVAE
    data: ImageDataset | None
    key: str
    lang: str

    def text(self, key: str, **values: Any) -> str:
        """The string ``key`` in the run's language.

        Fragments rerun alone, so they use the language of the full run that drew them.
        """
        return t(key, self.lang, **values)

    @property
    def wkey(self) -> str:
        """Prefix of widget keys: widgets reset when another run is shown."""
        return f"results.{self.run.run_id}"

    @property
    def has_test_images(self) -> bool:
        """Whether the run's test images are loaded (the tabs that encode them need them)."""
        return self.data is not None and len(self.data.test_x) > 0


def cache_key(run: Run, model: ConvVAE, data: ImageDataset | None) -> str:
    """Key of a run's weights and data in the caches of the tabs."""
    # A saved run is identified by its id and save time; an unsaved one by its model object.
    stamp = run.updated or f"unsaved-{run.epochs_done}-{id(model)}"
    return f"{run.run_id}@{stamp}@{data.fingerprint if data is not None else 'nodata'}"


def needs_data(ctx: TabContext) -> bool:
    """Whether the tab can be drawn; says why not when the test images are missing."""
    if not ctx.has_test_images:
        st.info(ctx.text("results.no_data"))
        return False
    return True


def png_download(ctx: TabContext, name: str, picture: bytes | np.ndarray, key: str) -> None:
    """The "Download PNG" button under a figure (see :func:`vaelab.app.export.png_button`)."""
    png_button(ctx.text("results.download_png"), name, picture, key)


def display_scale(model: ConvVAE) -> int:
    """Upscaling factor that brings the model's images near :data:`DISPLAY_SIDE` pixels."""
    return plots.upscale_for_display(max(model.config.height, model.config.width), DISPLAY_SIDE)


def display_grid(images: torch.Tensor, nrow: int, model: ConvVAE) -> np.ndarray:
    """Images of ``model`` in rows of ``nrow``, scaled up for the screen (:func:`display_scale`)."""
    return plots.image_grid(images, nrow=nrow, scale=display_scale(model))


def single_image(image: torch.Tensor, model: ConvVAE) -> np.ndarray:
    """One ``(C, H, W)`` image scaled up to about :data:`SINGLE_WIDTH` pixels."""
    side = max(model.config.height, model.config.width)
    scale = plots.upscale_for_display(side, SINGLE_WIDTH)
    return plots.image_grid(image[None], nrow=1, padding=0, scale=scale)
