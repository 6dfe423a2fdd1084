"""A run's files on disk: content-addressed tensor files, atomic writes, safe reads, clean-up.

Tensor files are written under a new name derived from their SHA-256, flushed, and only then
referenced by a new manifest, so the files the current manifest points to are never rewritten.
Every file of a run is opened with ``open_regular()``: a link, a FIFO or a device put in its
place is refused at once, never followed or waited on, and its size is known before reading.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save_file

from vaelab.atomic import TEMP_PREFIX
from vaelab.errors import RunError
from vaelab.runs.messages import RETRAIN, os_reason

#: Tensor files of a run, by role, with the words used for them in messages.
ROLES = {"model": "model weights", "trainer": "trainer state"}
TENSOR_FILE = re.compile(r"(model|trainer)-[0-9a-f]{16}\.safetensors")


# No link followed, no wait for a FIFO's writer; O_NONBLOCK does not affect regular files.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotRegularFile(OSError):
    """A link, folder, FIFO, socket or device where the store expects one of its files."""

    def __init__(self) -> None:
        super().__init__("not a regular file (a link, folder, FIFO or device)")


class FileTooLarge(OSError):
    """A file larger than the store reads."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"it has {size} bytes, more than the {limit} allowed")


class FileRef(NamedTuple):
    """A tensor file as recorded in the manifest."""

    name: str
    sha256: str
    size: int


def prepare_tensors(
    run_id: str, what: str, tensors: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Check a state dict and copy it to the CPU, ready for :func:`write_tensor_file`.

    Parameters
    ----------
    run_id : str
        Id of the run being saved, for messages.
    what : str
        Name of the state in messages (``"model state"``...).
    tensors : mapping of str to torch.Tensor
        The state to save.

    Returns
    -------
    dict of str to torch.Tensor
        Private, contiguous CPU copies of the tensors.

    Raises
    ------
    RunError
        If ``tensors`` is not a mapping of names to tensors.
    """
    if not isinstance(tensors, Mapping):
        raise RunError(
            f"cannot save run {run_id!r}: {what} must be a dict of tensors, "
            f"got {type(tensors).__name__}"
        )
    prepared = {}
    for key, value in tensors.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise RunError(
                f"cannot save run {run_id!r}: {what} must map names to tensors, "
                f"got {type(value).__name__} for {key!r}"
            )
        # A private contiguous CPU copy: safetensors refuses tensors that share storage (tied
        # weights) or are not contiguous, and training may go on changing the originals.
        prepared[key] = value.detach().to("cpu", copy=True, memory_format=torch.contiguous_format)
    return prepared


def write_tensor_file(folder: Path, role: str, tensors: dict[str, torch.Tensor]) -> FileRef:
    """Write tensors to ``<role>-<sha16>.safetensors`` in ``folder``, flushed to disk.

    Parameters
    ----------
    folder : Path
        The run's folder.
    role : str
        A key of :data:`ROLES`.
    tensors : dict of str to torch.Tensor
        Tensors from :func:`prepare_tensors`.

    Returns
    -------
    FileRef
        Name, SHA-256 and size of the file written.

    Raises
    ------
    RunError
        If safetensors refuses the tensors.
    OSError
        If the disk cannot be written; no temporary file is left behind.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".safetensors", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            save_file(tensors, tmp)
        except (SafetensorError, ValueError, RuntimeError, TypeError) as exc:
            raise RunError(f"cannot save the {ROLES[role]}: {' '.join(str(exc).split())}") from None
        digest = hashlib.sha256()
        with tmp.open("r+b") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
            size = f.tell()
            os.fsync(f.fileno())
        sha = digest.hexdigest()
        # A new name for new content: the file the current manifest points to is never rewritten.
        ref = FileRef(f"{role}-{sha[:16]}.safetensors", sha, size)
        os.replace(tmp, folder / ref.name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ref


def open_regular(path: Path) -> tuple[int, int]:
    """Open a regular file for reading, without following a link or blocking on a FIFO.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    fd : int
        An open file descriptor; close it after use.
    size : int
        The file's size in bytes.

    Raises
    ------
    NotRegularFile
        If ``path`` is a link, folder, FIFO, socket or device.
    OSError
        If it cannot be opened (:class:`FileNotFoundError` when it is missing).
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise NotRegularFile() from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegularFile()
    return fd, info.st_size


def read_regular(path: Path, limit: int) -> bytes:
    """The content of a regular file of at most ``limit`` bytes (see ``open_regular()``).

    Raises
    ------
    FileTooLarge
        If the file holds more than ``limit`` bytes; nothing beyond the limit is read.
    NotRegularFile, OSError
        As ``open_regular()``.
    """
    fd, size = open_regular(path)
    try:
        if size > limit:
            raise FileTooLarge(size, limit)
        # One byte more than allowed tells a file that grew since fstat.
        data = _read_up_to(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise FileTooLarge(len(data), limit)
    return data


def _read_up_to(fd: int, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_tensor_file(
    run_dir: Path, run_id: str, role: str, ref: FileRef
) -> tuple[dict[str, torch.Tensor], bytes]:
    """Read a tensor file after checking its size and SHA-256 against the manifest.

    Parameters
    ----------
    run_dir : Path
        The run's folder.
    run_id : str
        Id of the run, for messages.
    role : str
        A key of :data:`ROLES`.
    ref : FileRef
        The file as the manifest records it.

    Returns
    -------
    tensors : dict of str to torch.Tensor
        The tensors, on the CPU.
    data : bytes
        The verified bytes they were parsed from (what an export writes).

    Raises
    ------
    RunError
        If the file is missing, not a regular file, unreadable, truncated, modified or not
        valid safetensors.
    """
    what = ROLES[role]
    try:
        fd, size = open_regular(run_dir / ref.name)
        try:
            # The manifest says how much to read: a wrong size is refused before reading.
            data = _read_up_to(fd, ref.size + 1) if size == ref.size else b""
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise _missing(run_id, role, ref) from None
    except OSError as exc:
        raise RunError(f"cannot read the {what} of run {run_id!r}: {os_reason(exc)}") from exc
    if size != ref.size or len(data) != ref.size:
        raise _wrong_size(run_id, role, ref, max(size, len(data)))
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise RunError(
            f"run {run_id!r} is corrupted: its {what} file {ref.name} does not match its "
            f"SHA-256 checksum (damaged or modified){RETRAIN}"
        )
    try:
        # Parse the very bytes that were hashed, so the file cannot change in between.
        return load_safetensors(data), data
    except (SafetensorError, ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())
        raise RunError(
            f"run {run_id!r} has an unreadable {what} file {ref.name}: {reason}"
        ) from None


def check_files_present(run_dir: Path, run_id: str, files: Mapping[str, FileRef]) -> None:
    """Cheap check (one ``stat`` per file) that no tensor file is missing or truncated.

    Parameters
    ----------
    run_dir : Path
        The run's folder.
    run_id : str
        Id of the run, for messages.
    files : mapping of str to FileRef
        The tensor files the manifest lists, by role.

    Raises
    ------
    RunError
        If a file is missing, cannot be examined, or does not have the recorded size.
    """
    for role, ref in files.items():
        try:
            info = (run_dir / ref.name).lstat()
            if not stat.S_ISREG(info.st_mode):
                raise NotRegularFile()
        except FileNotFoundError:
            raise _missing(run_id, role, ref) from None
        except OSError as exc:
            raise RunError(
                f"cannot read the {ROLES[role]} of run {run_id!r}: {os_reason(exc)}"
            ) from exc
        if info.st_size != ref.size:
            raise _wrong_size(run_id, role, ref, info.st_size)


def remove_unreferenced(run_dir: Path, keep: set[str]) -> None:
    """Remove old tensor files and leftover temporary files; leave anything else alone.

    Parameters
    ----------
    run_dir : Path
        The run's folder.
    keep : set of str
        Names of the files the current manifest references, and the manifest itself.
    """
    try:
        entries = list(run_dir.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name in keep or not (name.startswith(TEMP_PREFIX) or TENSOR_FILE.fullmatch(name)):
            continue
        try:
            entry.unlink()
        except OSError:
            pass  # best effort: the next save tries again, and stray files are never read


def _missing(run_id: str, role: str, ref: FileRef) -> RunError:
    return RunError(
        f"run {run_id!r} is incomplete: its {ROLES[role]} file {ref.name} is missing{RETRAIN}"
    )


def _wrong_size(run_id: str, role: str, ref: FileRef, size: int) -> RunError:
    return RunError(
        f"run {run_id!r} is corrupted: its {ROLES[role]} file {ref.name} has {size} bytes "
        f"instead of {ref.size} (truncated or modified){RETRAIN}"
    )
