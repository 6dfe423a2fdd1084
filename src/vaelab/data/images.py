"""One decoder of image files, for the user's folders and for the pictures uploaded to the app.

Both the folder loader (:mod:`vaelab.data.image_folder`, which the CLI and the app use for a
dataset given by path) and the app's upload box call :func:`load_image`, so that the same file
always gives the same pixels. The rules, applied in this order:

1. **Checks before decoding.** The pixel count is read from the header and an image above
   ``MAX_IMAGE_PIXELS`` (40 megapixels) is refused before any pixel is decoded (decompression
   bombs included), with the size it declares. Uploaded content (bytes or a file object) above
   ``MAX_UPLOAD_BYTES`` (20 MB) is refused before it is read; a file on disk must be a regular
   file and is read as it is decoded, never whole. Whatever Pillow raises on a damaged file
   becomes one :class:`ImageInputError`.
2. **Decoding.** The first frame of an animation, with its EXIF orientation applied. JPEG decodes
   straight at a reduced scale no smaller than the target (libjpeg's DCT scaling).
3. **More than 8 bits.** 16-bit values ``v`` keep their high byte, ``v >> 8``: a fixed scale
   from 0-65535 to 0-255, never stretched by the image's own maximum (which would change the
   brightness from one image to the next), and the rule Pillow itself applies to 16-bit RGB,
   RGBA and grey-with-alpha PNGs, so a 16-bit grey file and its colour copy agree. Pillow's
   32-bit integer mode ``"I"`` (16-bit PGM, older Pillows' 16-bit PNG) is read the same way,
   clipped to 0-65535. Float images (``"F"``) are taken as [0, 1] when no value exceeds 1, and
   as 0-255 otherwise; NaN is black.
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torch import Tensor

from vaelab.data.files import open_regular
from vaelab.data.limits import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES
from vaelab.data.resize import centre_fit
from vaelab.errors import VaeLabError

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
        larger than 40 megapixels, or damaged, whatever Pillow raises on it.
    DatasetError
        If a path is missing, unreadable or not a regular file.
    """
    channels, height, width = (int(v) for v in shape)
    if channels not in (1, 3):
        raise ValueError(f"images have 1 or 3 channels, got {channels}")
    mode = "L" if channels == 1 else "RGB"
    with open_image(source) as image:
        array = _decode(image, mode, (width, height))
    if channels == 1:
        array = array[None]  # (H, W) -> (1, H, W)
    else:
        array = array.transpose(2, 0, 1)  # (H, W, 3) -> (3, H, W)
    return torch.from_numpy(array.copy())


@contextmanager
def open_image(source: ImageSource) -> Iterator[Image.Image]:
    """Open an image without decoding it, its declared size checked (module rule 1).

    Parameters
    ----------
    source : bytes, binary file, str or os.PathLike
        As for :func:`load_image`.

    Yields
    ------
    PIL.Image.Image
        The image, lazily opened: its mode and size are known, no pixel is decoded yet.

    Raises
    ------
    ImageInputError
        If the file is empty, too large to upload, not an image, or declares too many pixels.
    DatasetError
        If a path is missing, unreadable or not a regular file.
    """
    with _binary(source) as stream, warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; make that an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream)
        except UnidentifiedImageError:
            raise ImageInputError(
                "this file is not an image (PNG, JPEG, GIF, BMP, WebP... are accepted)", "not-image"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            size = _declared_size(stream)
            raise (_damaged(exc) if size is None else _too_many_pixels(*size)) from None
        except Exception as exc:
            # A header Pillow cannot parse raises whatever its parser hit (SyntaxError,
            # struct.error, ValueError, IndexError...): each one means a damaged file.
            raise _damaged(exc) from None
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            if width <= 0 or height <= 0:
                raise ImageInputError(
                    f"the image declares {width} × {height} pixels, so it has none", "damaged"
                )
            yield image


def suggest_invert(image: Tensor, reference: Tensor) -> bool:
    """Tell whether ``image`` should be inverted to match the background of ``reference``.

    For instance dark ink on white paper against MNIST's white digits on black. Only grey images
    are ever suggested: inverting a colour photo turns a red disc cyan, which no colour dataset
    calls for.

    Parameters
    ----------
    image : Tensor
        ``(C, H, W)`` image, ``uint8`` or float.
    reference : Tensor
        ``(N, C, H, W)`` images of the training data.

    Returns
    -------
    bool
        ``True`` if both are grey and their backgrounds lie on opposite sides of mid-grey.
    """
    if len(reference) == 0 or image.shape[0] != 1 or reference.shape[1] != 1:
        return False
    return (_border_mean(image) > 0.5) != (_border_mean(reference) > 0.5)


def invert(image: Tensor) -> Tensor:
    """Photographic negative of a ``uint8`` or float [0, 1] image."""
    return 255 - image if image.dtype == torch.uint8 else 1.0 - image


@contextmanager
def _binary(source: ImageSource) -> Iterator[BinaryIO]:
    """The file to open: a path is opened lazily (never read whole), content is bounded."""
    if isinstance(source, str | os.PathLike):
        with open_regular(Path(source)) as file:
            if os.fstat(file.fileno()).st_size == 0:
                raise ImageInputError("the file is empty", "empty")
            yield file
        return
    data = _read_upload(source)
    if not data:
        raise ImageInputError("the file is empty", "empty")
    yield io.BytesIO(data)


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
        f"the image declares {width} × {height} pixels ({megapixels:,.0f} megapixels); "
        f"at most {MAX_IMAGE_PIXELS:,} pixels ({limit} megapixels) are accepted",
        "too-many-pixels",
        width=width,
        height=height,
        megapixels=round(megapixels),
        limit=limit,
    )


def _damaged(exc: BaseException) -> ImageInputError:
    reason = " ".join(str(exc).split())[:160] or type(exc).__name__
    return ImageInputError(
        f"the image is damaged or truncated ({reason})", "damaged", detail=reason
    )


def _declared_size(stream: BinaryIO) -> tuple[int, int] | None:
    """Width and height of a file that ``Image.open`` refused as a decompression bomb.

    ``Image.open`` checks the size before it returns the image, so the format plugins it
    registered are asked directly, in its own order and with its own test of the first bytes.
    """
    stream.seek(0)
    prefix = stream.read(16)
    for format_id in Image.ID:
        factory, accept = Image.OPEN[format_id]
        accepted = accept is None or accept(prefix)
        if not accepted or isinstance(accepted, str):
            continue
        stream.seek(0)
        try:
            return factory(stream, "").size
        except Exception:  # this plugin cannot read it; Image.open goes on to the next too
            continue
    return None


def _decode(image: Image.Image, mode: str, size: tuple[int, int]) -> np.ndarray:
    """Decode the first frame, EXIF orientation applied, to ``mode`` pixels of ``size``."""
    try:
        image.seek(0)
        # JPEG can decode at a fraction of its size: much faster for a 40-megapixel photo.
        image.draft(mode, size)
        image = _on_white(_to_8bit(ImageOps.exif_transpose(image)))
        if image.mode == "LAB":  # Pillow converts LAB to RGB only
            image = image.convert("RGB")
        image = image.convert(mode)
        return np.asarray(centre_fit(image, *size), dtype=np.uint8)
    except Exception as exc:
        # Decoders of untrusted files raise many kinds of errors (OSError for a truncated file,
        # SyntaxError, ValueError, EOFError, struct.error...): each one means a damaged file.
        raise _damaged(exc) from None


def _to_8bit(image: Image.Image) -> Image.Image:
    """Bring 16-bit and float images to 8 bits per channel by a fixed scale (module rule 3)."""
    if image.mode in SIXTEEN_BIT_MODES:
        values = np.clip(np.asarray(image).astype(np.int64), 0, 65535)
        return Image.fromarray((values >> 8).astype(np.uint8))  # mode "L"
    if image.mode == "F":
        array = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0)
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
