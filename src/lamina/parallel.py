"""Use every core: batch work split over threads while BLAS runs one thread per call.

NumPy releases the GIL inside its loops and BLAS calls, so two Python threads working
on two halves of a batch run at the same time. OpenBLAS's own threading pays off only
for big matrix products: on the narrow products of a convolution and on everything
that is not a product (im2col copies, col2im adds, pooling) one core idles. So
:func:`parallel_for` runs ``fn(lo, hi)`` on contiguous parts of ``range(n)`` in a
thread pool, and :func:`matmul` cuts a big product into one part per thread, each a
single-threaded BLAS call.

Every lamina op runs inside :func:`lamina_threads`, which keeps BLAS at one thread (its
worker threads, which busy-wait after each multi-threaded call, then sleep and leave the
cores to lamina's threads) and restores the caller's setting on leaving.

How work is cut depends only on its size and on the thread count, never on what ran before
in the process: a product's rounding depends on where its rows are cut, so the same call
gives the same bits every time. ``LAMINA_NUM_THREADS`` (or :func:`set_num_threads`) sets
the number of threads; 1 turns splitting off. Nested calls run serially inside the worker
that made them. The process-wide settings this implies are listed in
:mod:`lamina.process_settings`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import threading

_state = threading.local()
_lock = threading.Lock()
_pool = None  # the _Workers, started on first use
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
    global _threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive int; received {n!r}")
    with _lock:
        _threads = n  # the workers stay; more start when a larger split first needs them


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

        from lamina import process_settings

        process_settings.apply()  # lamina's first computation: see there for what it does
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


def in_lamina_threads() -> bool:
    """True inside :func:`lamina_threads` (on this thread)."""
    return getattr(_state, "depth", 0) > 0


@contextlib.contextmanager
def lamina_threads():
    """The scope of lamina's compute: BLAS at one thread, restored on leaving the outermost.

    Nested scopes cost one attribute check, the outermost two ctypes calls (~1 us).
    """
    if getattr(_state, "depth", 0):
        _state.depth += 1
        try:
            yield
        finally:
            _state.depth -= 1
        return
    blas = _blas_control()
    before = blas.get() if blas.set is not None else None
    if before is not None and before != 1:
        blas.set(1)
    _state.depth = 1
    try:
        yield
    finally:
        _state.depth = 0
        if before is not None and before != 1:
            blas.set(before)


#: below this many multiply-adds a product is not split (a hand-off costs ~30 us)
MATMUL_SPLIT_MIN = 1 << 21


def plan_matmul(m: int, k: int, n: int, threads: int) -> str:
    """How :func:`matmul` runs an (m, k) @ (k, n) product on ``threads`` threads.

    ``'whole'``: one BLAS call (small products, one thread, or inside a worker);
    ``'rows'``: the rows of ``a`` cut into one part per thread; ``'columns'``: the columns of
    ``b``, when there are fewer rows than columns. Sizes and thread count alone decide.
    """
    if threads <= 1 or m * k * n < MATMUL_SPLIT_MIN:
        return "whole"
    return "rows" if m >= n else "columns"


def matmul(xp, a, b, out=None, epilogue=None):
    """``a @ b`` for 2-D ``a`` (M, K) and ``b`` (K, N), on every core when it pays.

    Each part is a single-threaded BLAS call writing into its slice of ``out``, cut as
    :func:`plan_matmul` says. Transposed views (``x.T``) go to BLAS as they are, no copy.
    ``epilogue(part, columns)``, if given, runs on each part of ``out`` right after its
    product, on the same thread while the part is in the cache (``columns`` is the slice of
    ``out``'s columns the part holds): an elementwise finish such as a bias and an activation
    then runs on every core, with the same bits as after the whole product.
    """
    m, k = a.shape
    n = b.shape[1]
    if out is None:
        out = xp.empty((m, n), dtype=xp.result_type(a, b))
    threads = 1 if getattr(_state, "inside", False) else num_threads()
    plan = plan_matmul(m, k, n, threads)
    finish = epilogue or (lambda part, columns: None)
    if plan == "whole":
        xp.matmul(a, b, out=out)
        finish(out, slice(None))
    elif plan == "rows":
        def rows(lo, hi):
            xp.matmul(a[lo:hi], b, out=out[lo:hi])
            finish(out[lo:hi], slice(None))

        _parallel_for(rows, m, 8, share=caller_share(m * k * n, threads))
    else:
        def columns(lo, hi):
            xp.matmul(a, b[:, lo:hi], out=out[:, lo:hi])
            finish(out[:, lo:hi], slice(lo, hi))

        _parallel_for(columns, n, 8, share=caller_share(m * k * n, threads))
    return out


class _Workers:
    """Long-lived worker threads, each fed through its own queue.

    A hand-off costs a queue put and a wake-up, several times less than a
    ``ThreadPoolExecutor`` future, which matters for the short products of a dense layer.
    """

    def __init__(self, count: int):
        self.queues = [queue.SimpleQueue() for _ in range(count)]
        for i, q in enumerate(self.queues):
            threading.Thread(target=self._loop, args=(q,), name=f"lamina-{i}",
                             daemon=True).start()

    @staticmethod
    def _loop(q):
        while True:
            fn, lo, hi, slot, done = q.get()
            try:
                done.put((slot, True, _run(fn, lo, hi)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
                done.put((slot, False, exc))


def _get_workers(count: int) -> _Workers:
    global _pool
    with _lock:
        if _pool is None or len(_pool.queues) < count:
            _pool = _Workers(count)
        return _pool


def _run(fn, lo, hi):
    _state.inside = True
    try:
        return fn(lo, hi)
    finally:
        _state.inside = False


#: the multiply-adds a core does while a worker wakes up (30-100 us after the hand-off):
#: ~45 us of single-precision product on the 2-core machines we benchmark on
HANDOFF_MACS = 3 << 20


def caller_share(macs: int, threads: int) -> float:
    """The calling thread's share of a product of ``macs`` multiply-adds cut over ``threads``.

    The workers start ``HANDOFF_MACS`` of work late, so all finish together when the caller
    takes an even part plus the work it does meanwhile: with 2 threads, 0.54-0.56 of the
    products of a 784-500-500-10 MLP at batch 100, 0.504-0.506 at batch 1000. At most 0.1 above
    an even part. Sizes alone decide: a product's rounding depends on where it is cut.
    """
    even = 1.0 / threads
    return even + min((1.0 - even) * HANDOFF_MACS / max(macs, 1), 0.1)


def _split(n: int, threads: int, share: float) -> list:
    """Part bounds: the workers' parts first (equal), the caller's (``share`` of n) last."""
    own = min(max(round(n * share), 1), n - (threads - 1))
    rest = n - own
    return [rest * i // (threads - 1) for i in range(threads)] + [n]


def parallel_for(fn, n: int, min_per_thread: int = 1) -> list:
    """``[fn(lo, hi) for each part]`` over contiguous parts of ``range(n)``, in parallel.

    The calling thread takes the last part.

    Args:
        fn: works on items ``lo:hi`` (e.g. images of a batch); must not touch other items'
            outputs. Its results are returned in order.
        n: number of items.
        min_per_thread: do not split below this many items per thread.
    """
    return _parallel_for(fn, n, min_per_thread)


def _parallel_for(fn, n: int, min_per_thread: int = 1, share: float | None = None) -> list:
    """The work of :func:`parallel_for`; ``share``: the calling thread's part of the items
    (:func:`caller_share`, for :func:`matmul`), else even parts.

    A worker thread starts some tens of microseconds after the hand-off, so on short work an
    even split leaves the caller waiting for the worker (benchmarks/CROSSOVERS.md). The share
    comes from the sizes, not from timing, so results do not depend on timing (a product's
    rounding depends on where its rows are cut).
    """
    threads = min(num_threads(), n // max(min_per_thread, 1))
    if threads <= 1 or getattr(_state, "inside", False):
        return [fn(0, n)]
    if share is not None:
        bounds = _split(n, threads, share)
    else:
        bounds = [n * i // threads for i in range(threads + 1)]
    with contextlib.nullcontext() if in_lamina_threads() else single_threaded_blas():
        workers = _get_workers(threads - 1)
        done = queue.SimpleQueue()
        for i in range(threads - 1):
            workers.queues[i].put((fn, bounds[i], bounds[i + 1], i, done))
        try:
            last = _run(fn, bounds[-2], bounds[-1])  # the calling thread takes the last part
        finally:
            results = [None] * (threads - 1)
            failure = None
            for _ in range(threads - 1):  # wait for all, even when ours failed
                slot, ok, value = done.get()
                results[slot] = value
                if not ok and failure is None:
                    failure = value
        if failure is not None:
            raise failure
        return [*results, last]
