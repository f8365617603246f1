"""The review page and what it needs: the stored drawings per symbol, deleting wrong ones,
and the model's calibration shown to the user.

Like write-math's, a teacher picks a symbol and sees its stored drawings as thumbnails (the
32x32 images the recognizer saw), with how each was collected and when, and deletes the
wrong ones (a "+" stored as "y").

* ``GET /review``: the page (``static/review.html``).
* ``GET /api/drawings?label=\\alpha&offset=0&limit=60``: ``{"label", "unicode", "total",
  "offset", "drawings": [{"id", "mode", "created_at", "pixels"}]}``, newest first;
  ``pixels`` is the 32x32 image as base64 of 1024 bytes (ink 255), which the page paints
  on a canvas: no image is decoded or encoded on the server. ``limit`` at most 200.
* ``DELETE /api/drawings/{id}``: deletes one drawing -> ``{"deleted", "label", "count"}``,
  404 when there is none. A write: :class:`.guard.Guard` lets only the server's own page
  through (Origin), asks for the token when the server has one, and rate-limits it.
* ``GET /api/model``: the number of classes, the temperature and the calibration report of
  ``lamina recognizer calibrate`` (ECE before and after), and that report as a sentence.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from fastapi import HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

__all__ = ["MAX_PAGE", "add_review_routes", "read_calibration"]

MAX_PAGE = 200
_MAX_OFFSET = 10**9


def read_calibration(model_path) -> dict | None:
    """The ``"calibration"`` report in the JSON beside the model, or None."""
    if model_path is None:
        return None
    try:
        report = json.loads(Path(model_path).with_suffix(".json").read_text())["calibration"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return report if isinstance(report, dict) else None


def _int(value, name, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise HTTPException(422, f"{name} must be an integer from {low} to {high}; received "
                                 f"{str(value)[:20]!r}") from None
    if not low <= number <= high:
        raise HTTPException(422, f"{name} must be from {low} to {high}; received {number}")
    return number


def add_review_routes(app, store, recognizer, by_name, static, model_path=None) -> None:
    """Add the review page, the drawings listing and deletion, and ``/api/model`` to ``app``
    (``by_name``: LaTeX command or glyph -> symbol, as the app resolves labels)."""
    from lamina.apps.recognizer.calibration import describe

    calibration = read_calibration(model_path)
    try:
        sentence = None if calibration is None else describe(calibration)
    except (KeyError, TypeError, ValueError):
        sentence = None

    @app.get("/review", include_in_schema=False)
    async def review_page():
        return FileResponse(static / "review.html", media_type="text/html")

    @app.get("/api/model")
    async def model_info():
        return {"classes": len(recognizer.classes),
                "temperature": float(getattr(recognizer, "temperature", 1.0)),
                "calibration": calibration, "calibration_text": sentence}

    @app.get("/api/drawings")
    async def list_drawings(label: str = "", offset: str = "0", limit: str = "60"):
        if label not in by_name:
            raise HTTPException(422, f"unknown label {label[:60]!r}: it must be the LaTeX "
                                     "command of a symbol listed by /api/symbols")
        symbol = by_name[label]
        start = _int(offset, "offset", 0, _MAX_OFFSET)
        size = _int(limit, "limit", 1, MAX_PAGE)

        def work():
            return store.count(symbol.latex), store.page(symbol.latex, start, size)

        total, rows = await run_in_threadpool(work)
        return {"label": symbol.latex, "unicode": symbol.unicode, "total": total,
                "offset": start,
                "drawings": [{"id": r["id"], "mode": r["mode"], "created_at": r["created_at"],
                              "pixels": base64.b64encode(r["pixels"]).decode("ascii")}
                             for r in rows]}

    @app.delete("/api/drawings/{drawing_id}")
    async def delete_drawing(drawing_id: str):
        number = _int(drawing_id, "the drawing id", 1, 2**63 - 1)

        def work():
            label = store.delete(number)
            return label, (None if label is None else store.count(label))

        label, count = await run_in_threadpool(work)
        if label is None:
            raise HTTPException(404, f"no drawing with id {number}")
        return {"deleted": number, "label": label, "count": count}
