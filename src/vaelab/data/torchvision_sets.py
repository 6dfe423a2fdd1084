"""MNIST, Fashion-MNIST and CIFAR-10 through ``torchvision.datasets``, in torchvision's layout.

The torchvision classes keep the whole split in ``.data``/``.targets``; those arrays are used
directly, never item by item. torchvision is imported inside the functions: it takes seconds to
import and a load from the disk cache never needs it.
"""

from __future__ import annotations

import gzip
import http.client
import os
import pickle
import stat
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.error import URLError

import numpy as np
import torch

from vaelab.data.dataset import Splits
from vaelab.data.files import check_regular, not_regular, open_regular
from vaelab.data.limits import MAX_SOURCE_FILE_BYTES
from vaelab.errors import DatasetError, DatasetUnavailableError

#: Where Debian's ``dataset-fashion-mnist`` package installs the four gzipped IDX files.
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

#: Bytes inflated from a ``.gz`` file at a time.
CHUNK_BYTES = 2**20
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
CIFAR10_FILES = (
    *(f"data_batch_{i}" for i in range(1, 6)),
    "test_batch",
    "batches.meta",
)

# What torchvision raises when a download fails: MNIST wraps URLError in RuntimeError, CIFAR-10
# lets URLError (an OSError) through, and a dropped connection can surface from http.client.
DOWNLOAD_ERRORS = (URLError, OSError, RuntimeError, http.client.HTTPException)
# What torchvision raises on a damaged local file: failed md5 (RuntimeError), bad IDX header
# (AssertionError, TypeError, ValueError), truncated pickle (EOFError, UnpicklingError).
READ_ERRORS = (
    RuntimeError,
    OSError,
    AssertionError,
    TypeError,
    ValueError,
    KeyError,
    EOFError,
    pickle.UnpicklingError,
)


def _debian_fashion_mnist_dir() -> Path:
    # Read at call time so that tests can monkeypatch the module constant.
    return DEBIAN_FASHION_MNIST_DIR


@dataclass(frozen=True)
class TorchvisionSource:
    """Files of a dataset that a ``torchvision.datasets`` class reads and downloads.

    Attributes
    ----------
    dataset_id : str
        Registry id, used in messages.
    class_name : str
        Name of the class in ``torchvision.datasets``.
    folder : str
        Folder of the files, relative to the data root, as torchvision lays it out.
    files : tuple of str
        Files torchvision needs in ``folder``.
    gzipped : bool
        Whether the files may be given as ``<file>.gz`` (the IDX files of the MNIST family).
    how_to_provide : str
        End of the "not available" message, with ``{folder}`` where the files go.
    system_dir : callable or None
        Returns a folder of a system package holding the ``.gz`` files, tried before a download.
    """

    dataset_id: str
    class_name: str
    folder: str
    files: tuple[str, ...]
    gzipped: bool
    how_to_provide: str
    system_dir: Callable[[], Path] | None = None

    def location(self, root: Path) -> Path:
        """Folder of the files under ``root``."""
        return root / self.folder

    def describe(self, root: Path) -> str:
        """One line saying where the files come from."""
        text = f"downloaded by torchvision into {self.location(root)}"
        if self.system_dir is not None:
            text += f", or copied from {self.system_dir()} when Debian's package is installed"
        return text

    def is_local(self, root: Path) -> bool:
        """Whether the files are on disk, possibly gzipped or in the system folder."""
        return any(
            all((folder / name).is_file() for name in names) for folder, names in self._places(root)
        )

    def fetch(self, root: Path, download: bool = True) -> Path:
        """Make the files readable by torchvision without a download, downloading if needed.

        Parameters
        ----------
        root : pathlib.Path
            Data folder.
        download : bool
            Whether a download is allowed when the files are nowhere on disk.

        Returns
        -------
        pathlib.Path
            The folder holding the files.

        Raises
        ------
        DatasetUnavailableError
            If the files are not on disk and cannot be downloaded.
        DatasetError
            If one of the files is there but not a regular file, or a ``.gz`` file inflates
            past ``MAX_SOURCE_FILE_BYTES``.
        """
        folder = self.location(root)
        self._refuse_special_files(root)
        if self._present(folder):
            return folder
        if self.gzipped:
            for source in (folder, self.system_dir() if self.system_dir else None):
                if source is not None and all((source / f"{n}.gz").is_file() for n in self.files):
                    # torchvision would re-download .gz files whose md5 differs from the
                    # official ones, so extract them here and let it read the raw files.
                    self._extract(source, folder)
                    return folder
        if not download:
            raise DatasetUnavailableError(
                f"{self.dataset_id} is not in {folder} and downloading is off; "
                + self.how_to_provide.format(folder=folder)
            )
        import torchvision.datasets

        try:
            # Constructing the test split downloads every file and reads the smaller half.
            getattr(torchvision.datasets, self.class_name)(str(root), train=False, download=True)
        except DOWNLOAD_ERRORS as exc:
            raise DatasetUnavailableError(
                f"{self.dataset_id} is not in {folder} and could not be downloaded "
                f"({_last_line(exc)}); " + self.how_to_provide.format(folder=folder)
            ) from exc
        return folder

    def read(self, root: Path, download: bool = True) -> Splits:
        """Load both splits, fetching the files first if needed.

        Parameters
        ----------
        root : pathlib.Path
            Data folder.
        download : bool
            Whether a download is allowed.

        Returns
        -------
        Splits
            ``uint8`` images ``(N, C, H, W)`` and ``int64`` labels.

        Raises
        ------
        DatasetUnavailableError
            If the files are not on disk and cannot be downloaded.
        DatasetError
            If the files are damaged, not regular files or larger than
            ``MAX_SOURCE_FILE_BYTES``.
        """
        folder = self.fetch(root, download)
        for name in self.files:
            size = check_regular(folder / name).st_size
            if size > MAX_SOURCE_FILE_BYTES:
                raise DatasetError(
                    f"{folder / name} is {size / 2**20:,.0f} MB; the files of {self.dataset_id} "
                    f"are at most {MAX_SOURCE_FILE_BYTES / 2**20:.0f} MB, so delete that folder "
                    "and load it again to get fresh files"
                )
        import torchvision.datasets

        dataset_class = getattr(torchvision.datasets, self.class_name)
        try:
            train = dataset_class(str(root), train=True, download=False)
            test = dataset_class(str(root), train=False, download=False)
        except READ_ERRORS as exc:
            raise DatasetError(
                f"cannot read {self.dataset_id} from {folder} ({_last_line(exc)}); "
                "delete that folder and load it again to get fresh files"
            ) from exc
        return Splits(
            _to_nchw(train.data),
            torch.as_tensor(train.targets, dtype=torch.int64),
            _to_nchw(test.data),
            torch.as_tensor(test.targets, dtype=torch.int64),
        )

    def _places(self, root: Path) -> list[tuple[Path, tuple[str, ...]]]:
        folder = self.location(root)
        places = [(folder, self.files)]
        if self.gzipped:
            gz = tuple(f"{name}.gz" for name in self.files)
            places.append((folder, gz))
            if self.system_dir is not None:
                places.append((self.system_dir(), gz))
        return places

    def _present(self, folder: Path) -> bool:
        return all((folder / name).is_file() for name in self.files)

    def _refuse_special_files(self, root: Path) -> None:
        # torchvision would open a named pipe in place of a file (and wait forever for a writer),
        # or download onto it; a regular file or nothing at all is what it expects.
        for folder, names in self._places(root):
            for name in names:
                try:
                    mode = os.stat(folder / name).st_mode
                except OSError:
                    continue  # missing: fetched or reported as unavailable below
                if not stat.S_ISREG(mode):
                    raise not_regular(folder / name, mode)

    def _extract(self, source: Path, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name in self.files:
                if (folder / name).is_file():
                    continue
                # torchvision only checks that the raw files exist: a half-written one left by
                # an interruption must never appear under the final name.
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
                try:
                    with os.fdopen(fd, "wb") as out, open_regular(source / f"{name}.gz") as raw:
                        _inflate(gzip.GzipFile(fileobj=raw), out, source / f"{name}.gz")
                    os.replace(tmp, folder / name)
                finally:
                    Path(tmp).unlink(missing_ok=True)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(
                f"cannot extract {self.dataset_id} from {source} into {folder} "
                f"({_last_line(exc)}); check the .gz files and that the folder is writable"
            ) from exc


def _inflate(gz: gzip.GzipFile, out: BinaryIO, path: Path) -> None:
    """Copy a gzipped file out, refusing it once it inflates past ``MAX_SOURCE_FILE_BYTES``."""
    written = 0
    while chunk := gz.read(CHUNK_BYTES):
        written += len(chunk)
        if written > MAX_SOURCE_FILE_BYTES:
            raise DatasetError(
                f"{path} inflates to more than {MAX_SOURCE_FILE_BYTES / 2**20:.0f} MB, more than "
                "any file of this dataset; replace it with the official file"
            )
        out.write(chunk)


def _to_nchw(data: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Images as torchvision keeps them, ``(N, H, W)`` or ``(N, H, W, C)``, to ``(N, C, H, W)``."""
    images = torch.as_tensor(data)
    if images.ndim == 3:
        return images.unsqueeze(1).contiguous()
    # CIFAR's arrays are HWC views of CHW bytes: permuting back is free.
    return images.permute(0, 3, 1, 2).contiguous()


def _last_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[-1].strip()[:160] if lines else type(exc).__name__


MNIST = TorchvisionSource(
    dataset_id="mnist",
    class_name="MNIST",
    folder="MNIST/raw",
    files=IDX_FILES,
    gzipped=True,
    how_to_provide=(
        "copy the four MNIST .gz files into {folder}, or use mnist-5k which works offline"
    ),
)
FASHION_MNIST = TorchvisionSource(
    dataset_id="fashion-mnist",
    class_name="FashionMNIST",
    folder="FashionMNIST/raw",
    files=IDX_FILES,
    gzipped=True,
    how_to_provide=(
        "copy the four Fashion-MNIST .gz files into {folder}, "
        "or install Debian's dataset-fashion-mnist package"
    ),
    system_dir=_debian_fashion_mnist_dir,
)
CIFAR10 = TorchvisionSource(
    dataset_id="cifar10",
    class_name="CIFAR10",
    folder="cifar-10-batches-py",
    files=CIFAR10_FILES,
    gzipped=False,
    how_to_provide="extract cifar-10-python.tar.gz so that its batches are in {folder}",
)
