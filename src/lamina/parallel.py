"""Use every core: batch work split over threads while BLAS runs one thread per call.

NumPy releases the GIL inside its loops and BLAS calls, so two Python threads working
on two halves of a batch run at the same time. OpenBLAS's own threading pays off only
for big matrix products: on the narrow products of a convolution and on everything
that is not a product (im2col copies, col2im adds, pooling) one core idles. So
:func:`parallel_for` runs ``fn(lo, hi)`` on contiguous parts of ``range(n)`` in a
thread pool and switches BLAS to one thread per call meanwhile (then back).

``LAMINA_NUM_THREADS`` (or :func:`set_num_threads`) sets the number of threads; 1 turns
splitting off. Nested calls run serially inside the worker that made them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor

_state = threading.local()
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_threads: int | None = None


def _default_threads() -> int:
    env = os.environ.get("LAMINA_NUM_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"LAMINA_NUM_THREADS must be a positive int; received {env!r}") \
                from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def num_threads() -> int:
    """How many threads batch work is split over."""
    global _threads
    if _threads is None:
        _threads = _default_threads()
    return _threads


def set_num_threads(n: int) -> None:
    """Split batch work over ``n`` threads (1: no splitting)."""
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive int; received {n!r}")
    with _lock:
        _threads = n
        if _pool is not None:
            _pool.shutdown(wait=False)
            _pool = None


class _Blas:
    """Get/set the thread count of the BLAS library NumPy loaded (OpenBLAS), if found."""

    NAMES = (("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
             ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
             ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
             ("openblas_set_num_threads", "openblas_get_num_threads"))

    def __init__(self):
        self.set = self.get = None
        try:
            with open("/proc/self/maps") as f:
                fields = [line.split() for line in f]
            paths = {p[-1] for p in fields if len(p) >= 6 and "blas" in p[-1].lower()
                     and ".so" in p[-1]}
        except OSError:  # pragma: no cover - not Linux
            return
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:  # pragma: no cover
                continue
            for set_name, get_name in self.NAMES:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    self.set, self.get = getattr(lib, set_name), getattr(lib, get_name)
                    self.set.argtypes, self.set.restype = [ctypes.c_int], None
                    self.get.argtypes, self.get.restype = [], ctypes.c_int
                    return


_blas: _Blas | None = None


def _blas_control() -> _Blas:
    global _blas
    if _blas is None:
        import numpy  # noqa: F401 - make sure NumPy's BLAS is loaded before looking

        _blas = _Blas()
    return _blas


@contextlib.contextmanager
def single_threaded_blas():
    """BLAS calls use one thread inside this block (when lamina can control it)."""
    blas = _blas_control()
    if blas.set is None:
        yield
        return
    before = blas.get()
    blas.set(1)
    try:
        yield
    finally:
        blas.set(before)


def _get_pool(n: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="lamina")
        return _pool


def _run(fn, lo, hi):
    _state.inside = True
    try:
        return fn(lo, hi)
    finally:
        _state.inside = False


def parallel_for(fn, n: int, min_per_thread: int = 1) -> list:
    """``[fn(lo, hi) for each part]`` over contiguous parts of ``range(n)``, in parallel.

    Args:
        fn: works on items ``lo:hi`` (e.g. images of a batch); must not touch other items'
            outputs. Its results are returned in order.
        n: number of items.
        min_per_thread: do not split below this many items per thread.
    """
    threads = min(num_threads(), n // max(min_per_thread, 1))
    if threads <= 1 or getattr(_state, "inside", False):
        return [fn(0, n)]
    bounds = [n * i // threads for i in range(threads + 1)]
    with single_threaded_blas():
        pool = _get_pool(num_threads())
        futures = [pool.submit(_run, fn, bounds[i], bounds[i + 1]) for i in range(threads - 1)]
        try:
            last = _run(fn, bounds[-2], bounds[-1])  # the calling thread takes the last part
        finally:
            done = [f.result() for f in futures]  # wait for all, even when ours failed
        return [*done, last]
