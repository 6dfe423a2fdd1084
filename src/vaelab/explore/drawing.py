"""A hand drawing turned into the image a model takes, framed the way MNIST's digits are.

MNIST's digits were size-normalised to fit a 20 × 20 box, keeping their aspect ratio, then placed
in the 28 × 28 image so that their centre of mass is at its centre (LeCun, Cortes & Burges, the
MNIST database's page). A digit drawn large in a corner of a canvas and merely resized would be
far from anything the encoder has seen; framed like this, it lands among the test digits.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import Tensor

#: Share of the image's side the drawing's longer side is scaled to (MNIST: 20 of 28 pixels).
INK_BOX = 20 / 28
#: Grey level (of 255) above which a canvas pixel counts as ink.
INK_THRESHOLD = 16


def drawing_to_image(canvas: np.ndarray, height: int, width: int) -> Tensor | None:
    """Frame a light-on-dark drawing into a grey ``uint8`` image of the model's size.

    Parameters
    ----------
    canvas : numpy.ndarray
        ``(H, W, 4)`` RGBA or ``(H, W, 3)`` RGB or ``(H, W)`` grey ``uint8`` pixels: light ink
        on a dark background.
    height, width : int
        The model's image size.

    Returns
    -------
    Tensor or None
        ``(1, height, width)`` ``uint8``, the ink's bounding box scaled to :data:`INK_BOX` of
        the image and its centre of mass at the centre; ``None`` when nothing is drawn.
    """
    pixels = np.asarray(canvas)
    if pixels.ndim == 3:
        rgb = pixels[..., :3].astype(np.float32)
        if pixels.shape[2] == 4:  # a transparent pixel is background, whatever its colour
            rgb *= pixels[..., 3:4].astype(np.float32) / 255.0
        grey = rgb.mean(axis=2)
    elif pixels.ndim == 2:
        grey = pixels.astype(np.float32)
    else:
        raise ValueError(
            f"expected canvas pixels shaped (H, W), (H, W, 3) or (H, W, 4), got {pixels.shape}"
        )
    rows = np.flatnonzero((grey > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((grey > INK_THRESHOLD).any(axis=0))
    if len(rows) == 0:
        return None
    ink = grey[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    # The longer side goes to the ink box; the shorter keeps the aspect ratio.
    scale = INK_BOX * min(height, width) / max(ink.shape)
    box_h = max(1, round(ink.shape[0] * scale))
    box_w = max(1, round(ink.shape[1] * scale))
    small = Image.fromarray(ink.clip(0, 255).astype(np.uint8)).resize(
        (box_w, box_h), Image.Resampling.LANCZOS
    )
    box = np.asarray(small, dtype=np.float32)
    # Put the box's centre of mass on the image's centre (clamped so that the box fits).
    mass = box.sum()
    cy = (box.sum(axis=1) @ np.arange(box_h)) / mass if mass > 0 else (box_h - 1) / 2
    cx = (box.sum(axis=0) @ np.arange(box_w)) / mass if mass > 0 else (box_w - 1) / 2
    top = int(np.clip(round((height - 1) / 2 - cy), 0, height - box_h))
    left = int(np.clip(round((width - 1) / 2 - cx), 0, width - box_w))
    image = np.zeros((height, width), dtype=np.float32)
    image[top : top + box_h, left : left + box_w] = box
    return torch.from_numpy(image.round().clip(0, 255).astype(np.uint8))[None]
