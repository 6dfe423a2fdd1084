"""Run archives: writing the zip that export makes, and checking one before import unpacks it.

An archive holds one folder ``<run_id>/`` with ``run.json`` and the tensor files it lists.
Archives come from other people, so every member is checked before anything is extracted, and
extraction copies bytes under names of our choosing, never through ``ZipFile.extract``.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from vaelab.errors import RunError
from vaelab.runs.files import TEMP_PREFIX, TENSOR_FILE, FileRef
from vaelab.runs.messages import os_reason
from vaelab.runs.run import MANIFEST, check_run_id

#: Largest archive :meth:`RunStore.import_` accepts, uncompressed.
MAX_IMPORT_BYTES = 2 * 1024**3


def write_archive(run_dir: Path, run_id: str, files: Mapping[str, FileRef], target: Path) -> None:
    """Write a run's manifest and tensor files to the zip ``target``, replacing it atomically.

    Parameters
    ----------
    run_dir : Path
        The run's folder.
    run_id : str
        Id of the run, the archive's top folder.
    files : mapping of str to FileRef
        The tensor files its manifest lists.
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
                archive.write(run_dir / MANIFEST, f"{run_id}/{MANIFEST}", zipfile.ZIP_DEFLATED)
                for ref in files.values():
                    # Float weights barely compress; storing them keeps export fast.
                    archive.write(run_dir / ref.name, f"{run_id}/{ref.name}")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise RunError(f"cannot export run {run_id!r} to {target}: {os_reason(exc)}") from exc


def open_archive(archive: Path) -> zipfile.ZipFile:
    """Open a zip archive for import.

    Parameters
    ----------
    archive : Path
        The ``.zip`` file.

    Returns
    -------
    zipfile.ZipFile
        The open archive; close it after use.

    Raises
    ------
    RunError
        If the file does not exist or is not a zip archive.
    """
    try:
        return zipfile.ZipFile(archive)
    except FileNotFoundError:
        raise RunError(f"cannot import {archive}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise RunError(f"cannot import {archive.name}: not a zip archive ({exc})") from None


def check_archive(name: str, zf: zipfile.ZipFile) -> tuple[str, list[str]]:
    """Check an archive's member list; return its run id and the file names in its folder.

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
    files : list of str
        Names of the files in that folder, ``run.json`` among them.

    Raises
    ------
    RunError
        If the archive is empty, too large, encrypted, or holds links, unsafe paths,
        unexpected files or folders, or an invalid run id.
    """

    def refuse(why: str) -> RunError:
        return RunError(f"cannot import {name}: {why}")

    infos = zf.infolist()
    if not infos:
        raise refuse("the archive is empty")
    if len(infos) > 8:
        raise refuse(f"the archive holds {len(infos)} entries; a run archive holds 3")
    if sum(info.file_size for info in infos) > MAX_IMPORT_BYTES:
        raise refuse(f"the archive unpacks to more than {MAX_IMPORT_BYTES // 1024**3} GiB")
    tops, files = set(), []
    for info in infos:
        member = info.filename
        parts = member.split("/")
        if member.startswith("/") or "\\" in member or ":" in member or ".." in parts:
            raise refuse(f"unsafe path {member!r} (absolute, or leaving the run folder)")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise refuse(f"{member!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise refuse(f"{member!r} is encrypted")
        tops.add(parts[0])
        if info.is_dir():
            if len(parts) != 2 or parts[1]:
                raise refuse(f"unexpected folder {member!r}; a run archive holds one folder")
            continue
        if len(parts) != 2 or not (parts[1] == MANIFEST or TENSOR_FILE.fullmatch(parts[1])):
            raise refuse(
                f"unexpected file {member!r}; a run archive holds <run id>/{MANIFEST} and "
                "its tensor files"
            )
        files.append(parts[1])
    if len(tops) != 1:
        raise refuse(f"it holds {len(tops)} top-level entries; a run archive holds one folder")
    run_id = tops.pop()
    try:
        check_run_id(run_id)
    except RunError as exc:
        raise refuse(str(exc)) from None
    if len(set(files)) != len(files):
        raise refuse("it holds the same file twice")
    if MANIFEST not in files:
        raise refuse(f"it has no {run_id}/{MANIFEST}")
    return run_id, files


def extract(name: str, zf: zipfile.ZipFile, members: list[str], folder: Path) -> None:
    """Copy members into ``folder`` under names we choose, never through ``zf.extract``.

    Parameters
    ----------
    name : str
        The archive's file name, for messages.
    zf : zipfile.ZipFile
        The open archive, checked by :func:`check_archive`.
    members : list of str
        File names in the archive's folder, which is named like ``folder``.
    folder : Path
        Where to copy them; it must not exist yet.

    Raises
    ------
    RunError
        If the archive is damaged, unpacks to more than :data:`MAX_IMPORT_BYTES`, or the disk
        cannot be written.
    """
    folder.mkdir()
    total = 0
    try:
        for member in members:
            info = zf.getinfo(f"{folder.name}/{member}")
            with zf.open(info) as src, (folder / member).open("xb") as dst:
                # Count real bytes too: the sizes in the zip directory are only declarations.
                for chunk in iter(lambda src=src: src.read(1 << 20), b""):
                    total += len(chunk)
                    if total > MAX_IMPORT_BYTES:
                        raise RunError(
                            f"cannot import {name}: the archive unpacks to more than "
                            f"{MAX_IMPORT_BYTES // 1024**3} GiB"
                        )
                    dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise RunError(f"cannot import {name}: the archive is damaged ({exc})") from None
    except OSError as exc:
        raise RunError(f"cannot import {name}: {os_reason(exc)}") from exc


def check_only_listed(name: str, members: Iterable[str], files: Mapping[str, FileRef]) -> None:
    """Refuse an archive holding files that its manifest does not list.

    Parameters
    ----------
    name : str
        The archive's file name, for messages.
    members : iterable of str
        File names in the archive's folder.
    files : mapping of str to FileRef
        The tensor files the manifest lists.

    Raises
    ------
    RunError
        Naming the first unexpected file.
    """
    unexpected = sorted(set(members) - {MANIFEST} - {ref.name for ref in files.values()})
    if unexpected:
        raise RunError(
            f"cannot import {name}: unexpected file {unexpected[0]!r}; "
            f"a run archive holds only {MANIFEST} and the tensor files it lists"
        )
