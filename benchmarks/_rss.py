"""Peak resident memory of the benchmark worker process (Linux /proc, else getrusage)."""

from __future__ import annotations


def _status_mb(field: str) -> float | None:
    """A ``/proc/self/status`` memory field (VmRSS, VmHWM) in MB, or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS; False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    import resource  # ru_maxrss is in kB on Linux

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _memory(result: dict, before: float | None, reset: bool) -> dict:
    result.update(rss_before_train_mb=before, peak_rss_train_mb=_peak_rss_mb(),
                  peak_rss_reset=reset)
    return result
