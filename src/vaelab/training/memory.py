"""Keeping freed memory for reuse, so that training does not page-fault its activations back in.

PyTorch's CPU tensors come from ``malloc``. With glibc's defaults, the buffers of a training step
(a few MB each) are handed back to the operating system when freed and faulted in again, zeroed,
at the next step: about 6,000 page faults per step for the default model at batch 64, a third of
its time. Raising glibc's trim and mmap thresholds keeps that memory in the process for reuse.
Results are unchanged; the cost is that up to :data:`TRIM_THRESHOLD` bytes of freed memory stay
with the process instead of going back to the system.

It is an option of the host process, off unless asked for: the setting holds for the whole
process and cannot be undone, so the library never makes it on its own behalf (a notebook or a
server that imports ``vaelab`` keeps its allocator as it was). The ``vaelab`` command line turns
it on for the commands that train or evaluate, the app's entry point turns it on for its server, and
``vaelab bench`` turns it on for the engine's passes only, after the tutorial's. A script that
trains on the CPU gets the same speed by calling :func:`retain_freed_memory` once before training.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

#: Allocations at least this large still get their own mapping (and are returned when freed).
MMAP_THRESHOLD = 256 * 2**20
#: Freed memory kept at the top of the heap before it is given back to the system.
TRIM_THRESHOLD = 512 * 2**20
# Parameter numbers of glibc's mallopt (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_retaining = False


def retain_freed_memory() -> bool:
    """Ask glibc's allocator to keep freed memory for reuse, for the rest of the process.

    Call it from the program that owns the process (a command line, a server's entry point, a
    training script), never from library code; calling it again does nothing.

    Returns
    -------
    bool
        Whether the setting is in effect: ``False`` where the C library is not glibc (macOS,
        Windows, musl), which simply keeps its own behaviour.
    """
    global _retaining
    if _retaining or not sys.platform.startswith("linux"):
        return _retaining
    mallopt = _mallopt()
    if mallopt is None:
        return False
    _retaining = (
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
    return _retaining


def _mallopt() -> Callable[[int, int], int] | None:
    """The C library's ``mallopt`` (glibc's), or ``None`` where it has none."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return mallopt
