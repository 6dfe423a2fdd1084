"""What the store touches in its folder: only what it created; links, FIFOs and strangers alone."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from test_runs import RUN_ID, make_run, raises_one_line
from vaelab.cli import main
from vaelab.runs import MANIFEST, RunStore, limits
from vaelab.runs import store as store_module
from vaelab.runs.staging import IMPORT_PREFIX, clean_stale


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    store = RunStore(tmp_path / "runs")
    store.save(make_run())
    return store


def photos(folder: Path) -> Path:
    """A user's folder, named like a run, with no run.json."""
    folder.mkdir(parents=True)
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8 precious")
    return folder


def test_an_empty_runs_folder_is_refused_not_taken_for_the_working_directory():
    with raises_one_line(r"the runs folder is an empty path; name a folder, such as 'runs'"):
        RunStore("")


def test_folders_that_are_not_runs_are_listed_as_such_and_never_deleted(store, tmp_path, capsys):
    mine = photos(store.root / "vae-photos")
    (store.root / "My Photos").mkdir()
    (store.root / "linked").symlink_to(photos(tmp_path / "elsewhere"))
    listed = {s.run_id: (s.status, s.error) for s in store.list()}
    assert listed == {
        RUN_ID: ("stopped", None),
        "vae-photos": ("foreign", "not a run: it has no run.json"),
        "My Photos": ("foreign", "not a run: its name cannot be a run id"),
        "linked": ("foreign", "not a run: it is a link"),
    }
    for name in ("vae-photos", "linked"):
        with raises_one_line(
            rf"cannot delete '{name}': it is not a run \(it (has no run\.json|is a link)\); "
            "VAE Lab deletes only the runs it saved"
        ):
            store.delete(name)
    assert (mine / "holiday.jpg").exists() and (tmp_path / "elsewhere" / "holiday.jpg").exists()

    assert main(["runs", "--runs-dir", str(store.root), "list"]) == 0
    out = capsys.readouterr().out
    assert "vae-photos  not a run: it has no run.json (VAE Lab leaves it alone)" in out
    assert "BROKEN" not in out and "delete" not in out
    assert main(["runs", "--runs-dir", str(store.root), "delete", "vae-photos"]) == 1
    assert "error: cannot delete 'vae-photos': it is not a run" in capsys.readouterr().err
    # The folder option also works after the action, where people tend to type it.
    assert main(["runs", "delete", "vae-photos", "--runs-dir", str(store.root)]) == 1
    assert "error: cannot delete 'vae-photos': it is not a run" in capsys.readouterr().err
    assert (mine / "holiday.jpg").exists()


def test_a_run_is_never_saved_into_a_folder_that_is_not_a_run(store, tmp_path):
    store.delete(RUN_ID)
    photos(store.path(RUN_ID))
    with raises_one_line(
        r"cannot save run .* is not a run \(it has no run\.json\); .* move it away"
    ):
        store.save(make_run())
    assert [p.name for p in store.path(RUN_ID).iterdir()] == ["holiday.jpg"]
    os.rename(store.path(RUN_ID), tmp_path / "moved")
    store.path(RUN_ID).symlink_to(tmp_path / "moved")
    with raises_one_line(r"is not a run \(it is a link\)"):
        store.save(make_run())
    assert not store.exists(RUN_ID)
    with raises_one_line(r"no run .* is not a run: it is a link"):
        store.load(RUN_ID)
    assert [p.name for p in (tmp_path / "moved").iterdir()] == ["holiday.jpg"]


@pytest.mark.parametrize("what", ["manifest", "model", "trainer"])
@pytest.mark.parametrize("kind", ["fifo", "link", "folder"])
def test_a_fifo_link_or_folder_in_place_of_a_run_file_is_refused_at_once(
    store, tmp_path, what, kind
):
    folder = store.path(RUN_ID)
    if what == "manifest":
        target = folder / MANIFEST
    else:
        target = next(folder.glob(f"{what}-*.safetensors"))
    content = target.read_bytes()
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "link":
        (tmp_path / "real").write_bytes(content)
        target.symlink_to(tmp_path / "real")
    else:
        target.mkdir()
    outcome = []

    def load() -> None:
        try:
            store.load(RUN_ID)
        except Exception as exc:  # noqa: BLE001 - the test checks its type and message
            outcome.append(exc)

    thread = threading.Thread(target=load)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), f"load waited on a {kind}"
    assert type(outcome[0]).__name__ == "RunError" and "\n" not in str(outcome[0])
    assert not store.exists(RUN_ID)
    assert store.list()[0].status in ("broken", "foreign")


def test_an_oversized_or_deeply_nested_manifest_is_refused_unparsed(store):
    manifest = store.path(RUN_ID) / MANIFEST
    manifest.write_bytes(b"[" * (limits.MAX_MANIFEST_BYTES + 1))
    with raises_one_line(
        rf"cannot read run\.json .*: it has {limits.MAX_MANIFEST_BYTES + 1} bytes"
    ):
        store.load(RUN_ID)
    manifest.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with raises_one_line(r"malformed run\.json: it nests 100000 levels deep, more than the 8"):
        store.load(RUN_ID)
    manifest.write_bytes(b'{"epochs_done": ' + b"9" * 5000 + b"}")
    with raises_one_line(r"malformed run\.json: it holds the number 9{24}…, beyond"):
        store.load(RUN_ID)
    assert [s.status for s in store.list()] == ["broken"]


def age(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def test_stale_leftovers_of_dead_processes_are_removed_and_nothing_else(store, tmp_path):
    old = limits.STALE_AFTER_S + 60
    dead_import = store.root / f"{IMPORT_PREFIX}abc"
    (dead_import / RUN_ID).mkdir(parents=True)
    (dead_import / RUN_ID / "model-0123456789abcdef.safetensors").write_bytes(bytes(1 << 20))
    age(dead_import, old)
    (store.root / f".tmp-{RUN_ID}-xyz").mkdir()
    dead_save = age(store.root / f".tmp-{RUN_ID}-xyz", old)
    dead_file = store.root / ".tmp-export.zip"
    dead_file.write_bytes(b"half")
    age(dead_file, old)
    fresh = store.root / f"{IMPORT_PREFIX}fresh"
    fresh.mkdir()
    live = store.root / f"{IMPORT_PREFIX}live"
    live.mkdir()
    age(live, old)
    users = age(photos(store.root / ".my-photos"), old)
    link = store.root / f"{IMPORT_PREFIX}link"
    link.symlink_to(photos(tmp_path / "elsewhere"))
    age(link, old)

    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a live import, however old
    try:
        assert [s.run_id for s in store.list()] == [RUN_ID]
    finally:
        os.close(fd)
    left = {p.name for p in store.root.iterdir()}
    assert dead_import.name not in left and dead_save.name not in left
    assert dead_file.name not in left
    assert {fresh.name, live.name, users.name, link.name} <= left
    assert (tmp_path / "elsewhere" / "holiday.jpg").exists()


def test_a_staging_folder_in_use_survives_a_clean_up_by_another_process(
    store, tmp_path, monkeypatch
):
    monkeypatch.setattr(limits, "STALE_AFTER_S", 0)
    archive = store.export(RUN_ID, tmp_path / "run.zip")
    other = RunStore(tmp_path / "other")
    seen = []
    real_extract = store_module.extract

    def clean_meanwhile(name, zf, info, dest):
        clean_stale(other.root)  # another process's list(), with every leftover "stale"
        seen.append(dest.parent.parent.exists())
        real_extract(name, zf, info, dest)

    monkeypatch.setattr(store_module, "extract", clean_meanwhile)
    assert other.import_(archive) == RUN_ID
    assert seen == [True, True]
    assert [p.name for p in other.root.iterdir() if p.name != ".locks"] == [RUN_ID]
