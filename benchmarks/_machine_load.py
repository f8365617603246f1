"""How busy the machine is: other programs' share of the CPU during a benchmark, and a wait
for a quiet machine before timing (Linux /proc; NaN elsewhere)."""

from __future__ import annotations

import os
import sys
import time


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:9]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def cpu_busy(seconds: float = 1.0) -> float:
    """Percent of the machine's CPU time in use (by anything) over the next ``seconds``."""
    try:
        busy0, total0 = _cpu_jiffies()
        time.sleep(seconds)
        busy1, total1 = _cpu_jiffies()
    except OSError:
        return float("nan")
    return 100.0 * (busy1 - busy0) / max(total1 - total0, 1)


def wait_for_quiet(threshold: float = 10.0, max_wait: float = 120.0) -> float:
    """Wait (up to ``max_wait`` s) until other programs use under ``threshold`` % CPU."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    if busy > threshold:
        print(f"waiting for the machine to go quiet ({busy:.0f}% CPU in use) ...", file=sys.stderr)
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return busy


def _process_ticks(pid: int) -> int:
    """CPU ticks (user + system) used so far by a running process; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


class BackgroundLoad:
    """Measure how much CPU *other* programs took while a benchmark ran (percent of all cores).

    Use as a context manager; ``percent`` is set on exit. Our own time is this process,
    its finished (waited-for) children, and the running processes ``pids`` (workers).
    """

    percent = float("nan")

    def __init__(self, pids=()):
        self.pids = tuple(pids)

    def _read(self):
        t = os.times()
        hz = os.sysconf("SC_CLK_TCK")
        own = sum(t[:4]) * hz + sum(_process_ticks(pid) for pid in self.pids)
        return _cpu_jiffies(), own

    def __enter__(self):
        try:
            self._start = self._read()
        except OSError:
            self._start = None
        return self

    def __exit__(self, *exc):
        if self._start is None:
            return False
        (busy0, total0), own0 = self._start
        (busy1, total1), own1 = self._read()
        other = busy1 - busy0 - (own1 - own0)
        self.percent = max(0.0, 100.0 * other / max(total1 - total0, 1))
        return False
