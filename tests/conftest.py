"""Shared fixtures: tiny image sets that train in a second on two cores."""

from pathlib import Path

import numpy as np
import pytest
import torch

from vaelab.app.paths import DATA_DIR_ENV, RUNS_DIR_ENV
from vaelab.app.state import OFFLINE_ENV
from vaelab.data.dataset import ImageDataset, Splits


def blobs(
    n: int, side: int = 12, channels: int = 1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uint8 images of a bright square at one of four positions; the label is the position."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 4, size=n)
    images = rng.randint(0, 40, size=(n, channels, side, side)).astype(np.uint8)
    half = side // 2
    for image, label in zip(images, labels, strict=True):
        top, left = (label // 2) * half, (label % 2) * half
        image[:, top : top + half, left : left + half] = 220
    return images, labels


@pytest.fixture
def tiny_data() -> ImageDataset:
    """96 training and 32 test images, 1×12×12, four classes."""
    images, labels = blobs(128)
    x, y = torch.from_numpy(images), torch.from_numpy(labels).long()
    splits = Splits(x[:96], y[:96], x[96:], y[96:])
    return ImageDataset.create("tiny", splits, ("tl", "tr", "bl", "br"))


@pytest.fixture
def tiny_npz(tmp_path: Path) -> Path:
    """The same kind of images as a user's .npz file, (N, H, W) layout."""
    images, labels = blobs(80)
    path = tmp_path / "tiny.npz"
    np.savez(path, x=images[:, 0], y=labels)
    return path


@pytest.fixture(scope="module")
def data_root(tmp_path_factory) -> Path:
    """App tests: one data folder per test module, so that MNIST 5k is read and cached once."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def env(monkeypatch, tmp_path, data_root) -> Path:
    """App tests: an empty runs folder, the shared data folder, no downloads; returns the runs."""
    runs = tmp_path / "runs"
    monkeypatch.setenv(DATA_DIR_ENV, str(data_root))
    monkeypatch.setenv(RUNS_DIR_ENV, str(runs))
    monkeypatch.setenv(OFFLINE_ENV, "1")
    return runs
