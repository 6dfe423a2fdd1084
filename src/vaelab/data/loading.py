"""Entry points: load, describe or fetch a dataset given by registry id or by path."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

from vaelab.data.cache import MEMORY, cache_file, read_cache, write_cache
from vaelab.data.dataset import DatasetInfo, ImageDataset
from vaelab.data.files import kind_of
from vaelab.data.image_folder import load_image_folder, scan_image_folder
from vaelab.data.npz import load_npz
from vaelab.data.registry import REGISTRY, DatasetSpec, dataset_names
from vaelab.data.resize import check_image_size
from vaelab.errors import ConfigError, DatasetError, DatasetUnavailableError

#: Data folder, relative to the working directory; every function takes ``root=`` to change it.
DEFAULT_DATA_DIR = Path("data")

PathLike = str | os.PathLike


def load_dataset(
    name: PathLike,
    root: PathLike = DEFAULT_DATA_DIR,
    *,
    download: bool = True,
    allow_fallback: bool = False,
    image_size: int | None = None,
) -> ImageDataset:
    """Load a registered dataset, a folder of images or a ``.npz`` file.

    A registered dataset is read from ``root/.vaelab-cache/<id>.safetensors`` when that exists,
    otherwise from its files (downloaded if needed), and the cache is written. Every loaded
    dataset is also kept in memory, so loading it again in the same process is instant.

    Parameters
    ----------
    name : str or os.PathLike
        A registry id (see :func:`dataset_names`) or the path of an image folder or ``.npz`` file.
    root : str or os.PathLike
        Data folder of the registered datasets and their cache.
    download : bool
        Whether a registered dataset missing from ``root`` may be downloaded.
    allow_fallback : bool
        If ``mnist`` is unavailable, load ``mnist-5k`` instead and say so in ``notice``.
    image_size : int or None
        For the user's images only: side to centre-crop and resize them to (8 to 256). Folders
        default to 32; ``.npz`` images keep their size when it is ``None``.

    Returns
    -------
    ImageDataset
        Train and test images (``uint8``, ``(N, C, H, W)``) and labels.

    Raises
    ------
    DatasetError
        If the name is empty or unknown, the path missing or not a folder or regular file, or
        the files are malformed or exceed the limits of ``vaelab.data.limits``.
    DatasetUnavailableError
        If a registered dataset is not on disk and cannot be downloaded.
    ConfigError
        If ``image_size`` is not allowed, or given for a registered dataset.
    """
    spec = REGISTRY.get(str(name))
    if spec is None:
        return _load_user_data(str(name), image_size)
    if image_size is not None:
        raise ConfigError(
            f"image size applies to your own images only; {spec.id} keeps its "
            f"{spec.shape[1]}×{spec.shape[2]} pixels"
        )
    root = Path(root)
    try:
        return _load_registered(spec, root, download)
    except DatasetUnavailableError:
        if not (allow_fallback and spec.fallback):
            raise
    stand_in = REGISTRY[spec.fallback]
    dataset = _load_registered(stand_in, root, download)
    why = "downloading is off" if not download else "the download failed"
    return replace(
        dataset,
        notice=(
            f"{spec.id} is not in {spec.source.location(root)} and {why}, so {stand_in.id} is "
            f"used instead: {stand_in.n_train + stand_in.n_test:,} real {spec.label} images "
            f"({stand_in.n_train:,} train / {stand_in.n_test:,} test)"
        ),
    )


def dataset_info(
    name: PathLike, root: PathLike = DEFAULT_DATA_DIR, *, image_size: int | None = None
) -> DatasetInfo:
    """Describe a dataset.

    For a registered dataset this is cheap: nothing is downloaded or loaded. For the user's
    images the data is loaded (and kept in memory) to know its shape and size.

    Parameters
    ----------
    name : str or os.PathLike
        A registry id or the path of an image folder or ``.npz`` file.
    root : str or os.PathLike
        Data folder of the registered datasets.
    image_size : int or None
        For the user's images, as in :func:`load_dataset`.

    Returns
    -------
    DatasetInfo
        Shape, split sizes, classes, whether it is on disk and where it comes from.

    Raises
    ------
    DatasetError
        If the name is unknown, or the user's images cannot be loaded.
    """
    spec = REGISTRY.get(str(name))
    if spec is not None:
        root = Path(root)
        return spec.info(root, cached=cache_file(root, spec.id).is_file())
    dataset = _load_user_data(str(name), image_size)
    path, status = _user_path(str(name))
    kind = "image folder" if stat.S_ISDIR(status.st_mode) else ".npz file"
    side = dataset.image_size
    resized = f", resized to {side}×{side}" if side else ""
    return DatasetInfo(
        id=str(name),
        label=path.name or str(name),
        shape=dataset.shape,
        n_train=len(dataset.train_x),
        n_test=len(dataset.test_x),
        classes=dataset.classes,
        available_locally=True,
        source=f"your {kind} {path}{resized}",
    )


def fetch_dataset(name: PathLike, root: PathLike = DEFAULT_DATA_DIR) -> Path:
    """Put a registered dataset's files on disk, downloading them if needed.

    Parameters
    ----------
    name : str or os.PathLike
        A registry id; the path of the user's images is returned as it is.
    root : str or os.PathLike
        Data folder.

    Returns
    -------
    pathlib.Path
        The folder (or file) holding the dataset.

    Raises
    ------
    DatasetUnavailableError
        If the files cannot be downloaded.
    DatasetError
        If the name is unknown, or the path missing or not a folder or regular file.
    """
    spec = REGISTRY.get(str(name))
    if spec is None:
        return _user_path(str(name))[0]
    return spec.source.fetch(Path(root), download=True)


def _load_registered(spec: DatasetSpec, root: Path, download: bool) -> ImageDataset:
    key = ("registered", spec.id, str(root.resolve()))
    dataset = MEMORY.get(key)
    if dataset is not None:
        return dataset
    path = cache_file(root, spec.id)
    dataset = read_cache(path, spec.id)
    if dataset is None:
        dataset = ImageDataset.create(spec.id, spec.source.read(root, download), spec.classes)
        write_cache(path, dataset)
    MEMORY.put(key, dataset)
    return dataset


def _load_user_data(name: str, image_size: int | None) -> ImageDataset:
    path, status = _user_path(name)
    if image_size is not None:
        image_size = check_image_size(image_size)
    if stat.S_ISDIR(status.st_mode):
        scan = scan_image_folder(path)
        key = ("folder", name, str(path.resolve()), image_size, scan.stamp)
        loader = lambda: load_image_folder(scan, name, image_size)  # noqa: E731
    else:
        key = ("npz", name, str(path.resolve()), image_size, status.st_size, status.st_mtime_ns)
        loader = lambda: load_npz(path, name, image_size)  # noqa: E731
    # The user's files can change at any time, so they are cached in memory only, keyed on
    # their sizes and modification times rather than on disk.
    dataset = MEMORY.get(key)
    if dataset is None:
        dataset = loader()
        MEMORY.put(key, dataset)
    return dataset


def _user_path(name: str) -> tuple[Path, os.stat_result]:
    """The user's folder or regular file named ``name``, and its status."""
    choices = (
        f"choose one of: {', '.join(dataset_names())}, or give the path of an image folder or "
        "a .npz file"
    )
    if not name.strip():
        raise DatasetError(f"the dataset name is empty; {choices}")
    try:
        path = Path(name).expanduser()
    except RuntimeError:  # "~someone" where there is no such user: taken as it is
        path = Path(name)
    try:
        status = os.stat(path)  # a link is followed: it may point to the user's data
    except (FileNotFoundError, NotADirectoryError):
        if _looks_like_path(name):
            raise DatasetError(f"no such file or folder: {path}") from None
        raise DatasetError(f"unknown dataset {name!r}; {choices}") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DatasetError(f"cannot read {path} ({reason})") from None
    if not (stat.S_ISDIR(status.st_mode) or stat.S_ISREG(status.st_mode)):
        raise DatasetError(
            f"{path} is {kind_of(status.st_mode)}; give the path of an image folder or a .npz file"
        )
    return path, status


def _looks_like_path(name: str) -> bool:
    separators = {os.sep, os.altsep} - {None}
    return (
        any(sep in name for sep in separators)
        or name.startswith(("~", "."))
        or name.lower().endswith(".npz")
    )
