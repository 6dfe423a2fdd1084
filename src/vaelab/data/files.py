"""Open only regular files: a named pipe or a device given as data would hang or never end.

Opening a named pipe for reading blocks until a writer comes, and ``/dev/zero`` never ends, so
every file the data side reads is opened without blocking and checked to be a regular file (a
symbolic link to one is fine) before a byte is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from vaelab.errors import DatasetError

T = TypeVar("T")
KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def kind_of(mode: int) -> str:
    """Say what a file of ``mode`` (``os.stat().st_mode``) is, for messages.

    Parameters
    ----------
    mode : int
        The file's mode.

    Returns
    -------
    str
        ``"a regular file"``, ``"a folder"``, ``"a named pipe"``...
    """
    return "a regular file" if stat.S_ISREG(mode) else KINDS.get(stat.S_IFMT(mode), "not a file")


def not_regular(path: Path, mode: int) -> DatasetError:
    """The one-line refusal of a path that is not a regular file.

    Parameters
    ----------
    path : pathlib.Path
        The path.
    mode : int
        Its mode (``os.stat().st_mode``).

    Returns
    -------
    DatasetError
        To raise.
    """
    return DatasetError(f"{path} is {kind_of(mode)}, not a regular file; only files are read")


def check_regular(path: Path) -> os.stat_result:
    """Make sure ``path`` is a regular file (following symbolic links), without opening it.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    os.stat_result
        Its status.

    Raises
    ------
    DatasetError
        If it is missing, unreadable or not a regular file.
    """
    status = _attempt(os.stat, path)
    if not stat.S_ISREG(status.st_mode):
        raise not_regular(path, status.st_mode)
    return status


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, refusing anything else before reading it.

    The file is opened without blocking, so a named pipe put in its place after a check cannot
    hang the caller either.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    BinaryIO
        The open file, to close.

    Raises
    ------
    DatasetError
        If it is missing, unreadable or not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = _attempt(os.open, path, flags)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise not_regular(path, mode)
    return os.fdopen(fd, "rb")


def _attempt(call: Callable[..., T], path: Path, *args: Any) -> T:
    """``call(path, *args)``, its failures turned into one-line messages."""
    try:
        return call(path, *args)
    except FileNotFoundError:
        raise DatasetError(f"no such file or folder: {path}") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DatasetError(f"cannot read {path} ({reason})") from None
