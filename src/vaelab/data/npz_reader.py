"""Read the arrays of a ``.npz`` file within stated limits, never more than they declare.

``numpy.load`` trusts a file: a 1 KB ``.npz`` whose header declares a huge shape allocates it, and
a small compressed member inflates to whatever it holds. Here each member's ``.npy`` header is
read first (``numpy.lib.format``: magic string, then the header of version 1.0 or 2.0), so the
caller can check shape and dtype against its limits before any data is read; the zip's declared
sizes must agree with that header; a compressed member may not inflate more than
``MAX_INFLATION_RATIO`` times; and the data is read in bounded chunks
into an array of the declared size, so a lying header can neither inflate past it nor go unseen.
Object arrays are never loaded (they would unpickle, which runs code).
"""

from __future__ import annotations

import lzma
import math
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy

from vaelab.data.files import open_regular
from vaelab.data.limits import (
    INFLATION_CHECKED_ABOVE,
    MAX_DATASET_BYTES,
    MAX_INFLATION_RATIO,
    MAX_NPZ_DIRECTORY_BYTES,
)
from vaelab.errors import DatasetError

NPY_SUFFIX = ".npy"
#: Bytes read from a member at a time.
CHUNK_BYTES = 2**20
# What a damaged zip or member raises while it is read: bad CRC or structure, bad deflate, bzip2
# or LZMA stream, encryption (RuntimeError), an unknown compression method, a short file.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    struct.error,
)
# End of central directory record, and the zip64 locator and record that follow larger archives.
END_RECORD = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")
MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class ArrayHeader:
    """What a member's ``.npy`` header declares.

    Attributes
    ----------
    key : str
        The array's name (``"x"`` for the member ``x.npy``).
    shape : tuple of int
        Declared shape.
    dtype : numpy.dtype
        Declared dtype.
    fortran_order : bool
        Whether the data is stored column-major.
    """

    key: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        """Bytes of data the header declares."""
        return math.prod(self.shape) * self.dtype.itemsize


class NpzReader:
    """The members of an open ``.npz`` file; use :meth:`open`.

    Parameters
    ----------
    path : pathlib.Path
        The file, for messages.
    archive : zipfile.ZipFile
        The open archive.
    """

    def __init__(self, path: Path, archive: zipfile.ZipFile) -> None:
        self.path = path
        self._archive = archive
        self._members = {_key(info.filename): info for info in archive.infolist()}

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[NpzReader]:
        """Open a ``.npz`` file after checking that it is a regular file and a small zip.

        Parameters
        ----------
        path : pathlib.Path
            The file.

        Yields
        ------
        NpzReader
            The reader, valid inside the ``with`` block.

        Raises
        ------
        DatasetError
            If the file is not a regular file, not a zip, or its directory is too large.
        """
        with open_regular(path) as file:
            directory = _directory_size(file, path)
            if directory > MAX_NPZ_DIRECTORY_BYTES:
                raise DatasetError(
                    f"{path} has a zip directory of {directory:,} bytes; numpy.savez writes a "
                    f"few hundred, at most {MAX_NPZ_DIRECTORY_BYTES:,} are read"
                )
            try:
                archive = zipfile.ZipFile(file)
            except READ_ERRORS as exc:
                raise _damaged(path, exc) from None
            with archive:
                yield cls(path, archive)

    @property
    def keys(self) -> tuple[str, ...]:
        """Names of the arrays, in the order of the archive."""
        return tuple(self._members)

    def header(self, key: str) -> ArrayHeader | None:
        """Read the header of array ``key`` without reading its data.

        Parameters
        ----------
        key : str
            Name of the array.

        Returns
        -------
        ArrayHeader or None
            ``None`` when the file has no such array.

        Raises
        ------
        DatasetError
            If the header is damaged or declares Python objects, or the member would inflate
            too much.
        """
        info = self._members.get(key)
        if info is None:
            return None
        self._check_inflation(key, info)
        with self._member(info) as stream:
            return self._read_header(key, stream)[0]

    def read(self, header: ArrayHeader) -> np.ndarray:
        """Read the data of an array whose header the caller has checked.

        Parameters
        ----------
        header : ArrayHeader
            From :meth:`header`.

        Returns
        -------
        numpy.ndarray
            The array, of the declared shape and dtype.

        Raises
        ------
        DatasetError
            If the array is larger than any dataset may be, its header disagrees with the zip's
            sizes, or its data is truncated or fails the zip's checksum.
        """
        key, info = header.key, self._members[header.key]
        if header.nbytes > MAX_DATASET_BYTES:
            raise DatasetError(
                f"array '{key}' in {self.path} declares {header.nbytes / 2**30:.1f} GiB; "
                f"at most {MAX_DATASET_BYTES / 2**30:.0f} GiB is read"
            )
        with self._member(info) as stream:
            header_size = self._read_header(key, stream)[1]
            if header_size + header.nbytes != info.file_size:
                raise DatasetError(
                    f"{self.path} is truncated or damaged: array '{key}' declares "
                    f"{header.nbytes:,} bytes of data but its zip entry holds "
                    f"{max(info.file_size - header_size, 0):,}; save it again with numpy.savez"
                )
            stored_shape = header.shape[::-1] if header.fortran_order else header.shape
            array = np.empty(stored_shape, dtype=header.dtype)
            if header.nbytes:
                # zipfile stops at the entry's declared size and checks the CRC on its last bytes.
                self._fill(key, stream, memoryview(array.reshape(-1).view(np.uint8)))
        return array.T if header.fortran_order else array

    @contextmanager
    def _member(self, info: zipfile.ZipInfo) -> Iterator[BinaryIO]:
        try:
            stream = self._archive.open(info)
        except READ_ERRORS as exc:
            raise _damaged(self.path, exc) from None
        with stream:
            yield stream

    def _check_inflation(self, key: str, info: zipfile.ZipInfo) -> None:
        if info.compress_type == zipfile.ZIP_STORED or info.file_size <= INFLATION_CHECKED_ABOVE:
            return
        if info.file_size > MAX_INFLATION_RATIO * max(info.compress_size, 1):
            raise DatasetError(
                f"array '{key}' in {self.path} would inflate from "
                f"{info.compress_size / 2**20:,.1f} MB to {info.file_size / 2**20:,.0f} MB; "
                f"compressed arrays may grow at most {MAX_INFLATION_RATIO}-fold, so save it "
                "uncompressed with numpy.savez"
            )

    def _read_header(self, key: str, stream: BinaryIO) -> tuple[ArrayHeader, int]:
        try:
            version = npy.read_magic(stream)
            if version == (1, 0):
                shape, fortran_order, dtype = npy.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, fortran_order, dtype = npy.read_array_header_2_0(stream)
            else:
                raise ValueError(f".npy format version {version[0]}.{version[1]} is not read")
            size = stream.tell()
        except READ_ERRORS as exc:
            raise _damaged(self.path, exc, f"the header of array '{key}'") from None
        except (SyntaxError, RecursionError, MemoryError, TypeError) as exc:
            # The header is a Python literal parsed by ast.literal_eval; a hostile one may nest
            # too deep or carry absurd values.
            raise _damaged(self.path, exc, f"the header of array '{key}'") from None
        if dtype.hasobject:
            raise DatasetError(
                f"array '{key}' in {self.path} holds Python objects, which are never loaded "
                "(they could run code); save plain arrays of numbers or strings"
            )
        if any(isinstance(d, bool) or d < 0 for d in shape):
            raise DatasetError(
                f"{self.path} is damaged: array '{key}' declares the shape {shape}; "
                "save it again with numpy.savez"
            )
        return ArrayHeader(key, tuple(shape), dtype, fortran_order), size

    def _fill(self, key: str, stream: BinaryIO, out: memoryview) -> None:
        filled = 0
        while filled < len(out):
            try:
                count = stream.readinto(out[filled : filled + CHUNK_BYTES])
            except READ_ERRORS as exc:
                raise _damaged(self.path, exc) from None
            if not count:
                raise DatasetError(
                    f"{self.path} is truncated or damaged: array '{key}' stops after "
                    f"{filled:,} of its {len(out):,} bytes; save it again with numpy.savez"
                )
            filled += count


def _key(name: str) -> str:
    return name[: -len(NPY_SUFFIX)] if name.endswith(NPY_SUFFIX) else name


def _damaged(path: Path, exc: BaseException, where: str | None = None) -> DatasetError:
    reason = " ".join(str(exc).split())[:160] or type(exc).__name__
    detail = f"{where}: {reason}" if where else reason
    return DatasetError(
        f"{path} is truncated or damaged ({detail}); save it again with numpy.savez"
    )


def _directory_size(file: BinaryIO, path: Path) -> int:
    """Size of the zip directory, read from the end record as ``zipfile`` reads it.

    ``zipfile`` reads the whole directory and makes an object of every entry in it before a
    caller can count them, so its size is checked first.
    """
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, END_RECORD.size + MAX_COMMENT)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    # The record is 22 bytes, its 4-byte signature first, then an optional comment.
    at = tail.rfind(b"PK\x05\x06", 0, max(len(tail) - END_RECORD.size + 4, 0))
    if at < 0:
        raise DatasetError(
            f"{path} is not a .npz file; save your images with numpy.savez(path, x=images, "
            "y=labels)"
        )
    directory = END_RECORD.unpack_from(tail, at)[5]
    locator_at = at - ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        # A zip64 archive keeps its sizes in a record just before the locator.
        file.seek(max(size - tail_size + locator_at - ZIP64_END_RECORD.size, 0))
        record = file.read(ZIP64_END_RECORD.size)
        if len(record) == ZIP64_END_RECORD.size and record[:4] == b"PK\x06\x06":
            directory = max(directory, ZIP64_END_RECORD.unpack(record)[8])
    file.seek(0)
    return directory
