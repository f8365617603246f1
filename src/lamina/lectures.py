"""Find, list and run the lecture scripts (``examples/lectures/NAME.py``).

Each lecture script defines ``main(out_dir, quick=False) -> dict``; it writes figures and
a ``summary.txt`` to ``out_dir`` and prints its headline numbers. ``lamina lecture
list`` and ``lamina lecture run NAME`` (see :mod:`lamina.cli`) call the functions here,
so a learner never needs to know where the scripts live.

Where the scripts are looked for, first match wins:

1. ``$LAMINA_LECTURES``, when set (a directory of lecture scripts);
2. ``examples/lectures`` of the source tree lamina was installed from (``pip install -e .``
   or running from a clone: it sits two levels above the package);
3. ``examples/lectures`` under the current directory.

Example:
    >>> from lamina import lectures
    >>> sorted(lectures.available())[:2]          # doctest: +SKIP
    ['activation_functions', 'backprop_by_hand']
    >>> lectures.run("activation_functions", "runs/act", quick=True)  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV_VAR", "Lecture", "LecturesNotFoundError", "available", "find", "lectures_dir",
           "run"]

ENV_VAR = "LAMINA_LECTURES"


class LecturesNotFoundError(FileNotFoundError):
    """The directory of lecture scripts could not be found."""


@dataclass(frozen=True)
class Lecture:
    """One lecture script: its ``name`` (the file name without ``.py``), ``path`` and
    ``title`` (the first line of its docstring)."""

    name: str
    path: Path
    title: str

    @property
    def number(self) -> int | None:
        """The lecture's number from a title such as ``"Lecture 3: ..."``, if any."""
        match = re.match(r"\s*Lecture\s+(\d+)", self.title)
        return int(match.group(1)) if match else None


def _candidates() -> list[tuple[str, Path]]:
    package = Path(__file__).resolve().parent          # .../src/lamina
    return [("the source tree lamina is installed from", package.parents[1] / "examples"
             / "lectures"),
            ("the current directory", Path.cwd() / "examples" / "lectures")]


def lectures_dir() -> Path:
    """The directory that holds the lecture scripts (see the module docstring).

    Raises:
        LecturesNotFoundError: ``$LAMINA_LECTURES`` is set to something that is not a
            directory, or no ``examples/lectures`` was found.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise LecturesNotFoundError(
                f"${ENV_VAR} is set to {env!r}, which is not a directory. Point it at the "
                f"examples/lectures directory of a lamina source tree, or unset it.")
        return path
    tried = []
    for where, path in _candidates():
        if path.is_dir():
            return path
        tried.append(f"{path} ({where})")
    raise LecturesNotFoundError(
        "The lecture scripts were not found; they live in examples/lectures of lamina's "
        "source tree, which this installation does not include. Looked in: "
        + "; ".join(tried) + f". Get the source (git clone) and run from it, or set "
        f"${ENV_VAR} to its examples/lectures directory.")


def _read_script(path: Path) -> Lecture | None:
    """A Lecture when ``path`` is a Python file with a top-level ``def main``."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    if not any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
        return None
    doc = ast.get_docstring(tree) or ""
    title = doc.strip().splitlines()[0].strip() if doc.strip() else ""
    return Lecture(path.stem, path, title)


def available(directory=None) -> dict[str, Lecture]:
    """Every lecture script (``*.py`` defining ``main``, not ``__init__``/``_private``)
    in ``directory`` (default :func:`lectures_dir`), ordered by lecture number, then name.
    """
    directory = lectures_dir() if directory is None else Path(directory)
    found = []
    for path in directory.glob("*.py"):
        if path.name.startswith("_"):
            continue
        lecture = _read_script(path)
        if lecture is not None:
            found.append(lecture)
    found.sort(key=lambda lec: (lec.number is None, lec.number or 0, lec.name))
    return {lec.name: lec for lec in found}


def find(name: str, directory=None) -> Lecture:
    """The lecture called ``name`` (case, ``_``/``-`` and a ``.py`` suffix ignored).

    Raises:
        ValueError: no such lecture; the message suggests the closest name and lists all.
        LecturesNotFoundError: the scripts were not found.
    """
    from lamina._lookup import lookup

    table = available(directory)
    if not table:
        where = lectures_dir() if directory is None else Path(directory)
        raise LecturesNotFoundError(f"No lecture scripts (*.py defining main) in {where}")
    if isinstance(name, str):
        name = name.strip().removesuffix(".py").replace("-", "_")
    return lookup(table, name, "lecture")


def run(name: str, out_dir=None, quick: bool = False, directory=None) -> dict:
    """Run lecture ``name``: its ``main(out_dir, quick=quick)``; returns what it returns.

    Args:
        name: the script's name, e.g. ``"perceptron_logic_gates"``.
        out_dir: where the figures and ``summary.txt`` go (default
            ``runs/lectures/NAME`` under the current directory, as the scripts' own).
        quick: the small budget the tests use (seconds, not minutes).
        directory: the lecture scripts' directory (default :func:`lectures_dir`).
    """
    lecture = find(name, directory)
    out = Path("runs") / "lectures" / lecture.name if out_dir is None else Path(out_dir)
    module_name = f"lamina_lecture_{lecture.name}"
    spec = importlib.util.spec_from_file_location(module_name, lecture.path)
    module = importlib.util.module_from_spec(spec)
    folder = str(lecture.path.parent)
    sys.path.insert(0, folder)          # a script may import a helper next to it
    sys.modules[module_name] = module   # dataclasses and pickling look the module up here
    try:
        spec.loader.exec_module(module)
        return module.main(out, quick=quick)
    finally:
        sys.modules.pop(module_name, None)
        if folder in sys.path:
            sys.path.remove(folder)
