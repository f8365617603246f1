"""Every lecture says what it concludes, has its full run's conclusions recorded, and its test
checks that ``--quick`` reaches them (issue 20: quick mode may be coarser, never different)."""

import json
import re
from pathlib import Path

from lamina import lectures
from tests.examples.conclusions import LECTURES, conclusions_module

TESTS = Path(__file__).resolve().parent
#: lectures whose full run has not been recorded yet (each says why in the record); this
#: list may only shrink, and is empty: every lecture's quick run is compared with its full run
PENDING = set()


def test_every_lecture_has_conclusions_a_full_run_record_and_a_test_that_compares():
    names = set(lectures.available(LECTURES))
    module = conclusions_module()
    data = json.loads(module.RECORD.read_text())
    record, pending = data["lectures"], data.get("pending", {})
    assert len(names) >= 23
    assert {n for n in names if callable(getattr(module, n, None))} == names
    assert set(record) | set(pending) == names
    assert set(pending) <= PENDING and all(pending.values()), pending
    compared = set()
    for path in TESTS.glob("test_*.py"):
        compared |= set(re.findall(r'assert_same_as_full_run\("(\w+)"', path.read_text()))
    assert compared == names, sorted(names ^ compared)
    for name, entry in record.items():
        assert entry["conclusions"] and entry["source"], name


def test_a_different_conclusion_fails_with_both_sides_named():
    from tests.examples.conclusions import assert_same_as_full_run

    full = conclusions_module().recorded("optimizers")
    result = {"winner": {**full["winner"], "saddle": "SGD"},
              "steps_to_threshold": {"beale": {k: 1 for k in full["reach Beale's minimum"]}},
              "stuck_at_saddle": full["stuck at the saddle"]}
    try:
        assert_same_as_full_run("optimizers", result)
    except AssertionError as error:
        assert "'winner'" in str(error) and "'saddle': 'SGD'" in str(error)
    else:
        raise AssertionError("a flipped saddle winner passed")
