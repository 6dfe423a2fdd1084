"""Writing a file so that no reader ever sees it half-written, even after a crash."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Prefix of the temporary files written beside their target (leftovers may be removed).
TEMP_PREFIX = ".tmp-"


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename, both flushed to disk.

    Parameters
    ----------
    path : Path
        The file to write.
    data : bytes
        Its new content.

    Raises
    ------
    OSError
        If the disk cannot be written; ``path`` is then unchanged.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries, making renames in it durable across a power cut."""
    # Directories cannot be opened on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
