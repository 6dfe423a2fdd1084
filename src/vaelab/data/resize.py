"""Centre-crop and resize the user's images to the size the model is built for."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

from vaelab.config import MAX_IMAGE_SIDE, MIN_IMAGE_SIDE
from vaelab.errors import ConfigError

#: Side of the user's folder images when none is given.
DEFAULT_IMAGE_SIZE = 32


def check_image_size(size: object) -> int:
    """Validate the side the user's images are resized to.

    Parameters
    ----------
    size : object
        The requested side.

    Returns
    -------
    int
        The side, from ``MIN_IMAGE_SIDE`` to ``MAX_IMAGE_SIDE``.

    Raises
    ------
    ConfigError
        If it is not a whole number in that range.
    """
    if isinstance(size, bool) or not isinstance(size, int | np.integer):
        raise ConfigError(
            f"image size must be a whole number from {MIN_IMAGE_SIDE} to {MAX_IMAGE_SIDE}, "
            f"got {size!r}"
        )
    if not MIN_IMAGE_SIDE <= size <= MAX_IMAGE_SIDE:
        raise ConfigError(
            f"image size must be from {MIN_IMAGE_SIDE} to {MAX_IMAGE_SIDE} pixels, got {size}"
        )
    return int(size)


def centre_fit(image: Image.Image, width: int, height: int) -> Image.Image:
    """Crop the centre of an image to the aspect ratio ``width:height`` and resize it to that size.

    Lanczos filtering keeps thin strokes when shrinking and avoids aliasing; an image already of
    the right size is returned unchanged.

    Parameters
    ----------
    image : PIL.Image.Image
        An ``"L"`` or ``"RGB"`` image.
    width, height : int
        Size of the result, in pixels.

    Returns
    -------
    PIL.Image.Image
        The cropped and resized image.
    """
    if image.size == (width, height):
        return image
    return ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS)


def resize_array(images: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop and resize a batch of images.

    Parameters
    ----------
    images : numpy.ndarray
        ``uint8`` images ``(N, C, H, W)`` with C = 1 or 3.
    size : int
        Side of the result.

    Returns
    -------
    numpy.ndarray
        ``uint8`` images ``(N, C, size, size)``.
    """
    n, channels = images.shape[:2]
    out = np.empty((n, channels, size, size), dtype=np.uint8)
    for i, image in enumerate(images):
        # PIL wants (H, W) or (H, W, 3).
        pixels = image[0] if channels == 1 else image.transpose(1, 2, 0)
        resized = np.asarray(centre_fit(Image.fromarray(pixels), size, size))
        out[i] = resized[None] if channels == 1 else resized.transpose(2, 0, 1)
    return out
