"""Keeping freed memory for reuse, so that training does not page-fault its activations back in.

PyTorch's CPU tensors come from ``malloc``. With glibc's defaults, the buffers of a training step
(a few MB each) are handed back to the operating system when freed and faulted in again, zeroed,
at the next step: about 6,000 page faults per step for the default model at batch 64, a third of
its time. Raising glibc's trim and mmap thresholds keeps that memory in the process for reuse.
Results are unchanged; the cost is that up to :data:`TRIM_THRESHOLD` bytes of freed memory stay
with the process instead of going back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: Allocations at least this large still get their own mapping (and are returned when freed).
MMAP_THRESHOLD = 256 * 2**20
#: Freed memory kept at the top of the heap before it is given back to the system.
TRIM_THRESHOLD = 512 * 2**20
# Parameter numbers of glibc's mallopt (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_retaining = False


def retain_freed_memory() -> bool:
    """Ask glibc's allocator to keep freed memory for reuse (once per process).

    Returns
    -------
    bool
        Whether the setting is in effect: ``False`` where the C library is not glibc (macOS,
        Windows, musl), which simply keeps its own behaviour.
    """
    global _retaining
    if _retaining or not sys.platform.startswith("linux"):
        return _retaining
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    _retaining = (
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
    return _retaining
