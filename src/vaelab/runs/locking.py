"""The locks that keep two processes from losing each other's work on a run.

Two POSIX ``flock`` locks per run, in ``<root>/.locks/``:

``<run_id>.lock``, the operation lock
    Held for the length of one store operation: exclusive to save, delete or import the run,
    shared to load or export it. Waiting for it is reported after
    ``limits.LOCK_NOTICE_S`` (a ``logging`` warning, which a program without
    logging set up prints on stderr) and given up after ``limits.LOCK_TIMEOUT_S``.

``<run_id>.writer``, the writer lock
    Held exclusively for a whole training by :meth:`~vaelab.runs.RunStore.writing`, which writes
    its process id in it, and shared by each one-off change (a save of new metrics, a delete, an
    import). It is never waited for while a training holds it: a second writer is refused at once
    with the first one's process id. Readers do not take it, so they are never blocked.

The kernel releases both when their process dies, even by ``kill -9``; a stopped process
(``Ctrl-Z``) keeps them until it is resumed or ended.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from vaelab.errors import RunError
from vaelab.runs import limits
from vaelab.runs.messages import os_reason

try:  # POSIX advisory locks; elsewhere concurrent saves of one run are not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCKS_DIR = ".locks"
# Lock files are opened without following links or blocking on a FIFO put in their place.
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


@contextmanager
def run_lock(root: Path, run_id: str, *, exclusive: bool) -> Iterator[None]:
    """Hold the operation lock of one run for the duration of a ``with`` block.

    Parameters
    ----------
    root : Path
        The store's folder.
    run_id : str
        Id of the run (already checked).
    exclusive : bool
        Exclusive for writers, shared for readers.

    Yields
    ------
    None
        While the lock is held; a reader of a store it cannot lock (missing or read-only) goes
        ahead without the lock, since nobody can be writing to it through this store.

    Raises
    ------
    RunError
        If a writer cannot create the lock file, or another process keeps the run busy for
        longer than ``limits.LOCK_TIMEOUT_S``.
    """
    if fcntl is None or (not exclusive and not root.is_dir()):
        yield
        return
    try:
        fd = _open_lock_file(root, f"{run_id}.lock")
    except RunError:
        if exclusive:
            raise
        yield  # a read-only store: nobody can be writing to it through us
        return
    try:
        _wait_for(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, run_id)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def writer_lock(root: Path, run_id: str, *, training: bool) -> Iterator[None]:
    """Hold the writer lock of one run: exclusively for a training, shared for a one-off change.

    Parameters
    ----------
    root : Path
        The store's folder; created if missing.
    run_id : str
        Id of the run (already checked).
    training : bool
        Whether the holder writes the run for a long time (a training), which excludes every
        other writer, rather than changing it once.

    Yields
    ------
    None
        While the lock is held.

    Raises
    ------
    RunError
        At once if a training holds the lock (naming its process id); after waiting as
        :func:`run_lock` if one-off changes hold it and a training is starting; or if the lock
        file cannot be created.
    """
    if fcntl is None:
        yield
        return
    fd = _open_lock_file(root, f"{run_id}.writer")
    try:
        if training:
            _wait_for(fd, fcntl.LOCK_EX, run_id, refuse_if=lambda: _held_for_training(fd))
            # Only for the message of a second writer: a full disk must not stop the training.
            with suppress(OSError):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
        else:
            _wait_for(fd, fcntl.LOCK_SH, run_id, refuse_if=lambda: True)
        yield
    finally:
        os.close(fd)


def _open_lock_file(root: Path, name: str) -> int:
    lock_dir = root / LOCKS_DIR
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        if lock_dir.is_symlink():
            # Lock files hold process ids: they are never written outside the store.
            raise OSError(errno.ELOOP, "is a link")
        fd = os.open(lock_dir / name, _OPEN_FLAGS, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            link = LOCKS_DIR if lock_dir.is_symlink() else f"{LOCKS_DIR}/{name}"
            reason = f"{link} is a link; remove it"
        else:
            reason = f"{os_reason(exc)}; choose a runs folder you can write to"
        raise RunError(f"cannot lock a run in {root}/: {reason}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RunError(f"cannot lock a run in {root}/: {LOCKS_DIR}/{name} is not a file; remove it")
    return fd


def _wait_for(fd: int, mode: int, run_id: str, refuse_if: Callable[[], bool] | None = None) -> None:
    """Take ``flock(fd, mode)``, saying so when it takes long and giving up after a bound.

    ``refuse_if`` is asked each time the lock is busy; when it says yes, a training holds the
    writer lock and the caller is refused at once.
    """
    start = time.monotonic()
    noticed = False
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as exc:  # a file system without locks (some network mounts)
            raise RunError(
                f"cannot lock run {run_id!r}: {os_reason(exc)}; use a runs folder on a local disk"
            ) from exc
        if refuse_if is not None and refuse_if():
            raise RunError(
                f"run {run_id!r} is being trained by {_holder(fd)}; "
                "wait for it to finish or stop it"
            )
        waited = time.monotonic() - start
        if waited >= limits.LOCK_TIMEOUT_S:
            raise RunError(
                f"run {run_id!r} is still in use by another process after {waited:.0f} s "
                "(a save, import or delete that does not end: a stopped or hung process?); "
                "try again once it has finished"
            )
        if not noticed and waited >= limits.LOCK_NOTICE_S:
            log.warning("waiting for another process using run %s…", run_id)
            noticed = True
        time.sleep(limits.LOCK_POLL_S)


def _held_for_training(fd: int) -> bool:
    """Whether the busy writer lock is held by a training rather than by one-off changes."""
    try:
        # One-off changes hold it shared: if a shared lock can be had, none is a training.
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def _holder(fd: int) -> str:
    """Who holds the writer lock, from the process id the training wrote in the lock file."""
    try:
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError):
        return "another process"
    if pid == os.getpid():
        return f"another training in this process (pid {pid})"
    return f"another process (pid {pid})"
