"""The user's folder of images: unlabelled, or one sub-folder per class (torchvision's ImageFolder).

Every image is decoded by :func:`vaelab.data.images.load_image`, the decoder of the app's uploads
too (transparency on white, 16-bit by its high byte), centre-cropped to a square and resized to
one side. If every image is grayscale the dataset has one channel, otherwise three (RGB).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from vaelab.data.dataset import ImageDataset, Splits, split_indices
from vaelab.data.images import load_image, open_image
from vaelab.data.limits import (
    MAX_CLASSES,
    MAX_DATASET_BYTES,
    MAX_FOLDER_DEPTH,
    MAX_FOLDER_ENTRIES,
    MAX_IMAGES,
)
from vaelab.data.resize import DEFAULT_IMAGE_SIZE, check_image_size
from vaelab.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
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
    stamp : str
        Hash of every image's path, size and modification time, to notice edits.
    skipped : int
        Entries passed over because they are neither regular files nor folders: named pipes,
        devices, sockets, broken links, and links to folders (never followed, so that a link
        cannot lead out of the folder or round in a loop).
    """

    folder: Path
    files: tuple[Path, ...]
    labels: tuple[int, ...] | None
    classes: tuple[str, ...] | None
    stamp: str
    skipped: int

    def notice(self) -> str | None:
        """One line about the skipped entries, or ``None`` when there were none."""
        if not self.skipped:
            return None
        entries = "1 entry" if self.skipped == 1 else f"{self.skipped:,} entries"
        return (
            f"skipped {entries} of {self.folder} that are neither image files nor folders "
            "(named pipes, devices, broken links or links to folders)"
        )


def scan_image_folder(folder: Path) -> FolderScan:
    """List the images of a folder and their classes, without opening them.

    At most ``MAX_FOLDER_ENTRIES`` entries are looked at, down to ``MAX_FOLDER_DEPTH`` levels of
    sub-folders; links to folders are not followed.

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
        If a folder cannot be listed, there are no images, too many, too many entries, classes
        or levels of folders, or images both in the folder and in sub-folders.
    """
    walk = _Walk(folder)
    loose, class_dirs = [], []
    for entry, is_folder in walk.entries(folder):
        if is_folder:
            images = sorted(walk.images_under(Path(entry.path)))
            if images:
                class_dirs.append((entry.name, images))
        elif walk.is_image(entry):
            loose.append(Path(entry.path))
    if loose and class_dirs:
        raise DatasetError(
            f"{folder} has images both directly inside and in sub-folders; put all of them in "
            "one sub-folder per class, or all directly in the folder"
        )
    if len(class_dirs) > MAX_CLASSES:
        raise DatasetError(
            f"{folder} has {len(class_dirs):,} sub-folders of images, one per class; at most "
            f"{MAX_CLASSES:,} classes are allowed"
        )
    class_dirs.sort()
    if class_dirs:
        files = tuple(f for _, images in class_dirs for f in images)
        labels = tuple(i for i, (_, images) in enumerate(class_dirs) for _ in images)
        classes = tuple(name for name, _ in class_dirs)
    elif loose:
        files, labels, classes = tuple(sorted(loose)), None, None
    else:
        raise DatasetError(
            f"{folder} has no images ({', '.join(s[1:] for s in IMAGE_SUFFIXES)}), neither "
            "directly inside nor in one sub-folder per class"
        )
    if len(files) > MAX_IMAGES:
        raise DatasetError(
            f"{folder} has {len(files):,} images; at most {MAX_IMAGES:,} are allowed"
        )
    if len(files) < 2:
        raise DatasetError(f"{folder} has only 1 image; at least 2 are needed (one to test)")
    return FolderScan(folder, files, labels, classes, walk.stamp(files), walk.skipped)


class _Walk:
    """One bounded walk of a folder: counts what it visits, remembers what it stat-ed."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.visited = 0
        self.skipped = 0
        self._status: dict[Path, os.stat_result] = {}

    def entries(self, folder: Path, depth: int = 0) -> list[tuple[os.DirEntry, bool]]:
        """The visible entries of ``folder``, counted against the limits, and which are folders.

        A link to a folder is not a folder here: it is never followed.
        """
        if depth > MAX_FOLDER_DEPTH:
            raise DatasetError(
                f"{folder} is {depth} folders deep inside {self.top}; at most "
                f"{MAX_FOLDER_DEPTH} levels of sub-folders are scanned"
            )
        try:
            with os.scandir(folder) as listing:
                entries = []
                for entry in listing:
                    self.visited += 1
                    if self.visited > MAX_FOLDER_ENTRIES:
                        raise DatasetError(
                            f"{self.top} holds more than {MAX_FOLDER_ENTRIES:,} files and "
                            "folders; give a folder with only the images to use"
                        )
                    if not entry.name.startswith("."):
                        entries.append((entry, entry.is_dir(follow_symlinks=False)))
        except OSError as exc:
            raise DatasetError(
                f"cannot list the folder {folder} ({exc.strerror or exc}); fix or remove it"
            ) from None
        return entries

    def images_under(self, folder: Path, depth: int = 1) -> Iterator[Path]:
        """Every image at any depth under ``folder``, without following links to folders."""
        for entry, is_folder in self.entries(folder, depth):
            if is_folder:
                yield from self.images_under(Path(entry.path), depth + 1)
            elif self.is_image(entry):
                yield Path(entry.path)

    def is_image(self, entry: os.DirEntry) -> bool:
        """Whether ``entry`` is a regular file (or a link to one) named like an image.

        Anything else that is not a folder is counted as skipped.
        """
        try:
            status = entry.stat()  # follows a link to a file
        except OSError:  # a broken link, or a file gone since the listing
            self.skipped += 1
            return False
        if not stat.S_ISREG(status.st_mode):
            self.skipped += 1
            return False
        if Path(entry.name).suffix.lower() not in IMAGE_SUFFIXES:
            return False
        self._status[Path(entry.path)] = status
        return True

    def stamp(self, files: tuple[Path, ...]) -> str:
        """Hash of every image's path, size and modification time, as listed."""
        digest = hashlib.sha256()
        for path in files:
            status = self._status[path]
            digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:16]


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
    if n * channels * size * size > MAX_DATASET_BYTES:
        raise DatasetError(
            f"{n:,} images of {channels}×{size}×{size} would take "
            f"{n * channels * size * size / 2**30:.1f} GiB; at most "
            f"{MAX_DATASET_BYTES / 2**30:.0f} GiB "
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
    dataset = ImageDataset.create(name, splits, scan.classes, image_size=size)
    return replace(dataset, notice=scan.notice())


def _is_gray(path: Path) -> bool:
    with _reading(path), open_image(path) as image:
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
