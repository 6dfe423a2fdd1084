"""One decoder of image files, for the user's folders and for the pictures uploaded to the app.

Both the folder loader (:mod:`vaelab.data.image_folder`, which the CLI and the app use for a
dataset given by path) and the app's upload box call :func:`load_image`, so that the same file
always gives the same pixels. The rules, applied in this order:

1. **Checks before decoding.** The pixel count is read from the header and an image above
   :data:`MAX_IMAGE_PIXELS` is refused before any pixel is decoded (decompression bombs
   included). Uploaded content (bytes or a file object) above :data:`MAX_UPLOAD_BYTES` is refused
   before it is read; files on disk have no size limit.
2. **Decoding.** The first frame of an animation, with its EXIF orientation applied. JPEG decodes
   straight at a reduced scale no smaller than the target (libjpeg's DCT scaling).
3. **More than 8 bits.** 16-bit values ``v`` keep their high byte, ``v >> 8``: a fixed scale
   from 0-65535 to 0-255, never stretched by the image's own maximum (which would change the
   brightness from one image to the next), and the rule Pillow itself applies to 16-bit RGB,
   RGBA and grey-with-alpha PNGs, so a 16-bit grey file and its colour copy agree. Pillow's
   32-bit integer mode ``"I"`` (16-bit PGM, older Pillows' 16-bit PNG) is read the same way,
   clipped to 0-65535. Float images (``"F"``) are taken as [0, 1] when no value exceeds 1, and
   as 0-255 otherwise.
4. **Transparency** is laid on white, as an image viewer shows it: a fully transparent pixel
   becomes white, whatever colour it stores.
5. **Channels.** Converted to grey (ITU-R 601-2 luma, Pillow's ``"L"``) or to RGB, as the target
   shape asks.
6. **Size.** Centre-cropped to the target aspect ratio and resized with a Lanczos filter
   (:func:`vaelab.data.resize.centre_fit`).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torch import Tensor

from vaelab.data.resize import centre_fit
from vaelab.errors import VaeLabError

#: Largest uploaded content accepted, in bytes (files on disk have no size limit).
MAX_UPLOAD_BYTES = 20 * 1024**2
#: Largest image accepted, in pixels (width × height), checked before decoding.
MAX_IMAGE_PIXELS = 40_000_000

# What load_image reads: the content (bytes or a binary file) or a path.
ImageSource = bytes | bytearray | memoryview | BinaryIO | str | os.PathLike
SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})


class ImageInputError(VaeLabError):
    """A file cannot be used as an image.

    Parameters
    ----------
    message : str
        One-line English message.
    reason : str
        Stable id of the problem, for translated messages: ``"empty"``, ``"file-too-large"``,
        ``"not-image"``, ``"too-many-pixels"`` or ``"damaged"``.
    **values
        Numbers the message quotes (``size_mb``, ``limit_mb``, ``megapixels``...).
    """

    def __init__(self, message: str, reason: str, **values: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


def load_image(source: ImageSource, shape: Sequence[int]) -> Tensor:
    """Decode an image file to the pixels a model of ``shape`` takes.

    See the module's description for the rules (limits, 16-bit, transparency, crop and resize).

    Parameters
    ----------
    source : bytes, binary file, str or os.PathLike
        The file's content (a Streamlit ``UploadedFile`` works) or its path.
    shape : sequence of int
        Target ``(C, H, W)`` with C = 1 (grey) or 3 (RGB).

    Returns
    -------
    Tensor
        ``uint8`` image shaped ``shape``.

    Raises
    ------
    ImageInputError
        If the file is empty, uploaded content larger than 20 MB, not an image Pillow can read,
        larger than 40 megapixels, or damaged.
    OSError
        If a path cannot be read.
    """
    channels, height, width = (int(v) for v in shape)
    if channels not in (1, 3):
        raise ValueError(f"images have 1 or 3 channels, got {channels}")
    mode = "L" if channels == 1 else "RGB"
    image = _decode(_read_bytes(source), mode, (width, height))
    image = _on_white(_to_8bit(image)).convert(mode)
    array = np.asarray(centre_fit(image, width, height), dtype=np.uint8)
    if channels == 1:
        array = array[None]  # (H, W) -> (1, H, W)
    else:
        array = array.transpose(2, 0, 1)  # (H, W, 3) -> (3, H, W)
    return torch.from_numpy(array.copy())


def suggest_invert(image: Tensor, reference: Tensor) -> bool:
    """Tell whether ``image`` should be inverted to match the background of ``reference``.

    For instance dark ink on white paper against MNIST's white digits on black.

    Parameters
    ----------
    image : Tensor
        ``(C, H, W)`` image, ``uint8`` or float.
    reference : Tensor
        ``(N, C, H, W)`` images of the training data.

    Returns
    -------
    bool
        ``True`` if the backgrounds lie on opposite sides of mid-grey.
    """
    if len(reference) == 0:
        return False
    return (_border_mean(image) > 0.5) != (_border_mean(reference) > 0.5)


def invert(image: Tensor) -> Tensor:
    """Photographic negative of a ``uint8`` or float [0, 1] image."""
    return 255 - image if image.dtype == torch.uint8 else 1.0 - image


def _read_bytes(source: ImageSource) -> bytes:
    if isinstance(source, str | os.PathLike):
        data = Path(source).read_bytes()  # a file on disk: no upload limit
    else:
        data = _read_upload(source)
    if not data:
        raise ImageInputError("the file is empty", "empty")
    return data


def _read_upload(source: bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)  # Streamlit's UploadedFile knows it without reading
        if isinstance(size, int) and size > MAX_UPLOAD_BYTES:
            raise _file_too_large(size)
        data = source.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_too_large(len(data))
    return data


def _file_too_large(size: int) -> ImageInputError:
    size_mb, limit_mb = size / 1024**2, MAX_UPLOAD_BYTES // 1024**2
    return ImageInputError(
        f"the file is {size_mb:.1f} MB; images up to {limit_mb} MB are accepted",
        "file-too-large",
        size_mb=round(size_mb, 1),
        limit_mb=limit_mb,
    )


def _too_many_pixels(width: int, height: int) -> ImageInputError:
    megapixels, limit = width * height / 1e6, MAX_IMAGE_PIXELS // 1_000_000
    return ImageInputError(
        f"the image is {width}×{height} pixels ({megapixels:.0f} megapixels); "
        f"images up to {limit} megapixels are accepted",
        "too-many-pixels",
        width=width,
        height=height,
        megapixels=round(megapixels),
        limit=limit,
    )


def _decode(data: bytes, mode: str, size: tuple[int, int]) -> Image.Image:
    """Open, check and decode the first frame, EXIF orientation applied."""
    image: Image.Image | None = None
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; make that an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            w, h = image.size
            if w * h > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(w, h)
            if w == 0 or h == 0:
                raise ImageInputError("the image has no pixels", "damaged")
            image.seek(0)
            # JPEG can decode at a fraction of its size: much faster for a 40-megapixel photo.
            image.draft(mode, size)
            image = ImageOps.exif_transpose(image)
            image.load()
        except ImageInputError:
            raise
        except UnidentifiedImageError:
            raise ImageInputError(
                "this file is not an image (PNG, JPEG, GIF, BMP, WebP... are accepted)", "not-image"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            w, h = image.size if image is not None else (0, 0)
            raise _too_many_pixels(w, h) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ImageInputError(
                f"the image is damaged or truncated ({reason})", "damaged", detail=reason
            ) from None
    return image


def _to_8bit(image: Image.Image) -> Image.Image:
    """Bring 16-bit and float images to 8 bits per channel by a fixed scale (module rule 3)."""
    if image.mode in SIXTEEN_BIT_MODES:
        values = np.clip(np.asarray(image).astype(np.int64), 0, 65535)
        return Image.fromarray((values >> 8).astype(np.uint8))  # mode "L"
    if image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        scale = 255.0 if array.max(initial=0.0) <= 1.0 else 1.0
        return Image.fromarray(np.clip(np.rint(array * scale), 0, 255).astype(np.uint8))
    return image


def _on_white(image: Image.Image) -> Image.Image:
    """Lay transparent areas on white (module rule 4)."""
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba)


def _border_mean(images: Tensor) -> float:
    # The frame of an image is its background, whatever the subject in the middle.
    x = images.reshape(-1, *images.shape[-3:]).float()
    if images.dtype == torch.uint8:
        x /= 255.0
    frame = torch.cat(
        [x[..., 0, :], x[..., -1, :], x[..., :, 0], x[..., :, -1]], dim=-1
    )  # (N, C, 2H + 2W)
    return float(frame.mean())
