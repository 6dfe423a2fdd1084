"""Two processes on one run: no lost update, no reader that sees half a save, no silent wait."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from test_runs import RUN_ID, make_run, raises_one_line
from vaelab.runs import RunStore, limits
from vaelab.runs import store as store_module
from vaelab.runs.locking import run_lock
from vaelab.training.experiment import build_config, train
from vaelab.training.trainer import Callback

SMALL = {"latent_dim": 4, "hidden": (8, 16), "batch_size": 16}
BUSY = r"run '.*' is being trained by another (process|training in this process) \(pid \d+\)"


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs")


class PauseAtEpochEnd(Callback):
    """Holds a training at the end of its first epoch until released."""

    def __init__(self) -> None:
        self.paused, self.release = threading.Event(), threading.Event()

    def on_epoch_end(self, trainer, record):
        self.paused.set()
        assert self.release.wait(60)


def test_a_second_training_of_a_run_is_refused_at_once_and_the_first_loses_nothing(
    tiny_data, store
):
    config = build_config(tiny_data, epochs=3, **SMALL)
    pause, outcome = PauseAtEpochEnd(), {}
    first = threading.Thread(
        target=lambda: outcome.update(
            run=train(config, tiny_data, store=store, device="cpu", callbacks=[pause])
        )
    )
    first.start()
    try:
        assert pause.paused.wait(60)
        start = time.monotonic()
        with raises_one_line(f"{BUSY}; wait for it to finish or stop it"):
            train(config.with_epochs(5), tiny_data, store=store, device="cpu")
        assert time.monotonic() - start < 1  # refused at once, not after waiting
        # One-off changes are refused too while it trains: none can undo its next save.
        saved = store.load(config.run_id)
        with raises_one_line(BUSY):
            store.save(replace(saved, metrics={"x": 1.0}))
        with raises_one_line(BUSY):
            store.delete(config.run_id)
    finally:
        pause.release.set()
        first.join()
    run = store.load(config.run_id)
    assert (run.epochs_done, run.status, len(run.history)) == (3, "complete", 3)
    assert outcome["run"].run.history == run.history


def test_a_training_in_another_process_is_named_by_its_pid(tiny_data, store):
    config = build_config(tiny_data, epochs=1, **SMALL)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from vaelab.runs import RunStore
                with RunStore({str(store.root)!r}).writing({config.run_id!r}):
                    print("holding", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with raises_one_line(rf"being trained by another process \(pid {holder.pid}\)"):
            train(config, tiny_data, store=store, device="cpu")
    finally:
        holder.kill()
        holder.wait()
    # The kernel released the lock with the process: training goes ahead.
    assert train(config, tiny_data, store=store, device="cpu").status == "complete"


def test_a_stale_copy_cannot_overwrite_newer_epochs(tiny_data, store):
    config = build_config(tiny_data, epochs=2, **SMALL)
    train(config, tiny_data, store=store, device="cpu")
    stale = store.load(config.run_id)  # epoch 2
    train(config.with_epochs(4), tiny_data, store=store, device="cpu")
    with raises_one_line(r"another process saved it since this copy was loaded \(the store holds"):
        store.save(replace(stale, metrics={"test_loss": 1.0}))
    # A new Run of the same id cannot replace it either, unless asked to.
    with raises_one_line("already holds it .* or save with overwrite"):
        store.save(replace(stale, revision=0))
    run = store.load(config.run_id)
    assert (run.epochs_done, len(run.history)) == (4, 4)
    store.save(replace(run, metrics={"test_loss": 1.0}))  # loaded afresh: accepted
    assert store.load(config.run_id).metrics == {"test_loss": 1.0}


def test_a_second_writer_in_this_process_is_refused_while_a_training_holds_the_run(store):
    run = make_run()
    with store.writing(run.run_id) as writer:
        writer.save(run)
        with raises_one_line(r"another training in this process \(pid \d+\)"):
            with store.writing(run.run_id):
                pass
        with raises_one_line(BUSY):
            store.save(run)
        writer.save(run)  # the holder goes on saving
    assert store.load(run.run_id).revision == 2
    with raises_one_line("was closed"):
        writer.save(run)


def new_weights(run):
    """The run with other weights: saving it removes the tensor file its last save listed."""
    return replace(run, model_state={k: v + 1 for k, v in run.model_state.items()})


def test_exists_and_list_see_every_save_before_or_after_it_never_in_between(store, monkeypatch):
    """Reads the manifest, then a save replaces it and removes the files it listed."""
    store.save(make_run())
    real_check = store_module.check_files_present
    saves = []

    def save_in_between(run_dir, run_id, files):
        if len(saves) < 2:
            saves.append(store.save(new_weights(store.load(run_id))))
        real_check(run_dir, run_id, files)

    monkeypatch.setattr(store_module, "check_files_present", save_in_between)
    assert store.exists(RUN_ID)
    assert [s.status for s in store.list()] == ["stopped"]
    assert len(saves) == 2


def test_a_polling_reader_never_sees_the_run_missing_while_a_thread_saves_it(store, monkeypatch):
    store.save(make_run())
    stop, errors = threading.Event(), []
    real_check = store_module.check_files_present

    def slow_disk(*args):
        # Widens the window between reading run.json and looking at its files, as a busy
        # disk does (without the re-read, about 1 poll in 15 then answered False).
        time.sleep(0.002)
        real_check(*args)

    def saver() -> None:
        try:
            while not stop.is_set():
                store.save(new_weights(store.load(RUN_ID)))
        except Exception as exc:  # noqa: BLE001 - report it in the main thread
            errors.append(exc)

    monkeypatch.setattr(store_module, "check_files_present", slow_disk)
    thread = threading.Thread(target=saver)
    thread.start()
    try:
        answers = [store.exists(RUN_ID) for _ in range(200)]
        listed = [store.list()[0].status for _ in range(30)]
        # Readers went on while the saver saved several times (a slow disk's saves take longer).
        deadline = time.monotonic() + 30
        while store.load(RUN_ID).revision <= 5 and time.monotonic() < deadline:
            answers.append(store.exists(RUN_ID))
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert answers.count(False) == 0 and set(listed) == {"stopped"}
    assert store.load(RUN_ID).revision > 5  # the saver did save meanwhile


@pytest.fixture
def short_waits(monkeypatch):
    monkeypatch.setattr(limits, "LOCK_NOTICE_S", 0.1)
    monkeypatch.setattr(limits, "LOCK_TIMEOUT_S", 0.5)


def test_waiting_for_a_busy_run_is_said_then_given_up(store, short_waits, caplog):
    store.save(make_run())
    caplog.set_level(logging.WARNING)
    with run_lock(store.root, RUN_ID, exclusive=True):  # another process, stuck mid-save
        start = time.monotonic()
        with raises_one_line(
            rf"run '{RUN_ID}' is still in use by another process after \d+ s .*try again"
        ):
            store.load(RUN_ID)
    assert 0.5 <= time.monotonic() - start < 5
    assert caplog.messages == [f"waiting for another process using run {RUN_ID}…"]
    assert store.load(RUN_ID).revision == 1  # free again


@pytest.mark.slow
def test_the_command_line_says_it_waits_then_goes_on(store):
    store.save(make_run())
    with run_lock(store.root, RUN_ID, exclusive=True):  # another process, busy saving
        command = subprocess.Popen(
            [sys.executable, "-m", "vaelab", "runs", "--runs-dir", str(store.root), "show", RUN_ID],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # A program without logging set up prints the library's warnings on stderr.
        notice = command.stderr.readline()
    out, err = command.communicate(timeout=60)
    assert notice == f"waiting for another process using run {RUN_ID}…\n"
    assert command.returncode == 0 and err == ""
    assert f'"run_id": "{RUN_ID}"' in out


def test_a_lock_released_while_waiting_lets_the_operation_through(store, short_waits):
    store.save(make_run())
    held = threading.Event()

    def hold_briefly() -> None:
        with run_lock(store.root, RUN_ID, exclusive=True):
            held.set()
            time.sleep(0.2)

    thread = threading.Thread(target=hold_briefly)
    thread.start()
    assert held.wait(10)
    assert store.load(RUN_ID).revision == 1
    thread.join()


def test_lock_files_that_are_links_or_fifos_are_refused(store, tmp_path):
    store.save(make_run())
    lock = store.root / ".locks" / f"{RUN_ID}.writer"
    lock.unlink()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    lock.symlink_to(outside)
    with raises_one_line(r"cannot lock a run in .*\.writer is a link; remove it"):
        store.save(store.load(RUN_ID))
    assert outside.read_text() == "precious"
    lock.unlink()
    os.mkfifo(lock)
    with raises_one_line(r"\.writer is not a file; remove it"):
        store.save(store.load(RUN_ID))
    lock.unlink()
    locks = store.root / ".locks"
    locks.rename(tmp_path / "locks")
    locks.symlink_to(tmp_path / "locks")
    with raises_one_line(r"cannot lock a run in .*: \.locks is a link; remove it"):
        store.save(store.load(RUN_ID))
    assert not (tmp_path / "locks" / f"{RUN_ID}.writer").exists()
