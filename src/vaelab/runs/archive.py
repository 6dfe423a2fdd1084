"""Run archives: writing the zip that export makes, and checking one before import unpacks it.

An archive holds one folder ``<run_id>/`` with ``run.json`` and the tensor files it lists.
Archives come from other people, so nothing is written before everything that can be checked
without unpacking has been: the number of entries (read from the end of the zip, before the
zip's directory is parsed), their paths and declared sizes, then the manifest (read with a
bound), which must list exactly the archive's tensor files with exactly their declared sizes.
Unpacking then copies bytes under names of our choosing, never through ``ZipFile.extract``, and
stops as soon as a member yields more bytes than it declared.
"""

from __future__ import annotations

import lzma
import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from vaelab.errors import RunError
from vaelab.runs.files import TEMP_PREFIX, TENSOR_FILE, FileRef, open_regular
from vaelab.runs.limits import MAX_ARCHIVE_MEMBERS, MAX_MANIFEST_BYTES, MAX_RUN_BYTES
from vaelab.runs.messages import one_line, os_reason
from vaelab.runs.run import MANIFEST, check_run_id

#: Largest run :meth:`RunStore.import_` accepts, unpacked (bytes).
MAX_IMPORT_BYTES = MAX_RUN_BYTES
# Headers and the compressed manifest add little to the files an archive stores.
_MAX_ARCHIVE_BYTES = MAX_IMPORT_BYTES + MAX_MANIFEST_BYTES + 1024**2
# The zip's end record: signature, disk numbers, entry counts, directory size and offset.
_END_RECORD = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_CHUNK = 1 << 20
# What reading a damaged member raises: bad headers or checksums, truncated or corrupt
# compressed data (zlib, bz2's OSError, lzma), unsupported or encrypted entries.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
    zlib.error,
    lzma.LZMAError,
)


def write_archive(run_id: str, contents: Mapping[str, bytes], target: Path) -> None:
    """Write a run's manifest and tensor files to the zip ``target``, replacing it atomically.

    Parameters
    ----------
    run_id : str
        Id of the run, the archive's top folder.
    contents : mapping of str to bytes
        ``run.json`` and the tensor files, by file name: the very bytes that were verified.
    target : Path
        The archive; missing parent folders are created.

    Raises
    ------
    RunError
        If the archive cannot be written; no partial archive is left behind.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".zip", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, zipfile.ZipFile(out, "w") as archive:
                for name, data in contents.items():
                    # Float weights barely compress; storing them keeps export fast.
                    method = zipfile.ZIP_DEFLATED if name == MANIFEST else zipfile.ZIP_STORED
                    archive.writestr(f"{run_id}/{name}", data, method)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise RunError(f"cannot export run {run_id!r} to {target}: {os_reason(exc)}") from exc


@contextmanager
def open_archive(archive: Path) -> Iterator[zipfile.ZipFile]:
    """Open a zip archive for import, after checking its size and number of entries.

    Parameters
    ----------
    archive : Path
        The ``.zip`` file.

    Yields
    ------
    zipfile.ZipFile
        The open archive, closed with its file when the block ends.

    Raises
    ------
    RunError
        If the file does not exist, is not a regular file, is larger than a run can be, is not
        a zip archive, or holds more entries than a run archive.
    """
    name = archive.name
    try:
        fd, size = open_regular(archive)
    except FileNotFoundError:
        raise RunError(f"cannot import {archive}: no such file") from None
    except OSError as exc:
        raise RunError(f"cannot import {name}: {os_reason(exc)}") from None
    with os.fdopen(fd, "rb") as stream:
        if size > _MAX_ARCHIVE_BYTES:
            raise RunError(
                f"cannot import {name}: it has {size} bytes; a run archive has at most "
                f"{_MAX_ARCHIVE_BYTES}"
            )
        try:
            entries = _entry_count(stream, size)
            if entries > MAX_ARCHIVE_MEMBERS:
                raise RunError(
                    f"cannot import {name}: the archive holds {entries} entries; "
                    f"a run archive holds at most {MAX_ARCHIVE_MEMBERS}"
                )
            zf = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise RunError(f"cannot import {name}: not a zip archive ({one_line(exc)})") from None
        with zf:
            yield zf


def _entry_count(stream: IO[bytes], size: int) -> int:
    """The number of entries the zip's end record declares, read before the zip is parsed."""
    # The end record is the last 22 bytes, or comes before a comment of up to 65,535 bytes.
    tail_size = min(size, _END_RECORD.size + 0xFFFF)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or at + _END_RECORD.size > len(tail):
        raise zipfile.BadZipFile("no end of central directory")
    record = _END_RECORD.unpack_from(tail, at)
    # 0xFFFF means "see the Zip64 record": at least that many, far more than a run archive has.
    return max(record[3], record[4])


def check_archive(name: str, zf: zipfile.ZipFile) -> tuple[str, dict[str, zipfile.ZipInfo]]:
    """Check an archive's entries and declared sizes; return its run id and its files.

    Parameters
    ----------
    name : str
        The archive's file name, for messages.
    zf : zipfile.ZipFile
        The open archive.

    Returns
    -------
    run_id : str
        Name of the archive's one folder.
    files : dict of str to zipfile.ZipInfo
        The files in that folder, by file name, ``run.json`` among them.

    Raises
    ------
    RunError
        If the archive is empty, declares more than a run can hold, is encrypted, or holds
        links, unsafe paths, unexpected files or folders, or an invalid run id.
    """

    def refuse(why: str) -> RunError:
        return RunError(f"cannot import {name}: {why}")

    infos = zf.infolist()
    if not infos:
        raise refuse("the archive is empty")
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise refuse(f"the archive holds {len(infos)} entries; a run archive holds 3")
    if sum(info.file_size for info in infos) > MAX_IMPORT_BYTES:
        raise refuse(f"the archive unpacks to more than {MAX_IMPORT_BYTES // 1024**3} GiB")
    tops, found = set(), []
    for info in infos:
        member = info.filename
        parts = member.split("/")
        if member.startswith("/") or "\\" in member or ":" in member or ".." in parts:
            raise refuse(f"unsafe path {member[:80]!r} (absolute, or leaving the run folder)")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise refuse(f"{member[:80]!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise refuse(f"{member[:80]!r} is encrypted")
        tops.add(parts[0])
        if info.is_dir():
            if len(parts) != 2 or parts[1]:
                raise refuse(f"unexpected folder {member[:80]!r}; a run archive holds one folder")
            continue
        if len(parts) != 2 or not (parts[1] == MANIFEST or TENSOR_FILE.fullmatch(parts[1])):
            raise refuse(
                f"unexpected file {member[:80]!r}; a run archive holds <run id>/{MANIFEST} and "
                "its tensor files"
            )
        found.append((parts[1], info))
    if len(tops) != 1:
        raise refuse(f"it holds {len(tops)} top-level entries; a run archive holds one folder")
    files = dict(found)
    if len(files) != len(found):
        raise refuse("it holds the same file twice")
    run_id = tops.pop()
    try:
        check_run_id(run_id)
    except RunError as exc:
        raise refuse(str(exc)) from None
    if MANIFEST not in files:
        raise refuse(f"it has no {run_id}/{MANIFEST}")
    if files[MANIFEST].file_size > MAX_MANIFEST_BYTES:
        raise refuse(
            f"its {MANIFEST} declares {files[MANIFEST].file_size} bytes; "
            f"at most {MAX_MANIFEST_BYTES} are allowed"
        )
    return run_id, files


def read_member(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The bytes of one member, never more than it declares.

    Parameters
    ----------
    name : str
        The archive's file name, for messages.
    zf : zipfile.ZipFile
        The open archive.
    info : zipfile.ZipInfo
        The member, with its declared size already checked against a limit.

    Returns
    -------
    bytes
        Its content.

    Raises
    ------
    RunError
        If the archive is damaged or the member holds more than it declares.
    """
    chunks = []
    _copy(name, zf, info, chunks.append)
    return b"".join(chunks)


def check_listed(
    name: str, files: Mapping[str, zipfile.ZipInfo], refs: Mapping[str, FileRef]
) -> None:
    """Check that the archive holds exactly the tensor files its manifest lists, at their sizes.

    Parameters
    ----------
    name : str
        The archive's file name, for messages.
    files : mapping of str to zipfile.ZipInfo
        The archive's files, by name (see :func:`check_archive`).
    refs : mapping of str to FileRef
        The tensor files the manifest lists, by role.

    Raises
    ------
    RunError
        Naming the first file that is unexpected, missing or of another declared size.
    """
    listed = {ref.name: ref for ref in refs.values()}
    unexpected = sorted(set(files) - {MANIFEST} - set(listed))
    if unexpected:
        raise RunError(
            f"cannot import {name}: unexpected file {unexpected[0]!r}; "
            f"a run archive holds only {MANIFEST} and the tensor files it lists"
        )
    for ref in listed.values():
        info = files.get(ref.name)
        if info is None:
            raise RunError(
                f"cannot import {name}: run is incomplete: its {MANIFEST} lists {ref.name}, "
                "which the archive does not hold"
            )
        if info.file_size != ref.size:
            raise RunError(
                f"cannot import {name}: {ref.name} declares {info.file_size} bytes but its "
                f"{MANIFEST} says {ref.size}"
            )


def extract(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    """Copy one member to ``dest`` (a new file), stopping at once past its declared size.

    Parameters
    ----------
    name : str
        The archive's file name, for messages.
    zf : zipfile.ZipFile
        The open archive, checked by :func:`check_archive` and :func:`check_listed`.
    info : zipfile.ZipInfo
        The member.
    dest : Path
        Where to copy it; it must not exist yet.

    Raises
    ------
    RunError
        If the archive is damaged, the member holds more than it declares, or the disk cannot
        be written.
    """
    try:
        with dest.open("xb") as out:
            _copy(name, zf, info, out.write)
    except OSError as exc:
        raise RunError(f"cannot import {name}: {os_reason(exc)}") from exc


def _copy(
    name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, write: Callable[[bytes], Any]
) -> None:
    total = 0
    try:
        src = zf.open(info)
    except _DAMAGED as exc:
        raise _damaged(name, exc) from None
    with src:
        while True:
            try:
                chunk = src.read(_CHUNK)
            except _DAMAGED as exc:
                raise _damaged(name, exc) from None
            if not chunk:
                return
            total += len(chunk)
            # The declared size is only a declaration: count the real bytes.
            if total > info.file_size:
                raise RunError(
                    f"cannot import {name}: {info.filename[:80]!r} unpacks to more than "
                    f"the {info.file_size} bytes it declares"
                )
            write(chunk)


def _damaged(name: str, exc: BaseException) -> RunError:
    return RunError(f"cannot import {name}: the archive is damaged ({one_line(exc)})")
