"""The user's folder of images: unlabelled, or one sub-folder per class (torchvision's ImageFolder).

Every image is decoded by :func:`vaelab.data.images.load_image`, the decoder of the app's uploads
too (transparency on white, 16-bit by its high byte), centre-cropped to a square and resized to
one side. If every image is grayscale the dataset has one channel, otherwise three (RGB).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from vaelab.data.dataset import ImageDataset, Splits, split_indices
from vaelab.data.images import load_image
from vaelab.data.resize import DEFAULT_IMAGE_SIZE, check_image_size
from vaelab.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
MAX_IMAGES = 100_000
#: Largest dataset built in memory; beyond it a smaller image size is asked for, not an OOM.
MAX_BYTES = 4 * 2**30
GRAY_MODES = frozenset({"1", "L", "LA", "I", "F", "I;16", "I;16B", "I;16L", "I;16N"})


@dataclass(frozen=True)
class FolderScan:
    """The images found in a folder, in a stable order.

    Attributes
    ----------
    folder : pathlib.Path
        The folder.
    files : tuple of pathlib.Path
        Every image, sorted.
    labels : tuple of int or None
        Class of each image, or ``None`` when the images are directly in the folder.
    classes : tuple of str or None
        Sorted names of the class sub-folders.
    """

    folder: Path
    files: tuple[Path, ...]
    labels: tuple[int, ...] | None
    classes: tuple[str, ...] | None

    def stamp(self) -> str:
        """Hash of every image's path, size and modification time, to notice edits."""
        digest = hashlib.sha256()
        for path in self.files:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:16]


def scan_image_folder(folder: Path) -> FolderScan:
    """List the images of a folder and their classes, without opening them.

    Parameters
    ----------
    folder : pathlib.Path
        A folder of images, or of one sub-folder of images per class. Hidden files and folders,
        files of other types and sub-folders without images are ignored.

    Returns
    -------
    FolderScan
        The images found.

    Raises
    ------
    DatasetError
        If there are no images, too many, or images both in the folder and in sub-folders.
    """
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    loose = [p for p in entries if _is_image(p)]
    class_dirs = [(d, _images_under(d)) for d in entries if d.is_dir()]
    class_dirs = [(d, files) for d, files in class_dirs if files]
    if loose and class_dirs:
        raise DatasetError(
            f"{folder} has images both directly inside and in sub-folders; put all of them in "
            "one sub-folder per class, or all directly in the folder"
        )
    if class_dirs:
        files = tuple(f for _, images in class_dirs for f in images)
        labels = tuple(i for i, (_, images) in enumerate(class_dirs) for _ in images)
        scan = FolderScan(folder, files, labels, tuple(d.name for d, _ in class_dirs))
    elif loose:
        scan = FolderScan(folder, tuple(loose), None, None)
    else:
        raise DatasetError(
            f"{folder} has no images ({', '.join(s[1:] for s in IMAGE_SUFFIXES)}), neither "
            "directly inside nor in one sub-folder per class"
        )
    if len(scan.files) > MAX_IMAGES:
        raise DatasetError(
            f"{folder} has {len(scan.files):,} images; at most {MAX_IMAGES:,} are allowed"
        )
    if len(scan.files) < 2:
        raise DatasetError(f"{folder} has only 1 image; at least 2 are needed (one to test)")
    return scan


def load_image_folder(scan: FolderScan, name: str, image_size: int | None = None) -> ImageDataset:
    """Decode, crop and resize the images of a folder, holding out 10% for testing.

    Parameters
    ----------
    scan : FolderScan
        The images, from :func:`scan_image_folder`.
    name : str
        The path as the user gave it, used as the dataset name.
    image_size : int or None
        Side of the square images, 8 to 256; ``None`` means 32.

    Returns
    -------
    ImageDataset
        ``uint8`` images ``(N, C, size, size)``, with labels for a class-per-sub-folder layout.

    Raises
    ------
    DatasetError
        If an image cannot be read (the first such file is named) or the dataset is too big.
    ConfigError
        If the image size is not allowed.
    """
    size = check_image_size(DEFAULT_IMAGE_SIZE if image_size is None else image_size)
    gray = all(_is_gray(path) for path in scan.files)  # stops at the first colour image
    channels = 1 if gray else 3
    n = len(scan.files)
    if n * channels * size * size > MAX_BYTES:
        raise DatasetError(
            f"{n:,} images of {channels}×{size}×{size} would take "
            f"{n * channels * size * size / 2**30:.1f} GiB; at most {MAX_BYTES / 2**30:.0f} GiB "
            "is allowed, so choose a smaller image size or fewer images"
        )
    x = torch.empty((n, channels, size, size), dtype=torch.uint8)
    for i, path in enumerate(scan.files):
        with _reading(path):
            x[i] = load_image(path, (channels, size, size))

    y = None if scan.labels is None else torch.tensor(scan.labels, dtype=torch.int64)
    train, test = (torch.from_numpy(i) for i in split_indices(n))
    splits = Splits(
        x[train], None if y is None else y[train], x[test], None if y is None else y[test]
    )
    return ImageDataset.create(name, splits, scan.classes, image_size=size)


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def _images_under(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if _is_image(p) and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _is_gray(path: Path) -> bool:
    with _reading(path):
        with Image.open(path) as image:
            if image.mode in GRAY_MODES:
                return True
            if image.mode not in ("P", "PA"):
                return False
            palette = np.asarray(image.getpalette() or [], dtype=np.uint8).reshape(-1, 3)
            return bool((palette == palette[:, :1]).all())


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    try:
        yield
    except DatasetError:
        raise
    except Exception as exc:
        # Decoders of untrusted files raise many kinds of errors (OSError, SyntaxError,
        # ValueError, DecompressionBombError...): each one means this file cannot be used.
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise DatasetError(f"cannot read image {path} ({reason}); fix or remove it") from exc
