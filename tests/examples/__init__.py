"""Tests of examples/ and the lectures: each runs a script in a child process."""

import os
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def child_env(**extra) -> dict:
    """The environment for a child Python: this checkout's ``src`` first on PYTHONPATH (a
    child started in a temp directory would otherwise import whichever lamina is installed,
    e.g. another worktree's), then ``extra``."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}
