"""The user's images saved with ``numpy.savez``: an array ``x``, optionally ``y`` and ``classes``.

The file is read with ``allow_pickle=False``: a ``.npz`` from elsewhere must never run code.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch

from vaelab.config import CHANNEL_CHOICES, MAX_IMAGE_SIDE, MIN_IMAGE_SIDE
from vaelab.data.dataset import ImageDataset, Splits, split_indices
from vaelab.data.resize import resize_array
from vaelab.errors import DatasetError

LAYOUTS = "(N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3"


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
        If the file is not a ``.npz`` or its arrays are not images as described above.
    """
    images, labels, classes = _read_arrays(path)
    images = _to_nchw(images, path)
    n = len(images)
    if n < 2:
        raise DatasetError(f"{path} holds {n} image(s); at least 2 are needed (one to test)")
    height, width = images.shape[2:]
    if min(height, width) < MIN_IMAGE_SIDE:
        raise DatasetError(
            f"images in {path} are {height}×{width} pixels; "
            f"they must be at least {MIN_IMAGE_SIDE}×{MIN_IMAGE_SIDE}"
        )
    if image_size is not None:
        images = resize_array(images, image_size)
    elif max(height, width) > MAX_IMAGE_SIDE:
        raise DatasetError(
            f"images in {path} are {height}×{width} pixels; at most {MAX_IMAGE_SIDE} per side "
            "is allowed, so choose an image size to resize them"
        )
    labels, classes = _check_labels(labels, classes, n, path)

    train, test = (torch.from_numpy(i) for i in split_indices(n))
    x = torch.from_numpy(np.ascontiguousarray(images))
    y = None if labels is None else torch.from_numpy(labels)
    splits = Splits(
        x[train], None if y is None else y[train], x[test], None if y is None else y[test]
    )
    return ImageDataset.create(name, splits, classes, image_size=image_size)


def _read_arrays(path: Path) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    if not zipfile.is_zipfile(path):
        raise DatasetError(
            f"{path} is not a .npz file; "
            "save your images with numpy.savez(path, x=images, y=labels)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "x" not in archive.files:
                found = ", ".join(archive.files) or "no arrays"
                raise DatasetError(
                    f"{path} has no array named 'x' (found: {found}); save the images as x "
                    "and the optional labels as y"
                )
            keys = ("x", "y", "classes")
            return tuple(archive[key] if key in archive.files else None for key in keys)
    except DatasetError:
        raise
    except ValueError as exc:
        # NumPy refuses object arrays without allow_pickle.
        raise DatasetError(
            f"{path} holds Python objects, which are not loaded for safety; "
            "save x as a uint8 array, y as integers and classes as strings"
        ) from exc
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(f"cannot read {path} ({exc}); save it again with numpy.savez") from exc


def _to_nchw(images: np.ndarray, path: Path) -> np.ndarray:
    if images.dtype != np.uint8:
        raise DatasetError(
            f"images 'x' in {path} have dtype {images.dtype}; allowed: uint8 (values 0 to 255)"
        )
    if images.ndim == 3:
        return images[:, None]
    if images.ndim != 4:
        raise DatasetError(
            f"images 'x' in {path} have shape {images.shape}; allowed layouts: {LAYOUTS}"
        )
    # Images are at least 8 pixels wide, so an axis of size 1 or 3 can only hold channels.
    if images.shape[-1] in CHANNEL_CHOICES:
        return images.transpose(0, 3, 1, 2)
    if images.shape[1] in CHANNEL_CHOICES:
        return images
    if 4 in (images.shape[1], images.shape[-1]):
        raise DatasetError(
            f"images 'x' in {path} have 4 channels; allowed: 1 (grayscale) or 3 (RGB), "
            "so drop the alpha channel"
        )
    raise DatasetError(
        f"images 'x' in {path} have shape {images.shape}; allowed layouts: {LAYOUTS}"
    )


def _check_labels(
    labels: np.ndarray | None, classes: np.ndarray | None, n: int, path: Path
) -> tuple[np.ndarray | None, tuple[str, ...] | None]:
    if labels is None:
        if classes is not None:
            raise DatasetError(f"{path} has 'classes' but no labels 'y'; add y or drop classes")
        return None, None
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise DatasetError(
            f"labels 'y' in {path} have shape {labels.shape} and dtype {labels.dtype}; "
            f"allowed: {n} whole numbers, one per image, shape ({n},)"
        )
    if labels.min() < 0:
        raise DatasetError(f"labels 'y' in {path} include {labels.min()}; allowed: 0 or more")
    n_classes = int(labels.max()) + 1
    if classes is None:
        return labels.astype(np.int64), tuple(str(label) for label in range(n_classes))
    if classes.ndim != 1 or classes.dtype.kind not in "US":
        raise DatasetError(f"'classes' in {path} must be a 1-D array of strings")
    if len(classes) < n_classes:
        raise DatasetError(
            f"{path} names {len(classes)} classes but its labels go up to {n_classes - 1}; "
            f"give at least {n_classes} names"
        )
    names = tuple(c.decode() if isinstance(c, bytes) else str(c) for c in classes.tolist())
    return labels.astype(np.int64), names
