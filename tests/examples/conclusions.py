"""Quick mode may be coarser than the full run, never different (issue 20): each lecture's
test passes its quick result here, which asserts the conclusions the full run recorded in
``examples/lectures/full_run_conclusions.json`` (``scripts/record_lecture_conclusions.py``)."""

import importlib.util
from pathlib import Path

LECTURES = Path(__file__).resolve().parents[2] / "examples" / "lectures"


def conclusions_module():
    """``examples/lectures/_conclusions.py`` as a module."""
    spec = importlib.util.spec_from_file_location("lecture_conclusions", LECTURES /
                                                  "_conclusions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same_as_full_run(name: str, quick_result: dict) -> dict:
    """Assert lecture ``name``'s quick result concludes what its full run did; returns the
    conclusions. A lecture whose full run is listed as pending in the record is not compared
    (``test_lecture_conclusions.py`` keeps that list explicit)."""
    module = conclusions_module()
    quick, full = module.of(name, quick_result), module.recorded(name)
    if full is None:
        return quick
    differ = {k: {"quick": quick.get(k), "full": v} for k, v in full.items()
              if quick.get(k) != v}
    assert not differ and set(quick) == set(full), (
        f"lecture {name!r}: --quick concludes differently from the full run: {differ}")
    return quick
