"""``GET /api/symbols`` gives each symbol's Unicode name, which the page's search box (any of
the symbols, not only the top 10) matches along with the LaTeX command (issue 20)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("PIL")

from lamina.datasets.symbols import CLASSES  # noqa: E402


def test_every_symbol_has_its_unicode_name(client):
    symbols = client.get("/api/symbols").json()["symbols"]
    assert len(symbols) == len(CLASSES)
    by_latex = {s["latex"]: s for s in symbols}
    assert by_latex[r"\alpha"]["name"] == "greek small letter alpha"
    assert by_latex["+"]["name"] == "plus sign"
    assert by_latex[r"\heartsuit"]["name"] == "white heart suit"
    assert all(s["name"] and s["name"] == s["name"].lower() for s in symbols)
