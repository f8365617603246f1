"""The drawings people label on the page, kept in one SQLite file.

Each row is one drawing: its label (a LaTeX command of :data:`lamina.datasets.symbols.CLASSES`),
the 32x32 image the recognizer saw (1024 bytes, ink 0..255), the page's strokes (JSON) or the
uploaded PNG when there was one, how it was collected (``"vote"``: the ✓ on a result;
``"train"``: the Train tab's prompt) and when. Every statement binds its values as parameters
(``?``); no SQL is ever built from a value.

A connection is opened per call, so one store serves any number of threads; the file is in WAL
mode, so readers never wait for a writer. ``max_bytes`` caps the database's size: a drawing
that could take it over raises :class:`StorageFull` and is not stored.

Example:
    >>> store = DrawingStore("/tmp/drawings.sqlite3")            # doctest: +SKIP
    >>> store.add(r"\\alpha", image)                             # doctest: +SKIP
    1
    >>> x, labels = store.images()                               # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from pathlib import Path

import numpy

__all__ = ["MODES", "DrawingStore", "StorageFull"]

MODES = ("vote", "train")
"""How a drawing was collected: a ✓ on a result, or the Train tab's prompt."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drawings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    label      TEXT    NOT NULL,
    mode       TEXT    NOT NULL CHECK (mode IN ('vote', 'train')),
    image      BLOB    NOT NULL CHECK (length(image) = 1024),
    strokes    TEXT,
    png        BLOB,
    created_at REAL    NOT NULL
);
CREATE INDEX IF NOT EXISTS drawings_label ON drawings (label);
"""

IMAGE_SIZE = 32


class StorageFull(OSError):
    """Storing a drawing would take the store over its ``max_bytes``."""


class DrawingStore:
    """Labelled drawings in the SQLite file ``path`` (created with its folder when missing),
    at most ``max_bytes`` of them (the database's pages; its write-ahead log, a few MB at
    most, comes on top; None: no cap).
    """

    def __init__(self, path, max_bytes: int | None = None):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self):
        db = sqlite3.connect(os.fspath(self.path), timeout=10.0)
        try:
            with db:  # commits on success, rolls back on an exception
                yield db
        finally:
            db.close()

    def add(self, label: str, image, mode: str = "vote", strokes=None, png: bytes | None = None,
            ) -> int:
        """Store one drawing; returns its id.

        Args:
            label: the LaTeX command (the caller checks it is a known class).
            image: ``(32, 32)`` or ``(32, 32, 1)`` floats, ink 1.0 on 0.0.
            mode: one of :data:`MODES`.
            strokes: the page's stroke list (stored as JSON), or None.
            png: the uploaded image's bytes, or None.
        """
        if mode not in MODES:
            raise ValueError(f"DrawingStore.add: mode must be one of {MODES}; received {mode!r}")
        pixels = numpy.asarray(image, dtype=numpy.float32).reshape(-1)
        if pixels.size != IMAGE_SIZE * IMAGE_SIZE:
            raise ValueError(f"DrawingStore.add: image must have 32x32 pixels; received "
                             f"shape {numpy.shape(image)}")
        blob = (numpy.clip(numpy.nan_to_num(pixels), 0.0, 1.0) * 255.0 + 0.5).astype(numpy.uint8)
        stroke_json = None if strokes is None else json.dumps(strokes, separators=(",", ":"))
        with self._connect() as db:
            if self.max_bytes is not None:
                db.execute("BEGIN IMMEDIATE")  # the check and the insert: one writer at a time
                row = blob.size + len(stroke_json or "") + len(png or b"") + len(label)
                self._check_room(db, row)
            cursor = db.execute(
                "INSERT INTO drawings (label, mode, image, strokes, png, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (label, mode, blob.tobytes(), stroke_json, png, time.time()),
            )
            return int(cursor.lastrowid)

    def _check_room(self, db, row: int) -> None:
        """Raise :class:`StorageFull` unless a row of ``row`` bytes surely fits: its pages,
        and two more for the tree's growth (a leaf split, the label index)."""
        page = int(db.execute("PRAGMA page_size").fetchone()[0])
        used = int(db.execute("PRAGMA page_count").fetchone()[0]) * page
        need = (-(-row // page) + 2) * page
        if used + need > self.max_bytes:
            raise StorageFull(f"the drawing store is full: the drawings take {used:,} bytes "
                              f"and this one may need {need:,} more, over the limit of "
                              f"{self.max_bytes:,} bytes")

    def size(self) -> int:
        """Bytes the drawings take: the database's pages (the write-ahead log aside)."""
        with self._connect() as db:
            page_count = db.execute("PRAGMA page_count").fetchone()[0]
            return int(page_count) * int(db.execute("PRAGMA page_size").fetchone()[0])

    def count(self, label: str | None = None) -> int:
        """How many drawings are stored (of ``label`` only, when given)."""
        with self._connect() as db:
            if label is None:
                row = db.execute("SELECT COUNT(*) FROM drawings").fetchone()
            else:
                row = db.execute("SELECT COUNT(*) FROM drawings WHERE label = ?",
                                 (label,)).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        """Drawings per label, for the labels that have any."""
        with self._connect() as db:
            rows = db.execute("SELECT label, COUNT(*) FROM drawings GROUP BY label").fetchall()
        return {label: int(n) for label, n in rows}

    def get(self, drawing_id: int) -> dict | None:
        """One drawing as a dict (``id, label, mode, image, strokes, created_at``), or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, label, mode, image, strokes, created_at FROM drawings WHERE id = ?",
                (int(drawing_id),),
            ).fetchone()
        if row is None:
            return None
        return {"id": row[0], "label": row[1], "mode": row[2], "image": _decode(row[3]),
                "strokes": None if row[4] is None else json.loads(row[4]), "created_at": row[5]}

    def page(self, label: str, offset: int = 0, limit: int = 60) -> list[dict]:
        """The drawings of ``label``, newest first, ``limit`` from ``offset``: dicts of
        ``id, mode, created_at, pixels`` (the 1024 bytes of the 32x32 image, ink 255)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, mode, created_at, image FROM drawings WHERE label = ? "
                "ORDER BY id DESC LIMIT ? OFFSET ?", (label, int(limit), int(offset)),
            ).fetchall()
        return [{"id": r[0], "mode": r[1], "created_at": r[2], "pixels": bytes(r[3])}
                for r in rows]

    def delete(self, drawing_id: int) -> str | None:
        """Delete one drawing; returns its label, or None when there was no such drawing."""
        with self._connect() as db:
            row = db.execute("SELECT label FROM drawings WHERE id = ?",
                             (int(drawing_id),)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM drawings WHERE id = ?", (int(drawing_id),))
        return row[0]

    def images(self, labels=None) -> tuple[numpy.ndarray, list[str]]:
        """Every drawing (whose label is in ``labels``, when given) in id order.

        Returns:
            ``x``: ``(N, 32, 32, 1)`` float32, ink 1.0 on 0.0; ``labels``: N LaTeX commands.
        """
        with self._connect() as db:
            rows = db.execute("SELECT label, image FROM drawings ORDER BY id").fetchall()
        wanted = None if labels is None else set(labels)
        kept = [(label, blob) for label, blob in rows if wanted is None or label in wanted]
        x = numpy.zeros((len(kept), IMAGE_SIZE, IMAGE_SIZE, 1), dtype=numpy.float32)
        for i, (_, blob) in enumerate(kept):
            x[i, :, :, 0] = _decode(blob)
        return x, [label for label, _ in kept]


def _decode(blob: bytes) -> numpy.ndarray:
    pixels = numpy.frombuffer(blob, dtype=numpy.uint8).reshape(IMAGE_SIZE, IMAGE_SIZE)
    return pixels.astype(numpy.float32) / 255.0
