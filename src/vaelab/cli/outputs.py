"""Where the commands write: checked before the work, written atomically, never lost.

Every command that writes a file checks its destination before it starts (:func:`check_file`,
:func:`check_folder`), so that minutes of training or measuring never end in "cannot write".
What still fails at write time (a disk that filled up meanwhile) is written to a temporary folder
instead, and the one-line error says where (:func:`write_files`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from vaelab.atomic import TEMP_PREFIX, atomic_write
from vaelab.errors import VaeLabError
from vaelab.runs.messages import os_reason

#: Prefix of the temporary folder that keeps the outputs that could not be written where asked.
UNSAVED_PREFIX = "vaelab-unsaved-"


class OutputError(VaeLabError):
    """An output cannot be written where the user asked."""


def check_file(path: Path) -> None:
    """Refuse, before any work, an output file that could not be written.

    Parameters
    ----------
    path : Path
        The file a command will write (replacing it if it exists).

    Raises
    ------
    OutputError
        If ``path`` is a folder or a special file, or its folder is missing, is not a folder, or
        cannot be written (permissions, read-only or full disk).
    """
    _check_target(path)
    _check_writable(path.parent, path)


def check_folder(path: Path, names: Iterable[str] = (), *, parents: bool = False) -> None:
    """Refuse, before any work, an output folder that could not be made or written.

    Parameters
    ----------
    path : Path
        The folder; it is made at write time if it does not exist.
    names : iterable of str
        The files that will be written in it.
    parents : bool
        Whether missing folders above it are made too; otherwise its parent must exist.

    Raises
    ------
    OutputError
        If ``path`` or one of ``names`` in it cannot be written.
    """
    if _exists(path, path):
        _check_writable(path, path)
        for name in names:
            _check_target(path / name)
        return
    existing = path.parent
    while parents and not _exists(existing, path) and existing != existing.parent:
        existing = existing.parent
    _check_writable(existing, path)


def write_files(files: Mapping[Path, bytes]) -> None:
    """Write each file atomically; if one cannot be, keep them all in a temporary folder.

    Parameters
    ----------
    files : mapping of Path to bytes
        The files and their content. Their names must differ.

    Raises
    ------
    OutputError
        If a file cannot be written: the message names it, says why, and where the files were
        kept instead (or that even that failed).
    """
    for path, data in files.items():
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise OutputError(
                f"cannot write {path}: {os_reason(exc)}; {_keep_elsewhere(files)}"
            ) from exc


def _keep_elsewhere(files: Mapping[Path, bytes]) -> str:
    try:
        folder = Path(tempfile.mkdtemp(prefix=UNSAVED_PREFIX))
        for path, data in files.items():
            atomic_write(folder / path.name, data)
    except OSError as exc:
        return f"nor could it be kept in {tempfile.gettempdir()} ({os_reason(exc)})"
    return f"kept in {folder}/ instead"


def _exists(path: Path, target: Path) -> bool:
    try:
        return path.exists()
    except OSError as exc:  # a name too long, a loop of links...
        raise OutputError(f"cannot write {target}: {os_reason(exc)}") from None


def _check_target(path: Path) -> None:
    if not _exists(path, path) or path.is_file():
        return
    what = "a folder" if path.is_dir() else "not a regular file"
    raise OutputError(f"cannot write {path}: it is {what}")


def _check_writable(folder: Path, target: Path) -> None:
    if not _exists(folder, target):
        raise OutputError(f"cannot write {target}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: {folder} is not a folder")
    # Permissions do not tell about read-only mounts, full disks or quotas: a byte written and
    # flushed does.
    try:
        fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
        try:
            os.write(fd, b"\0")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {os_reason(exc)}") from None
