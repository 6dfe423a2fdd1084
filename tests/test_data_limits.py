"""Hostile data: every input is bounded before it costs memory, and every refusal is one line.

Each fixture is crafted on the fly in the real on-disk format: ``.npz`` zips written byte by byte
(forged ``.npy`` headers, zip bombs, lying zip directories), named pipes, symbolic-link loops,
PNGs with a forged IHDR, edited safetensors caches.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.datasets.utils
from PIL import Image
from safetensors import safe_open
from safetensors.torch import save_file

from vaelab.data import (
    clear_memory_cache,
    dataset_info,
    fetch_dataset,
    image_folder,
    load_dataset,
    torchvision_sets,
)
from vaelab.data.cache import CACHE_DIR_NAME, TENSOR_NAMES
from vaelab.data.dataset import fingerprint
from vaelab.data.files import open_regular
from vaelab.data.images import ImageInputError, load_image
from vaelab.data.npz_reader import NpzReader
from vaelab.errors import DatasetError

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """No download, no Debian folder, no dataset left in memory by another test."""

    def refuse(url, *args, **kwargs):
        raise OSError("no network in tests")

    monkeypatch.setattr(torchvision.datasets.utils, "download_url", refuse)
    monkeypatch.setattr(torchvision_sets, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")
    clear_memory_cache()
    yield
    clear_memory_cache()


def refusal(name, **kwargs) -> str:
    """The one-line message of the DatasetError that loading ``name`` raises."""
    with pytest.raises(DatasetError) as info:
        load_dataset(name, **kwargs)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    return message


# --- writers of the real formats ----------------------------------------------------------------


def npy_header(shape: tuple[int, ...], descr: str = "|u1", fortran: bool = False) -> bytes:
    """A ``.npy`` header (magic string, version 1.0) as numpy writes it."""
    out = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue()


@dataclass
class Member:
    """One zip entry, written as given: its sizes and CRC may lie."""

    name: str
    payload: bytes  # as stored: compressed with raw deflate when method is 8
    size: int  # uncompressed size the entry declares
    crc: int = 0
    method: int = zipfile.ZIP_STORED
    comment: bytes = b""


def stored(name: str, content: bytes) -> Member:
    return Member(name, content, len(content), zlib.crc32(content))


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip file written byte by byte (APPNOTE 4.3): local headers, data, directory, end."""
    body, directory = b"", b""
    for m in members:
        name = m.name.encode()
        sizes = (m.crc, len(m.payload), m.size, len(name))
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, m.method, 0, 0, *sizes, 0)
        directory += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                m.method,
                0,
                0,
                *sizes,
                0,
                len(m.comment),
                0,
                0,
                0,
                len(body),
            )
            + name
            + m.comment
        )
        body += local + name + m.payload
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    path.write_bytes(body + directory + end)
    return path


def zeros_bomb(header: bytes, n_zeros: int, block: int = 2**20) -> bytes:
    """Raw deflate of ``header`` then ``n_zeros`` zero bytes, built without inflating them.

    After a full flush the compressor starts afresh, so the compressed block of ``block`` zeros
    is the same every time and can be repeated: about 1,000 to 1 on disk.
    """
    assert n_zeros % block == 0
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(header) + deflate.flush(zlib.Z_FULL_FLUSH)
    zeros = deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH) == zeros
    return head + zeros * (n_zeros // block) + deflate.flush()


#: 30,000 images of 256×256, 1.97 GB: within every limit on shape, held in 1.9 MB of deflate.
BOMB_SHAPE = (30_000, 1, 256, 256)


def write_bomb(path: Path) -> Path:
    """A ``.npz`` whose ``x`` is a zip bomb; its sizes are consistent, only its ratio gives it away.

    The CRC is left 0: only a reader that inflates the whole member would notice, and that is
    what must not happen.
    """
    header = npy_header(BOMB_SHAPE)
    n_zeros = int(np.prod(BOMB_SHAPE))
    payload = zeros_bomb(header, n_zeros)
    return write_zip(path, [Member("x.npy", payload, len(header) + n_zeros, 0, 8)])


def write_lying_bomb(path: Path) -> Path:
    """A member declaring 2 images of 8×8 whose deflate stream goes on for 1.97 GB."""
    header = npy_header((2, 8, 8))
    payload = zeros_bomb(header, int(np.prod(BOMB_SHAPE)))
    return write_zip(path, [Member("x.npy", payload, len(header) + 128, 0, 8)])


def write_forged_header(path: Path, shape: tuple[int, ...], descr: str = "|u1") -> Path:
    """A tiny ``.npz`` whose ``x.npy`` header declares ``shape`` but holds 64 bytes."""
    return write_zip(path, [stored("x.npy", npy_header(shape, descr) + bytes(64))])


def tiny_npz(path: Path, **arrays) -> Path:
    arrays.setdefault("x", np.zeros((10, 8, 8), np.uint8))
    np.savez(path, **arrays)
    return path


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares ``width`` × ``height`` but whose data is 64 bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


def save_png(path: Path, value: int = 0, side: int = 8) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (side, side), value).save(path)
    return path


# --- 1. .npz files are bounded before they cost memory ------------------------------------------


def test_a_forged_header_is_refused_before_allocating(tmp_path):
    path = write_forged_header(tmp_path / "forged.npz", (10**9, 28, 28))
    assert path.stat().st_size < 1024
    message = refusal(path)
    assert "1,000,000,000 images; at most 100,000" in message


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((2, 100_000, 100_000), "at most 40,000,000 pixels per image"),
        ((60_000, 3, 256, 256), "would take 11.0 GiB; at most 4 GiB"),
        ((2**62, 8, 8), "at most 100,000"),
        ((2, 10**40, 10**40), "at most 40,000,000 pixels"),
        ((5, -1, 8), "is damaged: array 'x' declares the shape (5, -1, 8)"),
    ],
)
def test_forged_shapes_are_refused_from_the_header(tmp_path, shape, expected):
    assert expected in refusal(write_forged_header(tmp_path / "forged.npz", shape))


def test_resizing_is_bounded_too(tmp_path):
    # 100,000 images of 8×8 fit easily; resized to 256×256 they would take 6.1 GiB.
    path = tiny_npz(tmp_path / "many.npz", x=np.zeros((100_000, 8, 8), np.uint8))
    assert "would take 6.1 GiB" in refusal(path, image_size=256)


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    path = write_bomb(tmp_path / "bomb.npz")
    assert path.stat().st_size < 2.1e6
    message = refusal(path)
    assert "would inflate from 1.9 MB to 1,875 MB" in message
    assert "save it uncompressed with numpy.savez" in message


def test_a_lying_zip_entry_never_inflates_past_what_it_declares(tmp_path):
    message = refusal(write_lying_bomb(tmp_path / "liar.npz"))
    assert "truncated or damaged" in message and "CRC" in message


def test_compressed_datasets_of_real_images_load(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(30, 9, 10, 3), dtype=np.uint8)
    y = np.arange(30, dtype=">i8") % 3  # big-endian labels are integers too
    np.savez_compressed(tmp_path / "photos.npz", x=np.asfortranarray(x), y=y)
    data = load_dataset(tmp_path / "photos.npz")
    assert data.shape == (3, 9, 10) and data.classes == ("0", "1", "2")
    loaded = torch.cat([data.train_x, data.test_x]).numpy().transpose(0, 2, 3, 1)
    assert {img.tobytes() for img in loaded} == {img.tobytes() for img in x}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (np.full(10, 2**62, np.int64), "include 4611686018427387904; allowed: class numbers"),
        (np.full(10, 2**64 - 1, np.uint64), "include 18446744073709551615"),
        (np.arange(10) - 1, "include -1; allowed: class numbers from 0 to 999"),
        (np.full(10, 1000), "include 1000; allowed: class numbers from 0 to 999"),
        (np.arange(10, dtype=np.float64), "dtype float64; allowed: 10 whole numbers"),
        (np.zeros(10, bool), "dtype bool; allowed: 10 whole numbers"),
        (np.arange(9), "shape (9,)"),
        (np.zeros((10, 1), np.int64), "shape (10, 1)"),
    ],
)
def test_labels_must_be_small_class_numbers(tmp_path, labels, expected):
    assert expected in refusal(tiny_npz(tmp_path / "labels.npz", y=labels))


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (np.array(["c"] * 1001), "names 1,001 classes; at most 1,000"),
        (np.array(["c" * 201, "d"]), "up to 201 characters; at most 200"),
        (np.array([["a", "b"]]), "1-D array of strings"),
    ],
)
def test_class_names_are_bounded(tmp_path, classes, expected):
    path = tiny_npz(tmp_path / "classes.npz", y=np.zeros(10, np.int64), classes=classes)
    assert expected in refusal(path)


def test_object_arrays_are_refused_as_such(tmp_path):
    path = tiny_npz(tmp_path / "objects.npz", y=np.array([None] * 10, dtype=object))
    message = refusal(path)
    assert "holds Python objects, which are never loaded" in message and "'y'" in message


def test_a_truncated_npy_says_truncated_not_objects(tmp_path):
    complete = io.BytesIO()
    np.save(complete, np.zeros((10, 8, 8), np.uint8))
    member = complete.getvalue()[:-100]
    message = refusal(write_zip(tmp_path / "cut.npz", [stored("x.npy", member)]))
    assert "truncated or damaged" in message and "Python objects" not in message
    header_only = write_zip(tmp_path / "stub.npz", [stored("x.npy", member[:5])])
    message = refusal(header_only)
    assert "truncated or damaged" in message and "header of array 'x'" in message


def test_a_truncated_deflate_stream_is_damaged(tmp_path):
    content = npy_header((10, 8, 8)) + bytes(640)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = deflate.compress(content) + deflate.flush()
    member = Member("x.npy", payload[:-4], len(content), zlib.crc32(content), 8)
    assert "truncated or damaged" in refusal(write_zip(tmp_path / "cut.npz", [member]))


@pytest.mark.parametrize(
    "header",
    [
        b"\x93NUMPY\x01\x00\x10\x00{'descr': 1}    \n",  # not a dict of the right keys
        b"\x93NUMPY\x03\x00" + struct.pack("<I", 16) + b"{" * 15 + b"\n",  # version 3.0
        b"\x93NUMPY\x01\x00\xff\xff" + b"(" * 1000,  # header longer than the bytes
        b"\x93NUMPX\x01\x00",  # wrong magic
    ],
)
def test_damaged_headers_are_one_line(tmp_path, header):
    message = refusal(write_zip(tmp_path / "bad.npz", [stored("x.npy", header)]))
    assert "truncated or damaged" in message


def test_a_huge_zip_directory_is_refused_before_it_is_parsed(tmp_path):
    members = [stored(f"m{i}.npy", b"") for i in range(20)]
    for member in members:
        member.comment = b"c" * 60_000
    message = refusal(write_zip(tmp_path / "directory.npz", members))
    assert "zip directory of 1,2" in message and "at most 1,048,576" in message


def test_the_shipped_sample_is_read_by_the_same_reader(tmp_path, monkeypatch):
    from vaelab.data import mnist5k

    bomb = write_bomb(tmp_path / "mnist5k.npz")
    monkeypatch.setattr(mnist5k.Mnist5kSource, "location", lambda self, root: bomb)
    with pytest.raises(DatasetError) as info:
        mnist5k.MNIST_5K.read(tmp_path)
    assert "reinstall vaelab" in str(info.value) and "\n" not in str(info.value)


#: Run in a fresh interpreter: load a tiny valid file, then each hostile one, and report the peak
#: resident memory in kB after each. The peak is the kernel's VmHWM of this process image:
#: ``getrusage``'s ``ru_maxrss`` would also count the pytest process the child was forked from.
MEASURE = """
import json, sys
from vaelab.data import clear_memory_cache, load_dataset
from vaelab.errors import DatasetError

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

figures = {}
for path in sys.argv[1:]:
    try:
        load_dataset(path)
    except DatasetError as exc:
        figures[path + " message"] = str(exc)
    clear_memory_cache()
    figures[path] = peak()
print(json.dumps(figures))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc here")
@pytest.mark.slow
def test_bombs_stay_under_a_gigabyte_of_memory(tmp_path):
    paths = [
        tiny_npz(tmp_path / "tiny.npz", y=np.arange(10) % 2),
        write_bomb(tmp_path / "bomb.npz"),
        write_lying_bomb(tmp_path / "liar.npz"),
        write_forged_header(tmp_path / "forged.npz", (10**9, 28, 28)),
        tiny_npz(tmp_path / "labels.npz", y=np.full(10, 2**62)),
    ]
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(result.stdout)
    baseline = figures[str(paths[0])]
    assert str(paths[0]) + " message" not in figures  # the tiny file loads
    for path in paths[1:]:
        assert str(path) + " message" in figures  # each hostile file is refused...
        assert figures[str(path)] - baseline < 2**20  # ...within 1 GB (in kB) of the tiny one


# --- 2. only regular files are opened -----------------------------------------------------------


@needs_fifo
@pytest.mark.timeout(30)
def test_a_named_pipe_as_the_dataset_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")
    message = refusal(tmp_path / "pipe.npz")
    assert message.endswith(
        "pipe.npz is a named pipe; give the path of an image folder or a .npz file"
    )
    with pytest.raises(DatasetError, match="is a named pipe"):
        dataset_info(tmp_path / "pipe.npz")
    with pytest.raises(DatasetError, match="is a named pipe, not a regular file"):
        NpzReader.open(tmp_path / "pipe.npz").__enter__()
    with pytest.raises(DatasetError, match="is a named pipe, not a regular file"):
        load_image(tmp_path / "pipe.npz", (1, 8, 8))


@needs_fifo
@pytest.mark.timeout(30)
def test_a_pipe_swapped_in_after_the_check_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "late.npz")
    with pytest.raises(DatasetError, match="named pipe"):
        open_regular(tmp_path / "late.npz")  # opened without blocking, then refused


def test_a_device_is_refused(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    assert refusal("/dev/zero") == (
        "/dev/zero is a character device; give the path of an image folder or a .npz file"
    )


@needs_fifo
@pytest.mark.timeout(30)
def test_a_folder_skips_and_reports_what_is_not_a_regular_file(tmp_path):
    save_png(tmp_path / "a.png")
    save_png(tmp_path / "b.png", 255)
    os.mkfifo(tmp_path / "c.png")
    (tmp_path / "broken.png").symlink_to(tmp_path / "missing.png")
    data = load_dataset(tmp_path)
    assert len(data.train_x) + len(data.test_x) == 2
    assert data.notice == (
        f"skipped 2 entries of {tmp_path} that are neither image files nor folders "
        "(named pipes, devices, broken links or links to folders)"
    )


@needs_fifo
@pytest.mark.timeout(30)
def test_a_pipe_in_place_of_a_source_file_is_refused(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    os.mkfifo(raw / "train-images-idx3-ubyte")
    with pytest.raises(DatasetError) as info:
        load_dataset("mnist", root=tmp_path)
    assert str(info.value) == (
        f"{raw / 'train-images-idx3-ubyte'} is a named pipe, not a regular file; "
        "only files are read"
    )
    with pytest.raises(DatasetError, match="named pipe"):
        fetch_dataset("mnist", root=tmp_path)


@needs_fifo
@pytest.mark.timeout(30)
def test_a_pipe_in_place_of_the_cache_is_ignored_and_replaced(tmp_path, caplog):
    write_idx(tmp_path / "MNIST" / "raw")
    cache = tmp_path / CACHE_DIR_NAME / "mnist.safetensors"
    cache.parent.mkdir()
    os.mkfifo(cache)
    with caplog.at_level(logging.WARNING, logger="vaelab.data.cache"):
        data = load_dataset("mnist", root=tmp_path)
    assert len(data.train_x) == 12 and cache.is_file()
    assert "it is a named pipe, not a regular file" in caplog.text


# --- 3. names and folders ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
def test_an_empty_name_is_refused(name):
    assert refusal(name).startswith("the dataset name is empty; choose one of: mnist, ")


@pytest.mark.parametrize("name", ["missing/folder", "./missing", "missing.npz", "~/missing.npz"])
def test_a_missing_path_says_no_such_file(name, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    expected = Path(name).expanduser()
    assert refusal(name) == f"no such file or folder: {expected}"


def test_a_bare_unknown_word_is_an_unknown_dataset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert refusal("mnistt").startswith("unknown dataset 'mnistt'; choose one of: mnist, ")


def test_home_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    tiny_npz(tmp_path / "mine.npz")
    assert len(load_dataset("~/mine.npz").train_x) == 9


def test_a_symlink_loop_is_not_followed(tmp_path):
    for cls in ("cats", "dogs"):
        save_png(tmp_path / cls / "1.png")
        save_png(tmp_path / cls / "2.png")
        (tmp_path / cls / "loop").symlink_to(tmp_path)  # back to the top
    (tmp_path / "self").symlink_to(tmp_path)
    started = time.monotonic()
    data = load_dataset(tmp_path)
    assert time.monotonic() - started < 10
    assert data.classes == ("cats", "dogs") and len(data.train_x) + len(data.test_x) == 4
    assert data.notice.startswith(f"skipped 3 entries of {tmp_path} ")


@pytest.mark.timeout(60)
def test_proc_self_is_refused_quickly():
    if not Path("/proc/self/root").exists():
        pytest.skip("no /proc here")
    message = refusal("/proc/self")
    assert message.startswith(("/proc/self has no images", "cannot list the folder /proc/self"))


def test_folder_depth_and_size_are_bounded(tmp_path, monkeypatch):
    deep = tmp_path / "deep" / "a" / "b" / "c" / "d"
    save_png(deep / "1.png")
    save_png(deep / "2.png")
    monkeypatch.setattr(image_folder, "MAX_FOLDER_DEPTH", 3)
    assert "at most 3 levels of sub-folders are scanned" in refusal(tmp_path / "deep")

    wide = tmp_path / "wide"
    for i in range(6):
        save_png(wide / f"{i}.png")
    monkeypatch.setattr(image_folder, "MAX_FOLDER_ENTRIES", 5)
    assert refusal(wide) == (
        f"{wide} holds more than 5 files and folders; give a folder with only the images to use"
    )


def test_too_many_class_folders(tmp_path, monkeypatch):
    monkeypatch.setattr(image_folder, "MAX_CLASSES", 2)
    for cls in "abc":
        save_png(tmp_path / cls / "1.png")
    assert "3 sub-folders of images, one per class; at most 2 classes" in refusal(tmp_path)


def test_an_unreadable_sub_folder_is_named(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    save_png(tmp_path / "a" / "1.png")
    locked = tmp_path / "b"
    save_png(locked / "1.png")
    locked.chmod(0)
    try:
        assert refusal(tmp_path) == (
            f"cannot list the folder {locked} (Permission denied); fix or remove it"
        )
    finally:
        locked.chmod(0o755)


# --- 4. decoder messages ------------------------------------------------------------------------


def test_a_forged_ihdr_says_what_it_declares():
    with pytest.raises(ImageInputError) as info:
        load_image(png_claiming(100_000, 100_000), (1, 8, 8))
    assert str(info.value) == (
        "the image declares 100000 × 100000 pixels (10,000 megapixels); "
        "at most 40,000,000 pixels (40 megapixels) are accepted"
    )
    assert info.value.values == {
        "width": 100_000,
        "height": 100_000,
        "megapixels": 10_000,
        "limit": 40,
    }


def test_a_forged_ihdr_in_a_folder_names_the_file(tmp_path):
    save_png(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes(png_claiming(100_000, 100_000))
    message = refusal(tmp_path)
    assert message.startswith(f"cannot read image {tmp_path / 'b.png'} (the image declares 100000")


# --- 5. the dataset cache is checked against its fingerprint ------------------------------------


def write_idx(folder: Path, n: int = 12, labels: np.ndarray | None = None) -> None:
    """Gzipped IDX files (big-endian magic and sizes, then bytes) with ``n`` and 5 images."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for prefix, count in (("train", n), ("t10k", 5)):
        images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        y = rng.integers(0, 10, size=count, dtype=np.uint8) if labels is None else labels
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 2051, count, 28, 28) + images.tobytes())
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, count) + y[:count].tobytes())


def tamper(cache: Path, tensor: str, edit) -> None:
    """Edit one tensor of a safetensors file in place, keeping its header and metadata."""
    data = bytearray(cache.read_bytes())
    header_size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + header_size])
    start, end = header[tensor]["data_offsets"]
    offset = 8 + header_size
    data[offset + start : offset + end] = edit(bytes(data[offset + start : offset + end]))
    cache.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("tensor", "edit"),
    [
        ("train_x", lambda b: bytes([b[0] ^ 0xFF]) + b[1:]),  # one pixel changed
        ("train_y", lambda b: struct.pack("<q", 2**62) + b[8:]),  # a label out of range
    ],
)
def test_a_tampered_cache_is_discarded_and_rebuilt(tmp_path, caplog, tensor, edit):
    write_idx(tmp_path / "MNIST" / "raw")
    original = load_dataset("mnist", root=tmp_path)
    cache = tmp_path / CACHE_DIR_NAME / "mnist.safetensors"
    tamper(cache, tensor, edit)
    clear_memory_cache()

    with caplog.at_level(logging.WARNING, logger="vaelab.data.cache"):
        again = load_dataset("mnist", root=tmp_path)

    assert again.fingerprint == original.fingerprint
    assert torch.equal(again.train_x, original.train_x)
    assert torch.equal(again.train_y, original.train_y)
    with safe_open(cache, framework="pt") as rebuilt:  # the cache was written again
        assert rebuilt.metadata()["fingerprint"] == original.fingerprint
        assert torch.equal(rebuilt.get_tensor(tensor), getattr(original, tensor))
    [record] = caplog.records
    assert record.getMessage().startswith(f"ignoring the dataset cache {cache} (")
    assert record.getMessage().endswith("); rebuilding it")


def test_a_cache_claiming_a_consistent_fingerprint_still_gets_label_checks(tmp_path, caplog):
    write_idx(tmp_path / "MNIST" / "raw")
    original = load_dataset("mnist", root=tmp_path)
    cache = tmp_path / CACHE_DIR_NAME / "mnist.safetensors"
    with safe_open(cache, framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        meta = f.metadata()
    tensors["train_y"][0] = 2**62
    meta["fingerprint"] = fingerprint(*(tensors[k] for k in TENSOR_NAMES))
    save_file(tensors, cache, metadata=meta)
    clear_memory_cache()
    with caplog.at_level(logging.WARNING, logger="vaelab.data.cache"):
        again = load_dataset("mnist", root=tmp_path)
    assert again.fingerprint == original.fingerprint
    assert "labels go from 0 to 4611686018427387904" in caplog.text


# --- registered sources: files are bounded too --------------------------------------------------


def test_labels_out_of_range_in_source_files_are_refused(tmp_path):
    write_idx(tmp_path / "MNIST" / "raw", labels=np.full(12, 200, np.uint8))
    message = refusal("mnist", root=tmp_path)
    assert message == (
        "train labels go from 200 to 200; allowed: class numbers from 0 to 9, one per class name"
    )


def test_a_gz_bomb_in_place_of_a_source_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(torchvision_sets, "MAX_SOURCE_FILE_BYTES", 2**20)
    raw = tmp_path / "MNIST" / "raw"
    write_idx(raw)
    with gzip.open(raw / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(bytes(2**21))
    message = refusal("mnist", root=tmp_path)
    assert "train-images-idx3-ubyte.gz inflates to more than 1 MB" in message
    assert not (raw / "train-images-idx3-ubyte").exists()


def test_an_oversized_source_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(torchvision_sets, "MAX_SOURCE_FILE_BYTES", 2**20)
    raw = tmp_path / "MNIST" / "raw"
    write_idx(raw)
    fetch_dataset("mnist", root=tmp_path)
    with open(raw / "t10k-labels-idx1-ubyte", "ab") as f:
        f.write(bytes(2**21))
    message = refusal("mnist", root=tmp_path)
    assert message.startswith(f"{raw / 't10k-labels-idx1-ubyte'} is 2 MB; the files of mnist")
