"""The store's hidden work folders (first saves, imports, deletes) and the removal of leftovers.

A work folder is created in the store's folder (same disk, so that it can be renamed into place)
under a name starting with one of ``PREFIXES``, and locked (``flock`` on the folder itself)
for as long as its process uses it. A process killed half-way leaves it behind, unlocked:
``clean_stale()`` removes such leftovers once they are ``limits.STALE_AFTER_S``
old, and never touches anything else.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from vaelab.atomic import TEMP_PREFIX
from vaelab.runs import limits

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: leftovers are recognised by their age alone
    fcntl = None  # type: ignore[assignment]

#: Prefix of the staging folders of imports.
IMPORT_PREFIX = ".import-"
#: Prefixes of the entries the store creates, and may remove, in its folder.
PREFIXES = (TEMP_PREFIX, IMPORT_PREFIX)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


@contextmanager
def staging_folder(root: Path, prefix: str) -> Iterator[Path]:
    """A new hidden folder in ``root``, locked while the block runs and removed after it.

    Parameters
    ----------
    root : Path
        The store's folder; it must exist.
    prefix : str
        Start of the folder's name; one of ``PREFIXES``, optionally followed by more text.

    Yields
    ------
    Path
        The folder. Renaming it away inside the block keeps it (a first save does so).

    Raises
    ------
    OSError
        If the folder cannot be created.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    fd = _lock(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if fd is not None:
            os.close(fd)


def clean_stale(root: Path) -> None:
    """Remove the store's leftovers in ``root``: old, unlocked entries with a store prefix.

    Best effort and silent: a leftover that cannot be removed now is tried again next time.

    Parameters
    ----------
    root : Path
        The store's folder.
    """
    try:
        entries = [e for e in os.scandir(root) if e.name.startswith(PREFIXES)]
    except OSError:
        return
    now = time.time()
    for entry in entries:
        with suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if now - info.st_mtime < limits.STALE_AFTER_S:
                continue
            if stat.S_ISREG(info.st_mode):
                os.unlink(entry.path)
            elif stat.S_ISDIR(info.st_mode):
                _remove_if_unlocked(Path(entry.path))


def _lock(folder: Path) -> int | None:
    """Lock a folder we own, so that ``clean_stale()`` leaves it alone while we live."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, _DIR_FLAGS)
    except OSError:
        return None  # its age alone protects it then
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _remove_if_unlocked(folder: Path) -> None:
    if fcntl is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    fd = os.open(folder, _DIR_FLAGS)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a live process is still using it
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)
