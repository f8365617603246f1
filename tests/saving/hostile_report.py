"""Load every hostile file of ``hostile_cases`` in a subprocess and print the outcomes.

    PYTHONPATH=src python -m tests.saving.hostile_report

Each load runs in its own process (address space capped at 4 GiB, 30 s timeout) that
reports its peak resident memory (``VmHWM``, the ``ru_maxrss`` of that process image).
An outcome is *clear* when the load raised a ValueError, TypeError or OSError whose
message names the file or the entry point (``load_model``/``load_weights``), *silent*
when the load succeeded, and a *crash* otherwise (another exception, a raw message, a
hang, or the process killed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys
from tests.saving.hostile import Case, run
path, entry = sys.argv[1], sys.argv[2]
out = {}
try:
    run(Case(path, entry))
    out["outcome"] = "ok"
except BaseException as err:
    out["outcome"] = "error"
    out["type"] = type(err).__name__
    out["clear_type"] = isinstance(err, (ValueError, TypeError, OSError)) and not isinstance(
        err, (KeyError, IndexError, UnicodeError))
    out["message"] = str(err)[:300]
# VmHWM: the peak RSS of this process image. ru_maxrss would do, but Linux carries it over
# fork and exec, so it starts at the parent's (e.g. a large pytest) resident size.
with open("/proc/self/status") as f:
    hwm = [line.split()[1] for line in f if line.startswith("VmHWM:")]
out["maxrss_mb"] = int(hwm[0]) / 1024 if hwm else \
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _limit():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def load_in_subprocess(case, timeout=30.0) -> dict:
    """Run ``hostile.run(case)`` in a fresh interpreter; its outcome and peak memory."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), root) if p)
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, case.path, case.entry], env=env,
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit)
    except subprocess.TimeoutExpired:
        return {"outcome": "hang", "message": f"no answer in {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"outcome": "killed", "message": proc.stderr.strip()[-300:]}
    return json.loads(lines[-1])


def classify(result: dict, case) -> str:
    if result["outcome"] == "ok":
        return "silent"
    if result["outcome"] != "error" or not result.get("clear_type"):
        return "crash"
    message = result["message"]
    names = (os.path.basename(case.path), "load_model", "load_weights")
    return "clear" if any(n in message for n in names) else "crash"


def main() -> None:
    from tests.saving.hostile_cases import CASES

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (section, build) in CASES.items():
            case = build(tmp)
            result = load_in_subprocess(case)
            kind = classify(result, case)
            rows.append((section, name, kind, result.get("maxrss_mb"),
                         result.get("type", result["outcome"]), result.get("message", "")))
            print(f"§{section} {name:28s} {kind:7s} "
                  f"{(result.get('maxrss_mb') or 0):7.0f} MB  {rows[-1][4]}: "
                  f"{rows[-1][5][:110]}", flush=True)
    for section in sorted({r[0] for r in rows}):
        kinds = [r[2] for r in rows if r[0] == section]
        print(f"§{section}: {len(kinds)} cases, {kinds.count('clear')} clear, "
              f"{kinds.count('silent')} silent, {kinds.count('crash')} crashes")


if __name__ == "__main__":
    main()
