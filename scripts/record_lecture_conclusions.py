"""Run lectures in full and record their conclusions, so that tests can check ``--quick``
reaches the same ones without running the full budget (issue 20).

    python scripts/record_lecture_conclusions.py                  # every lecture (an hour+)
    python scripts/record_lecture_conclusions.py optimizers dropout

Writes ``examples/lectures/full_run_conclusions.json``: per lecture its conclusions
(``examples/lectures/_conclusions.py`` says what they are), when they were recorded and the
CPU seconds of the full run; lectures not named keep their entry. The figures of each run go
to ``runs/lectures/full/NAME``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LECTURES = ROOT / "examples" / "lectures"


def record(entries: dict, path: Path) -> None:
    """Merge ``entries`` ({name: entry}) into the record at ``path``."""
    data = json.loads(path.read_text()) if path.is_file() else {"lectures": {}}
    data["about"] = ("Conclusions of each lecture's full run (scripts/record_lecture_conclusions"
                     ".py); the tests assert that --quick reaches the same ones.")
    data["lectures"].update(entries)
    for name in entries:
        data.get("pending", {}).pop(name, None)
    data["lectures"] = dict(sorted(data["lectures"].items()))
    data["pending"] = dict(sorted(data.get("pending", {}).items()))
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def entry(name: str, result: dict, cpu_seconds: float) -> dict:
    sys.path.insert(0, str(LECTURES))
    import _conclusions

    return {"conclusions": _conclusions.of(name, result),
            "source": "full run (scripts/record_lecture_conclusions.py)",
            "recorded": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "cpu_seconds": round(cpu_seconds)}


def main(argv=None) -> None:
    from lamina import lectures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="lectures to run (default: all)")
    parser.add_argument("--out", default=str(LECTURES / "full_run_conclusions.json"))
    args = parser.parse_args(argv)
    names = args.names or list(lectures.available(LECTURES))
    for name in names:
        start = time.process_time()
        result = lectures.run(name, ROOT / "runs" / "lectures" / "full" / name,
                              directory=LECTURES)
        record({name: entry(name, result, time.process_time() - start)}, Path(args.out))
        print(f"{name}: recorded", flush=True)


if __name__ == "__main__":
    main()
