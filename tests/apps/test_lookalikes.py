"""Hand-like held-out drawings of the look-alike symbols (calibration data)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PIL")

from lamina.apps.recognizer.lookalikes import FAMILIES, lookalike_drawings, pen_paths  # noqa: E402
from lamina.apps.recognizer.sharing import LOOKALIKES  # noqa: E402
from lamina.datasets.symbols import CLASSES, index_of  # noqa: E402


def test_every_lookalike_symbol_has_a_family():
    assert set(FAMILIES) == {latex for group in LOOKALIKES for latex in group}


def test_drawings_are_seeded_labelled_and_normalised_like_the_page():
    x, y = lookalike_drawings(CLASSES, per_class=3, seed=5)
    assert x.shape == (18, 32, 32, 1) and x.dtype == np.float32
    assert [CLASSES[i].latex for i in y] == [latex for latex in FAMILIES for _ in range(3)]
    assert 0.0 <= x.min() and x.max() <= 1.0
    ink = x[..., 0] > 0.05
    # fitted like a page drawing: the ink touches the 2-pixel margin on its longer side
    assert all(i[:, 2:30].any(axis=0).all() or i[2:30].any(axis=1).all() for i in ink)
    again, _ = lookalike_drawings(CLASSES, per_class=3, seed=5)
    np.testing.assert_array_equal(x, again)
    other, _ = lookalike_drawings(CLASSES, per_class=3, seed=6)
    assert not np.array_equal(x, other)


def test_pen_paths_are_page_strokes():
    strokes = pen_paths(r"\alpha", np.random.default_rng(0))
    assert len(strokes) == 1 and all(len(point) == 2 for point in strokes[0])
    xs = [point[0] for point in strokes[0]]
    assert 0 <= min(xs) and max(xs) <= 420
    assert len(pen_paths("x", np.random.default_rng(0))) == 2


def test_a_model_without_the_symbols_gets_none():
    x, y = lookalike_drawings(CLASSES[:62], per_class=2, seed=0)   # digits, Latin: x and X
    assert sorted({CLASSES[i].latex for i in y}) == ["X", "x"] and len(y) == 4
    assert index_of("x") == y.max()
    x, y = lookalike_drawings(CLASSES[:10], per_class=2, seed=0)
    assert x.shape == (0, 32, 32, 1) and y.shape == (0,)
