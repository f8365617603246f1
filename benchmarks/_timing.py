"""Shared helpers for the benchmark scripts: timing, machine info, tables, JSON results.

Every benchmark script imports this module (``from _timing import ...``; running a
script puts ``benchmarks/`` on ``sys.path``). Timings are wall-clock seconds from
``time.perf_counter``; scripts report medians in milliseconds.
"""

from __future__ import annotations

import ctypes
import datetime
import gc
import hashlib
import json
import math
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy
from _machine_load import BackgroundLoad, cpu_busy, wait_for_quiet  # noqa: F401 - re-exported

RESULTS_DIR = Path(__file__).resolve().parent / "results"


# ---------------------------------------------------------------------------- timing
def time_once(fn: Callable[[], object]) -> float:
    """Seconds for one call of ``fn``, after collecting garbage left by earlier calls."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


Timer = Callable[[int], list]  # timer(n): untimed calls (>= WARM_SECONDS), then n timed -> n s


#: untimed calls before each turn's timed ones go on for at least this long
WARM_SECONDS = 0.04


def local_timer(fn: Callable[[], object]) -> Timer:
    """A timer for ``fn`` run in this process (see :class:`Worker` for another process)."""

    def timer(n: int) -> list:
        # Re-warm caches and thread pools after whatever ran before, for at least
        # WARM_SECONDS: on the cloud VMs a core that idled (the other side's turn) runs
        # lamina's thread hand-offs slowly for ~20 ms (a dense step took 4.4 ms after a
        # 50 ms pause and 3.0 ms back to back), while PyTorch's spinning threads never idle.
        end = time.perf_counter() + WARM_SECONDS
        fn()
        while time.perf_counter() < end:
            fn()
        return [time_once(fn) for _ in range(n)]

    return timer


def interleaved(
    timers: dict[str, Timer],
    repeats: int = 7,
    warmup: int = 2,
    block: int = 1,
    min_seconds: float = 0.0,
    max_repeats: int = 200,
    settle: float = 0.012,
) -> dict[str, list[float]]:
    """Time several cases in turns, so drift (thermal, other load) hits all of them alike.

    Each round runs every timer once (``block`` timed calls after untimed ones for at least
    ``WARM_SECONDS``),
    alternating the order from round to round. ``warmup`` untimed calls per case come
    first; then rounds run until each case has at least ``repeats`` timings, and more
    (up to ``max_repeats``) until about ``min_seconds`` of timed calls have passed.

    After each turn the driver sleeps ``settle`` seconds, so that the next case does not
    share the CPU with the previous one's idle threads: PyTorch's OpenMP/MKL workers keep
    spinning for about 8 ms after a call (measured on 2 cores), which made a 3 ms lamina
    step run on one core when it followed a PyTorch turn. Not much longer: on the cloud VMs
    a core left idle for 20 ms or more runs slowly for the next ~20 ms (a lamina MLP step
    took 4.1 ms after a 30 ms pause and 2.7 ms after a 12 ms one).

    Returns:
        ``{name: [seconds per call, ...]}``.
    """
    names = list(timers)
    per_call = sum(statistics.median(timers[name](warmup or 1)) for name in names)
    wanted = repeats
    if min_seconds > 0 and per_call > 0:
        wanted = max(repeats, min(max_repeats, math.ceil(min_seconds / per_call)))
    rounds = math.ceil(wanted / block)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            times[name].extend(timers[name](block))
            time.sleep(settle)
    return times


def _serve(factory, conn) -> None:
    """Worker process loop: build the cases, then answer ("time"|"outputs", name, n)."""
    try:
        cases, info = factory()
        conn.send(("ok", info))
    except Exception:
        conn.send(("error", traceback.format_exc()))
        return
    while True:
        try:
            msg = conn.recv()
        except EOFError:  # the driving process is gone
            return
        if msg is None:
            return
        cmd, name, n = msg
        try:
            fn, outputs = cases[name]
            if cmd == "time":
                conn.send(("ok", local_timer(fn)(n)))
            else:
                conn.send(("ok", outputs(fn())))
        except Exception:
            conn.send(("error", traceback.format_exc()))


class Worker:
    """Cases that run in their own fresh Python process, driven from this one.

    Two libraries in one process fight over the CPU: NumPy's OpenBLAS threads and
    PyTorch's OpenMP threads keep spinning after each call, and on 2 cores that
    made both sides several times slower when interleaved. A worker per library
    keeps each thread pool alone in its process, as in a user's program.

    Args:
        factory: a module-level function (picklable) returning ``(cases, info)``:
            ``cases`` maps a name to ``(fn, outputs)``, where ``fn()`` runs the case
            and ``outputs(fn())`` turns its result into a dict of NumPy arrays for
            checks; ``info`` is a dict (versions, threads, data digest, ...).
    """

    def __init__(self, factory):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(factory, child), daemon=True)
        self._proc.start()
        self.pid = self._proc.pid
        child.close()
        self.info = self._receive()

    def _receive(self):
        try:
            status, value = self._conn.recv()
        except EOFError:
            raise RuntimeError("benchmark worker exited (see its error above)") from None
        if status != "ok":
            raise RuntimeError(f"benchmark worker failed:\n{value}")
        return value

    def _ask(self, cmd: str, name: str, n: int = 0):
        self._conn.send((cmd, name, n))
        return self._receive()

    def timer(self, name: str) -> Timer:
        return lambda n: self._ask("time", name, n)

    def outputs(self, name: str) -> dict:
        return self._ask("outputs", name)

    def close(self) -> None:
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._proc.join(timeout=10)


def median_ms(seconds: list[float]) -> float:
    return 1000.0 * statistics.median(seconds)


def import_times(modules: list[str], repeats: int = 5, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds to ``import`` each module in a fresh interpreter (interleaved, import only).

    Interpreter start-up is excluded: the child times just the import statement.
    The ``warmup`` runs fill the OS file cache and are not reported.
    """
    def run(module: str) -> float:
        code = (
            "import time; t = time.perf_counter(); import " + module
            + "; print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    for _ in range(warmup):
        for module in modules:
            run(module)
    times: dict[str, list[float]] = {m: [] for m in modules}
    for r in range(repeats):
        for module in modules if r % 2 == 0 else modules[::-1]:
            times[module].append(run(module))
    return times


# -------------------------------------------------------------------- correctness
def max_diff(actual, expected) -> tuple[float, float]:
    """Max absolute difference and that difference relative to ``max|expected|``."""
    actual = numpy.asarray(actual, dtype=numpy.float64)
    expected = numpy.asarray(expected, dtype=numpy.float64)
    if actual.shape != expected.shape:
        raise ValueError(f"shape mismatch: {actual.shape} vs {expected.shape}")
    diff = float(numpy.max(numpy.abs(actual - expected))) if actual.size else 0.0
    scale = float(numpy.max(numpy.abs(expected))) if expected.size else 0.0
    return diff, diff / scale if scale > 0 else diff


# ------------------------------------------------------------------ machine info
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_threads() -> int | None:
    """Threads NumPy's OpenBLAS uses (read from the loaded library), or None if unknown."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in (
            "scipy_openblas_get_num_threads64_",
            "openblas_get_num_threads64_",
            "openblas_get_num_threads",
        ):
            if hasattr(lib, symbol):
                return int(getattr(lib, symbol)())
    return None


def blas_info() -> str:
    """One line: NumPy's BLAS library, version and threads."""
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no mode="dicts"
        text = "unknown BLAS"
    threads = blas_threads()
    return f"{text}, {threads if threads is not None else '?'} threads"


def machine_info() -> dict:
    """Date, CPU, cores, and library versions, for the results file and the table header."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "blas": blas_info(),
    }


def torch_info(torch) -> dict:
    """PyTorch version, intra-op threads and whether oneDNN (MKL-DNN) kernels are available."""
    return {
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "torch_onednn": bool(torch.backends.mkldnn.is_available()),
    }


def digest(arrays: dict) -> str:
    """A short hash of named arrays, to prove two processes built the same data."""
    h = hashlib.sha1()
    for name in sorted(arrays):
        a = numpy.ascontiguousarray(arrays[name])
        h.update(f"{name}{a.dtype}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- output
def format_table(headers: list[str], rows: list[list]) -> str:
    """An aligned plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row):
        pairs = enumerate(zip(row, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def write_results(name: str, payload: dict, directory: Path = RESULTS_DIR) -> Path:
    """Write ``payload`` to ``<directory>/<name>-<YYYYmmdd-HHMMSS>.json``; return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = directory / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
