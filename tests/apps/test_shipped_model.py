"""The model in the repository: under 2 MB, loads, and reads hand-drawn strokes sensibly."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PIL")

from lamina.apps.recognizer.model import DEFAULT_MODEL, Recognizer, strokes_to_image  # noqa: E402
from lamina.apps.recognizer.train import RECIPE  # noqa: E402
from lamina.datasets.symbols import CLASSES  # noqa: E402
from tests.apps.conftest import ARROW, EQUALS, ONE, PLUS, ZERO  # noqa: E402


@pytest.fixture(scope="module")
def recognizer():
    if not DEFAULT_MODEL.is_file():
        pytest.skip(f"{DEFAULT_MODEL} is missing (lamina recognizer train)")
    return Recognizer.load()


def test_it_is_under_2_mb_covers_every_class_and_matches_its_report(recognizer):
    assert DEFAULT_MODEL.stat().st_size < 2_000_000
    assert [s.latex for s in recognizer.classes] == [s.latex for s in CLASSES]
    report = json.loads(DEFAULT_MODEL.with_suffix(".json").read_text())
    assert report["seed"] == RECIPE["seed"] and report["n_classes"] == len(CLASSES)
    assert report["n_per_class"] == RECIPE["n_per_class"] and report["epochs"] == RECIPE["epochs"]
    assert report["held_out"]["top1"] > 0.85 and report["held_out"]["top3"] > 0.95


@pytest.mark.parametrize("latex, strokes", [
    ("1", ONE), ("+", PLUS), ("=", EQUALS), ("0", ZERO), (r"\rightarrow", ARROW),
])
def test_hand_drawn_strokes_have_their_latex_in_the_top_3(recognizer, latex, strokes):
    top3 = [r["latex"] for r in recognizer.top_k(strokes_to_image(strokes), k=3)]
    assert latex in top3, f"drew {latex}, got {top3}"
