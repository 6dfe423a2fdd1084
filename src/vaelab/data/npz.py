"""The user's images saved with ``numpy.savez``: an array ``x``, optionally ``y`` and ``classes``.

The file is read by ``vaelab.data.npz_reader``: every header is checked against the limits of
``vaelab.data.limits`` before any data is read, and Python objects are never loaded, so a
``.npz`` from elsewhere can neither run code nor exhaust memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vaelab.config import CHANNEL_CHOICES, MAX_IMAGE_SIDE, MIN_IMAGE_SIDE
from vaelab.data.dataset import ImageDataset, Splits, split_indices
from vaelab.data.limits import (
    MAX_CLASS_NAME_CHARS,
    MAX_CLASSES,
    MAX_DATASET_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGES,
)
from vaelab.data.npz_reader import ArrayHeader, NpzReader
from vaelab.data.resize import resize_array
from vaelab.errors import DatasetError

LAYOUTS = "(N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3"
#: Names of arrays quoted when ``x`` is missing.
MAX_NAMES_SHOWN = 5


def load_npz(path: Path, name: str, image_size: int | None = None) -> ImageDataset:
    """Load the user's ``.npz`` file and hold out 10% of it for testing.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    name : str
        The path as the user gave it, used as the dataset name.
    image_size : int or None
        Side to centre-crop and resize the images to; ``None`` keeps their size.

    Returns
    -------
    ImageDataset
        Images ``(N, C, H, W)``, with labels when the file has ``y``.

    Raises
    ------
    DatasetError
        If the file is not a ``.npz``, is damaged, its arrays are not images and labels as
        described above, or they exceed the limits of ``vaelab.data.limits``.
    """
    with NpzReader.open(path) as npz:
        images_header = npz.header("x")
        if images_header is None:
            shown = ", ".join(repr(key) for key in npz.keys[:MAX_NAMES_SHOWN])
            more = ", ..." if len(npz.keys) > MAX_NAMES_SHOWN else ""
            found = shown + more or "no arrays"
            raise DatasetError(
                f"{path} has no array named 'x' (found: {found}); save the images as x "
                "and the optional labels as y"
            )
        shape = _check_images(images_header, path, image_size)
        n = shape[0]
        labels_header = npz.header("y")
        classes_header = npz.header("classes")
        if labels_header is not None:
            _check_labels_header(labels_header, n, path)
        elif classes_header is not None:
            raise DatasetError(f"{path} has 'classes' but no labels 'y'; add y or drop classes")
        if classes_header is not None:
            _check_classes_header(classes_header, path)
        images = _to_nchw(npz.read(images_header))
        labels = None if labels_header is None else npz.read(labels_header)
        classes = None if classes_header is None else npz.read(classes_header)
    if image_size is not None:
        images = resize_array(images, image_size)
    labels, names = _check_labels(labels, classes, path)

    train, test = (torch.from_numpy(i) for i in split_indices(n))
    x = torch.from_numpy(np.ascontiguousarray(images))
    y = None if labels is None else torch.from_numpy(labels)
    splits = Splits(
        x[train], None if y is None else y[train], x[test], None if y is None else y[test]
    )
    return ImageDataset.create(name, splits, names, image_size=image_size)


def _check_images(
    header: ArrayHeader, path: Path, image_size: int | None
) -> tuple[int, int, int, int]:
    """Check what ``x`` declares, before reading it; return its ``(N, C, H, W)`` shape."""
    if header.dtype != np.uint8:
        raise DatasetError(
            f"images 'x' in {path} have dtype {header.dtype}; allowed: uint8 (values 0 to 255)"
        )
    n, channels, height, width = _nchw_shape(header.shape, path)
    if n < 2:
        raise DatasetError(f"{path} holds {n} image(s); at least 2 are needed (one to test)")
    if n > MAX_IMAGES:
        raise DatasetError(f"{path} holds {n:,} images; at most {MAX_IMAGES:,} are allowed")
    if min(height, width) < MIN_IMAGE_SIDE:
        raise DatasetError(
            f"images in {path} are {height}×{width} pixels; "
            f"they must be at least {MIN_IMAGE_SIDE}×{MIN_IMAGE_SIDE}"
        )
    if height * width > MAX_IMAGE_PIXELS:
        raise DatasetError(
            f"images in {path} are {height:,}×{width:,} pixels; "
            f"at most {MAX_IMAGE_PIXELS:,} pixels per image are allowed"
        )
    if image_size is None and max(height, width) > MAX_IMAGE_SIDE:
        raise DatasetError(
            f"images in {path} are {height}×{width} pixels; at most {MAX_IMAGE_SIDE} per side "
            "is allowed, so choose an image size to resize them"
        )
    side_h, side_w = (height, width) if image_size is None else (image_size, image_size)
    for size in (header.nbytes, n * channels * side_h * side_w):
        if size > MAX_DATASET_BYTES:
            raise DatasetError(
                f"{n:,} images of {channels}×{side_h}×{side_w} from {path} would take "
                f"{size / 2**30:.1f} GiB; at most {MAX_DATASET_BYTES / 2**30:.0f} GiB is "
                "allowed, so choose a smaller image size or fewer images"
            )
    return n, channels, height, width


def _nchw_shape(shape: tuple[int, ...], path: Path) -> tuple[int, int, int, int]:
    if len(shape) == 3:
        return shape[0], 1, shape[1], shape[2]
    if len(shape) == 4:
        # Images are at least 8 pixels wide, so an axis of size 1 or 3 can only hold channels.
        if shape[-1] in CHANNEL_CHOICES:
            return shape[0], shape[3], shape[1], shape[2]
        if shape[1] in CHANNEL_CHOICES:
            return shape
        if 4 in (shape[1], shape[-1]):
            raise DatasetError(
                f"images 'x' in {path} have 4 channels; allowed: 1 (grayscale) or 3 (RGB), "
                "so drop the alpha channel"
            )
    raise DatasetError(f"images 'x' in {path} have shape {shape}; allowed layouts: {LAYOUTS}")


def _to_nchw(images: np.ndarray) -> np.ndarray:
    """Images of a shape :func:`_nchw_shape` accepted, as a ``(N, C, H, W)`` view."""
    if images.ndim == 3:
        return images[:, None]
    if images.shape[-1] in CHANNEL_CHOICES:
        return images.transpose(0, 3, 1, 2)
    return images


def _check_labels_header(header: ArrayHeader, n: int, path: Path) -> None:
    if header.shape != (n,) or header.dtype.kind not in "iu":
        raise DatasetError(
            f"labels 'y' in {path} have shape {header.shape} and dtype {header.dtype}; "
            f"allowed: {n} whole numbers, one per image, shape ({n},)"
        )


def _check_classes_header(header: ArrayHeader, path: Path) -> None:
    if len(header.shape) != 1 or header.dtype.kind not in "US":
        raise DatasetError(f"'classes' in {path} must be a 1-D array of strings")
    if header.shape[0] > MAX_CLASSES:
        raise DatasetError(
            f"'classes' in {path} names {header.shape[0]:,} classes; at most {MAX_CLASSES:,} "
            "are allowed"
        )
    chars = header.dtype.itemsize // (4 if header.dtype.kind == "U" else 1)
    if chars > MAX_CLASS_NAME_CHARS:
        raise DatasetError(
            f"'classes' in {path} holds names of up to {chars:,} characters; at most "
            f"{MAX_CLASS_NAME_CHARS} are allowed"
        )


def _check_labels(
    labels: np.ndarray | None, classes: np.ndarray | None, path: Path
) -> tuple[np.ndarray | None, tuple[str, ...] | None]:
    if labels is None:
        return None, None
    lowest, highest = int(labels.min()), int(labels.max())
    if lowest < 0 or highest >= MAX_CLASSES:
        wrong = lowest if lowest < 0 else highest
        raise DatasetError(
            f"labels 'y' in {path} include {wrong}; allowed: class numbers from 0 to "
            f"{MAX_CLASSES - 1}"
        )
    n_classes = highest + 1
    if classes is None:
        return labels.astype(np.int64), tuple(str(label) for label in range(n_classes))
    if len(classes) < n_classes:
        raise DatasetError(
            f"{path} names {len(classes)} classes but its labels go up to {n_classes - 1}; "
            f"give at least {n_classes} names"
        )
    names = tuple(
        c.decode(errors="replace") if isinstance(c, bytes) else str(c) for c in classes.tolist()
    )
    return labels.astype(np.int64), names
