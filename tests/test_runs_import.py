"""Importing archives from strangers: sizes are checked before anything is written or read whole."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from test_runs import RUN_ID, make_run, raises_one_line
from vaelab.runs import MANIFEST, RunStore
from vaelab.runs import archive as runs_archive
from vaelab.runs import store as store_module
from vaelab.runs.limits import MAX_MANIFEST_BYTES


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    store = RunStore(tmp_path / "source")
    store.save(make_run())
    return store.export(RUN_ID, tmp_path / "run.zip")


@pytest.fixture
def other(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "other")


def members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def with_model_file(files: dict[str, bytes], data: bytes) -> dict[str, bytes]:
    """The archive's files with other model weights, which its manifest vouches for."""
    manifest = json.loads(files[f"{RUN_ID}/{MANIFEST}"])
    old = manifest["files"]["model"]["name"]
    sha = hashlib.sha256(data).hexdigest()
    manifest["files"]["model"] = {
        "name": f"model-{sha[:16]}.safetensors",
        "sha256": sha,
        "size": len(data),
    }
    kept = {n: d for n, d in files.items() if not n.endswith((old, MANIFEST))}
    return {
        **kept,
        f"{RUN_ID}/{MANIFEST}": json.dumps(manifest).encode(),
        f"{RUN_ID}/model-{sha[:16]}.safetensors": data,
    }


def declare_size(path: Path, member: str, size: int) -> None:
    """Make the zip's headers say that ``member`` unpacks to ``size`` bytes (a lie)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(member).header_offset
    struct.pack_into("<I", data, local + 22, size)
    at = data.find(b"PK\x01\x02")
    name = member.encode()
    while at >= 0:
        (name_length,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def assert_nothing_written(store: RunStore) -> None:
    assert not store.root.exists() or [p.name for p in store.root.iterdir()] in ([], [".locks"])


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path, exported, other):
    # 50 MiB of zeros compress to 50 KiB, and the manifest vouches for them: a tiny model's
    # weights cannot take that much, which is known from its config before unpacking.
    bomb = write_zip(tmp_path / "bomb.zip", with_model_file(members(exported), bytes(50 << 20)))
    assert bomb.stat().st_size < 1 << 20
    with raises_one_line(
        r"cannot import bomb\.zip: run .* model weights file .* is recorded as 52428800 bytes, "
        r"but those of its model take at most \d+$"
    ):
        other.import_(bomb)
    assert_nothing_written(other)


def test_a_member_that_unpacks_to_more_than_it_declares_is_cut_short(
    tmp_path, exported, other, monkeypatch
):
    files = members(exported)
    model = next(n for n in files if "/model-" in n)
    lying = write_zip(tmp_path / "lying.zip", files)
    declare_size(lying, model, 100)
    written = []
    real_extract = runs_archive.extract

    def spy(name, zf, info, dest):
        try:
            real_extract(name, zf, info, dest)
        finally:
            written.append(dest.stat().st_size if dest.exists() else 0)

    monkeypatch.setattr(store_module, "extract", spy)
    with raises_one_line(r"cannot import lying\.zip: "):
        other.import_(lying)
    assert all(size <= 100 for size in written)
    assert_nothing_written(other)


def test_a_manifest_that_lies_about_its_size_is_read_no_further(tmp_path, exported, other):
    lying = write_zip(tmp_path / "lying.zip", members(exported))
    declare_size(lying, f"{RUN_ID}/{MANIFEST}", 10)
    with raises_one_line(r"cannot import lying\.zip: (the archive is damaged|.*run\.json)"):
        other.import_(lying)
    assert_nothing_written(other)


def test_an_oversized_manifest_is_refused_unread(tmp_path, exported, other):
    files = members(exported)
    files[f"{RUN_ID}/{MANIFEST}"] = b" " * (MAX_MANIFEST_BYTES + 1)
    big = write_zip(tmp_path / "big.zip", files)
    with raises_one_line(rf"its run\.json declares {MAX_MANIFEST_BYTES + 1} bytes; at most"):
        other.import_(big)


def test_sizes_must_agree_with_the_manifest(tmp_path, exported, other):
    files = members(exported)
    manifest = json.loads(files[f"{RUN_ID}/{MANIFEST}"])
    manifest["files"]["trainer"]["size"] -= 1
    files[f"{RUN_ID}/{MANIFEST}"] = json.dumps(manifest).encode()
    edited = write_zip(tmp_path / "edited.zip", files)
    with raises_one_line(r"trainer-.*\.safetensors declares \d+ bytes but its run\.json says"):
        other.import_(edited)
    assert_nothing_written(other)


def test_an_archive_of_many_entries_is_refused_before_its_directory_is_read(
    tmp_path, other, monkeypatch
):
    many = write_zip(tmp_path / "many.zip", {f"{RUN_ID}/x{i}": b"" for i in range(2000)})

    def never(*args, **kwargs):
        raise AssertionError("the zip's directory was parsed")

    monkeypatch.setattr(runs_archive.zipfile, "ZipFile", never)
    with raises_one_line(r"the archive holds 2000 entries; a run archive holds at most 4"):
        other.import_(many)


def test_an_archive_larger_than_any_run_is_refused_unopened(exported, other, monkeypatch):
    monkeypatch.setattr(runs_archive, "_MAX_ARCHIVE_BYTES", 1000)
    with raises_one_line(r"cannot import run\.zip: it has \d+ bytes; a run archive has at most"):
        other.import_(exported)


def test_a_fifo_in_place_of_the_archive_is_refused_at_once(tmp_path, other):
    fifo = tmp_path / "run.zip"
    os.mkfifo(fifo)
    errors = []
    thread = threading.Thread(target=lambda: errors.append(_error_of(other.import_, fifo)))
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "import waited on a FIFO"
    assert errors == ["cannot import run.zip: not a regular file (a link, folder, FIFO or device)"]


def _error_of(call, *args) -> str:
    try:
        call(*args)
    except Exception as exc:  # noqa: BLE001 - the test compares the message
        return str(exc)
    return ""


def test_an_import_needing_more_space_than_the_disk_has_is_refused(exported, other, monkeypatch):
    monkeypatch.setattr(store_module.shutil, "disk_usage", lambda path: SimpleNamespace(free=0))
    with raises_one_line(
        r"cannot import run\.zip: it needs \d+ MiB of free space in .*, which has 0"
    ):
        other.import_(exported)
    assert not any(other.root.iterdir() if other.root.exists() else [])


def test_an_interrupted_import_leaves_no_staging_folder(exported, other, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "extract", interrupted)
    with pytest.raises(KeyboardInterrupt):
        other.import_(exported)
    assert [p.name for p in other.root.iterdir()] == []
