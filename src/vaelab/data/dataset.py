"""The in-memory image dataset every loader returns, and the facts known about a dataset."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch

from vaelab.config import CHANNEL_CHOICES
from vaelab.data.limits import MAX_CLASSES
from vaelab.errors import DatasetError

#: Seed of the permutation that holds out the test images of the user's own data.
SPLIT_SEED = 0
#: Share of the user's images kept for testing (rounded down, at least one image).
TEST_FRACTION = 0.1


class Splits(NamedTuple):
    """Train and test tensors as a loader produces them, before fingerprinting."""

    train_x: torch.Tensor
    train_y: torch.Tensor | None
    test_x: torch.Tensor
    test_y: torch.Tensor | None


@dataclass(frozen=True, eq=False)
class ImageDataset:
    """Images and labels of one dataset, split into train and test, kept in memory.

    Loaded datasets are shared by an in-process cache: treat the tensors as read-only (convert
    them with ``x.float() / 255`` rather than in place).

    Attributes
    ----------
    name : str
        The registry id (``"mnist-5k"``) or the user's path as given.
    train_x, test_x : torch.Tensor
        ``uint8`` pixels in [0, 255], contiguous, shaped ``(N, C, H, W)`` with C = 1 or 3.
    train_y, test_y : torch.Tensor or None
        ``int64`` labels shaped ``(N,)``, or ``None`` when the images have no labels.
    classes : tuple of str or None
        Class names, at most ``MAX_CLASSES``; ``classes[label]`` names a label, so labels are
        whole numbers from 0 to ``len(classes) - 1``.
    fingerprint : str
        First 16 hex digits of a SHA-256 of the shapes and bytes of the four tensors.
    notice : str or None
        One line the CLI or app must show, for instance why ``mnist-5k`` replaced ``mnist``.
    image_size : int or None
        Side the user's images were resized to; ``None`` when they kept their size.
    """

    name: str
    train_x: torch.Tensor = field(repr=False)
    train_y: torch.Tensor | None = field(repr=False)
    test_x: torch.Tensor = field(repr=False)
    test_y: torch.Tensor | None = field(repr=False)
    classes: tuple[str, ...] | None = field(repr=False)
    fingerprint: str
    notice: str | None = None
    image_size: int | None = None

    def __post_init__(self) -> None:
        _check_images("train", self.train_x)
        _check_images("test", self.test_x)
        if self.train_x.shape[1:] != self.test_x.shape[1:]:
            raise DatasetError(
                f"train and test images of {self.name} differ in shape: "
                f"{tuple(self.train_x.shape[1:])} and {tuple(self.test_x.shape[1:])}"
            )
        if (self.train_y is None) != (self.test_y is None):
            raise DatasetError(f"{self.name} has labels for only one of its train and test sets")
        if self.classes is not None and len(self.classes) > MAX_CLASSES:
            raise DatasetError(
                f"{self.name} has {len(self.classes):,} classes; "
                f"at most {MAX_CLASSES:,} are allowed"
            )
        _check_labels("train", self.train_y, len(self.train_x), self.classes)
        _check_labels("test", self.test_y, len(self.test_x), self.classes)

    @classmethod
    def create(
        cls,
        name: str,
        splits: Splits,
        classes: tuple[str, ...] | None,
        *,
        image_size: int | None = None,
    ) -> ImageDataset:
        """Build a dataset from loaded tensors and compute its fingerprint.

        Parameters
        ----------
        name : str
            Registry id or the user's path as given.
        splits : Splits
            Train and test images and labels.
        classes : tuple of str or None
            Class names, indexed by label.
        image_size : int or None
            Side the images were resized to, if they were.

        Returns
        -------
        ImageDataset
            The dataset, with contiguous tensors.
        """
        tensors = [None if t is None else t.contiguous() for t in splits]
        return cls(
            name,
            *tensors,
            classes=classes,
            fingerprint=fingerprint(*tensors),
            image_size=image_size,
        )

    @property
    def shape(self) -> tuple[int, int, int]:
        """Shape ``(C, H, W)`` of one image."""
        return tuple(self.train_x.shape[1:])

    def __repr__(self) -> str:
        labels = "unlabelled" if self.classes is None else f"{len(self.classes)} classes"
        return (
            f"ImageDataset(name={self.name!r}, train={len(self.train_x)}, test={len(self.test_x)}, "
            f"shape={self.shape}, {labels}, fingerprint={self.fingerprint!r})"
        )


@dataclass(frozen=True)
class DatasetInfo:
    """What is known about a dataset without loading it.

    Attributes
    ----------
    id : str
        Registry id, or the user's path as given.
    label : str
        Name shown to people.
    shape : tuple of int
        ``(C, H, W)`` of one image.
    n_train, n_test : int
        Number of train and test images.
    classes : tuple of str or None
        Class names, or ``None`` for unlabelled images.
    available_locally : bool
        Whether it loads without a download.
    source : str
        One line saying where the images come from.
    """

    id: str
    label: str
    shape: tuple[int, int, int]
    n_train: int
    n_test: int
    classes: tuple[str, ...] | None
    available_locally: bool
    source: str


def fingerprint(
    train_x: torch.Tensor,
    train_y: torch.Tensor | None,
    test_x: torch.Tensor,
    test_y: torch.Tensor | None,
) -> str:
    """Content hash of a dataset: shapes, pixels and labels of both splits.

    Parameters
    ----------
    train_x, test_x : torch.Tensor
        Image tensors.
    train_y, test_y : torch.Tensor or None
        Label tensors, or ``None``.

    Returns
    -------
    str
        The first 16 hex digits of the SHA-256.
    """
    digest = hashlib.sha256()
    named = {"train_x": train_x, "train_y": train_y, "test_x": test_x, "test_y": test_y}
    for key, tensor in named.items():
        if tensor is None:
            digest.update(f"{key}:none;".encode())
            continue
        array = tensor.contiguous().numpy()
        digest.update(f"{key}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.data)
    return digest.hexdigest()[:16]


def split_indices(n: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Hold out 10% of ``n`` images (at least one) for testing, by a seeded permutation.

    The legacy ``RandomState`` is used on purpose: NumPy freezes its stream (NEP 19), so the
    split, and therefore the dataset fingerprint, never changes with the NumPy version.

    Parameters
    ----------
    n : int
        Number of images, at least 2.
    seed : int
        Seed of the permutation.

    Returns
    -------
    train, test : numpy.ndarray
        Indices of the train and test images.
    """
    order = np.random.RandomState(seed).permutation(n)
    n_test = max(1, int(n * TEST_FRACTION))
    return order[n_test:], order[:n_test]


def _check_images(split: str, x: object) -> None:
    if not isinstance(x, torch.Tensor) or x.dtype != torch.uint8 or x.ndim != 4:
        raise DatasetError(f"{split} images must be a uint8 tensor shaped (N, C, H, W)")
    if x.shape[1] not in CHANNEL_CHOICES:
        raise DatasetError(f"{split} images must have 1 or 3 channels, got {x.shape[1]}")
    if len(x) == 0:
        raise DatasetError(f"the {split} set has no images")


def _check_labels(split: str, y: object, n: int, classes: tuple[str, ...] | None) -> None:
    if y is None:
        return
    if not isinstance(y, torch.Tensor) or y.dtype != torch.int64 or tuple(y.shape) != (n,):
        raise DatasetError(f"{split} labels must be an int64 tensor shaped ({n},)")
    if classes is None:
        raise DatasetError(f"{split} labels come without class names; name the classes")
    # Labels index the class names (and one-hot tables, per-class counts...): a label of 2**62
    # must not get that far.
    if n and not 0 <= int(y.min()) <= int(y.max()) < len(classes):
        raise DatasetError(
            f"{split} labels go from {int(y.min())} to {int(y.max())}; allowed: class numbers "
            f"from 0 to {len(classes) - 1}, one per class name"
        )
