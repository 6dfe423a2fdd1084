"""The per-run lock that keeps two sessions from removing each other's files.

Saving, deleting and importing a run hold an exclusive POSIX ``flock`` on
``<root>/.locks/<run_id>.lock``; loading and exporting hold a shared one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vaelab.errors import RunError
from vaelab.runs.messages import os_reason

try:  # POSIX advisory locks; elsewhere concurrent saves of one run are not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_LOCKS_DIR = ".locks"


@contextmanager
def run_lock(root: Path, run_id: str, *, exclusive: bool) -> Iterator[None]:
    """Hold the lock of one run of a store for the duration of a ``with`` block.

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
        If a writer cannot create the lock file.
    """
    if fcntl is None or (not exclusive and not root.is_dir()):
        yield
        return
    lock_dir = root / _LOCKS_DIR
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_dir / f"{run_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exclusive:
            raise RunError(
                f"cannot write to {root}/: {os_reason(exc)}; choose a runs folder you can write to"
            ) from exc
        yield  # a read-only store: nobody can be writing to it through us
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock
