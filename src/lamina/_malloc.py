"""Keep freed array memory in the process instead of handing it back to the kernel.

glibc's malloc serves a request above ``M_MMAP_THRESHOLD`` (128 KiB at start, raised
as large blocks get freed, up to 32 MiB) with a fresh ``mmap``, and returns heap memory
above ``M_TRIM_THRESHOLD`` to the kernel on ``free``. A training step allocates and
frees the same large arrays every step (layer outputs, im2col columns, gradients), so
every step pays a page fault per 4 KiB page of them again. Page faults are dear in a
virtual machine (benchmarks/CROSSOVERS.md has the measurements).

:func:`tune` raises both thresholds once, when lamina first computes. Memory a step
frees is then reused by the next step; the peak RSS of training did not change in
``benchmarks/compare.py``. It is skipped:

* off glibc (macOS, musl, Windows): nothing to tune there this way;
* when ``LAMINA_MALLOC_TUNING=0`` is set;
* when the user set ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or a
  ``glibc.malloc.*`` tunable in ``GLIBC_TUNABLES`` (their choice wins).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD = -1  # from glibc's <malloc.h>
M_MMAP_THRESHOLD = -3

#: requests below this are served from the heap (arrays up to 256 MiB get reused)
MMAP_THRESHOLD = 256 << 20
#: free memory kept at the top of the heap before it is returned to the kernel
TRIM_THRESHOLD = 512 << 20

#: what tune() did: None (not yet run), or a short reason / "tuned"
status: str | None = None


def tune() -> str:
    """Raise glibc's mmap and trim thresholds once per process; returns what was done."""
    global status
    if status is None:
        status = _tune()
    return status


def _tune() -> str:
    if os.environ.get("LAMINA_MALLOC_TUNING", "1").strip() in ("0", "false", "no", "off"):
        return "off (LAMINA_MALLOC_TUNING)"
    if ("MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ
            or "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", "")):
        return "off (MALLOC_*_ set by the user)"
    if not _glibc():
        return "off (not glibc)"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - glibc always has mallopt
        return "off (no mallopt)"
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # glibc before 2.35 or so refuses an mmap threshold above HEAP_MAX_SIZE / 2 (32 MiB on
    # 64-bit): then take the largest it allows
    mmap_ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) or mallopt(M_MMAP_THRESHOLD, 32 << 20)
    trim_ok = mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    if mmap_ok and trim_ok:
        return "tuned"
    return "partly tuned" if mmap_ok or trim_ok else "off (mallopt refused)"


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not POSIX, or not glibc
        return False
