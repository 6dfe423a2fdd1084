"""The lab's drawing canvas: a digit drawn with the mouse or a finger, as the model receives it.

The canvas is ``streamlit-drawable-canvas`` (Fabric.js; its scripts ship in its wheel, so it
works offline), with its own toolbar for undo, redo and clearing. The ink is white on black, as
MNIST's digits are; for a run whose images are dark on light the drawing is inverted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import streamlit as st
import torch

from vaelab.app.i18n import t
from vaelab.data.images import invert, suggest_invert
from vaelab.explore.drawing import drawing_to_image

#: Side of the canvas in screen pixels: fits a 390-pixel phone with the page's margins.
CANVAS_SIDE = 280
#: Brush widths offered, in canvas pixels, and the default (MNIST's strokes are about 2 of 28
#: pixels wide: 20 of 280).
BRUSH = (6, 40, 20)


@dataclass(frozen=True)
class Drawing:
    """What was drawn, as the model receives it.

    Attributes
    ----------
    image : torch.Tensor
        ``(1, H, W)`` ``uint8``, framed like MNIST's digits and inverted if the run's images are
        dark on light.
    inverted : bool
        Whether it was inverted.
    digest : str
        A short hash of ``image``, to key caches and to notice a new drawing.
    """

    image: torch.Tensor
    inverted: bool
    digest: str


def canvas_widget(**options: Any) -> Any:
    """``streamlit_drawable_canvas.st_canvas(**options)``.

    Imported when first drawn: the component registers its scripts from its package's manifest,
    which Streamlit reads when its runtime starts, so importing it outside a running app fails.
    """
    from streamlit_drawable_canvas import st_canvas

    return st_canvas(**options)


def draw(prefix: str, image_shape: tuple[int, int, int], reference: torch.Tensor) -> Drawing | None:
    """Draw the canvas and its brush size; return the drawing, or ``None`` while it is empty.

    Parameters
    ----------
    prefix : str
        Widget-key prefix (one canvas per run).
    image_shape : tuple of int
        The model's ``(C, H, W)``; C must be 1.
    reference : torch.Tensor
        A few ``(N, 1, H, W)`` training images, to tell whether the run's ink is dark on light.
    """
    brush = st.slider(
        t("lab.brush"),
        BRUSH[0],
        BRUSH[1],
        BRUSH[2],
        step=2,
        key=f"{prefix}.brush",
        help=t("lab.brush_help"),
    )
    result = canvas_widget(
        stroke_width=brush,
        stroke_color="#ffffff",
        background_color="#000000",
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"{prefix}.canvas",
    )
    st.caption(t("lab.canvas_caption"))
    pixels = result.image_data
    if pixels is None:
        return None
    _, height, width = image_shape
    image = drawing_to_image(pixels, height, width)
    if image is None:
        return None
    inverted = suggest_invert(image, reference)
    if inverted:
        image = invert(image)
    digest = hashlib.sha256(image.numpy().tobytes()).hexdigest()[:16]
    return Drawing(image, inverted, digest)
