"""Every process-wide setting lamina applies, in one place.

lamina changes two things about the process it runs in. Both are for speed; neither changes
a number lamina computes. Both happen at lamina's first computation (the first op, or the
first backward), never at ``import lamina``, and each has an off switch:

1. **glibc's malloc thresholds** (:mod:`lamina._malloc`): freed arrays stay in the process
   for the next training step instead of going back to the kernel, which spares a page
   fault per 4 KiB page of every large array, every step. Off: ``LAMINA_MALLOC_TUNING=0``,
   or set glibc's own ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` /
   ``GLIBC_TUNABLES`` (yours then win). Skipped off glibc.
2. **BLAS threads** (:mod:`lamina.parallel`): while a lamina op runs, OpenBLAS runs one
   thread per call, and lamina splits the work over its own threads; the caller's BLAS
   setting is restored when the op returns. ``LAMINA_NUM_THREADS=N`` (or
   :func:`lamina.parallel.set_num_threads`) sets lamina's threads; 1 runs everything on the
   calling thread.

:func:`applied` tells what was done, e.g. for a bug report.
"""

from __future__ import annotations


def apply() -> None:
    """Apply the process-wide settings above (once: ``_malloc.tune`` remembers it ran)."""
    from lamina import _malloc

    _malloc.tune()


def applied() -> dict:
    """What lamina did to this process: ``{'malloc': ..., 'lamina_threads': ...}``."""
    from lamina import _malloc, parallel

    return {"malloc": _malloc.status or "not yet (no computation so far)",
            "lamina_threads": parallel.num_threads()}
