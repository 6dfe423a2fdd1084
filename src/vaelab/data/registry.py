"""The registered datasets: what each one is and where its files come from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from vaelab.data.binarized import BinarizedSource
from vaelab.data.dataset import DatasetInfo, Splits
from vaelab.data.mnist5k import MNIST_5K
from vaelab.data.torchvision_sets import CIFAR10, FASHION_MNIST, MNIST


class Source(Protocol):
    """Where the files of a registered dataset come from, and how to read them."""

    def describe(self, root: Path) -> str:
        """One line saying where the files come from."""

    def location(self, root: Path) -> Path:
        """Where the files are, or would be once fetched."""

    def is_local(self, root: Path) -> bool:
        """Whether the dataset loads without a download."""

    def fetch(self, root: Path, download: bool = True) -> Path:
        """Put the files on disk if needed and return where they are."""

    def read(self, root: Path, download: bool = True) -> Splits:
        """Load both splits."""


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset.

    Attributes
    ----------
    id : str
        Stable id used in configs, run ids and on the command line.
    label : str
        Name shown to people.
    shape : tuple of int
        ``(C, H, W)`` of one image.
    n_train, n_test : int
        Size of the official splits.
    classes : tuple of str
        Class names, indexed by label.
    source : Source
        Where the files come from.
    fallback : str or None
        Id of a dataset that can stand in when this one cannot be downloaded.
    """

    id: str
    label: str
    shape: tuple[int, int, int]
    n_train: int
    n_test: int
    classes: tuple[str, ...]
    source: Source
    fallback: str | None = None

    def info(self, root: Path, *, cached: bool = False) -> DatasetInfo:
        """Describe the dataset as stored under ``root``.

        Parameters
        ----------
        root : pathlib.Path
            Data folder.
        cached : bool
            Whether a disk cache of the dataset exists, which also makes it available.

        Returns
        -------
        DatasetInfo
            The registered facts and whether the dataset is on disk.
        """
        return DatasetInfo(
            id=self.id,
            label=self.label,
            shape=self.shape,
            n_train=self.n_train,
            n_test=self.n_test,
            classes=self.classes,
            available_locally=cached or self.source.is_local(root),
            source=self.source.describe(root),
        )


DIGITS = tuple(str(digit) for digit in range(10))
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

REGISTRY: dict[str, DatasetSpec] = {
    spec.id: spec
    for spec in (
        DatasetSpec("mnist", "MNIST", (1, 28, 28), 60_000, 10_000, DIGITS, MNIST, "mnist-5k"),
        DatasetSpec("mnist-5k", "MNIST 5k (offline)", (1, 28, 28), 4_000, 1_000, DIGITS, MNIST_5K),
        DatasetSpec(
            "fashion-mnist",
            "Fashion-MNIST",
            (1, 28, 28),
            60_000,
            10_000,
            FASHION_CLASSES,
            FASHION_MNIST,
        ),
        DatasetSpec("cifar10", "CIFAR-10", (3, 32, 32), 50_000, 10_000, CIFAR10_CLASSES, CIFAR10),
        # Burda et al. (2016)'s binarised MNIST: see vaelab.data.binarized.
        DatasetSpec(
            "mnist-binarized",
            "Binarised MNIST",
            (1, 28, 28),
            60_000,
            10_000,
            DIGITS,
            BinarizedSource(MNIST),
            "mnist-5k-binarized",
        ),
        DatasetSpec(
            "mnist-5k-binarized",
            "Binarised MNIST 5k (offline)",
            (1, 28, 28),
            4_000,
            1_000,
            DIGITS,
            BinarizedSource(MNIST_5K),
        ),
    )
}


def dataset_names() -> list[str]:
    """Ids of the registered datasets.

    Returns
    -------
    list of str
        ``["mnist", "mnist-5k", "fashion-mnist", "cifar10", "mnist-binarized",
        "mnist-5k-binarized"]``.
    """
    return list(REGISTRY)
