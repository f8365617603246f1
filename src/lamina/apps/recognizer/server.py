"""The recognizer's web app: the page, and a small JSON API over a model loaded once at start.

Endpoints:

* ``GET /``: the drawing page (``static/``; no CDN, works offline).
* ``POST /api/classify``: a drawing -> ``{"results": [{"latex", "unicode", "probability"}]}``,
  best first (``k``, default 10). The drawing is a JSON body ``{"strokes": [[[x, y], ...]]}``
  (what the page sends) or ``{"image": "data:image/png;base64,..."}``, a multipart upload
  (field ``file``), or a raw ``image/png`` body.
* ``POST /api/drawings``: the same drawing plus ``label`` (a LaTeX command) and ``mode``
  (``"vote"`` or ``"train"``) is stored in SQLite -> 201 ``{"id", "label", "count", ...}``.
* ``GET /api/symbols``: the classes (LaTeX, Unicode, its name, group, drawings stored).
* ``GET /health``: ``{"status": "ok", ...}``.
* ``/imaging`` and ``/api/imaging/...``: the image page (:mod:`lamina.apps.imaging.web`).
* ``GET /review``, ``GET /api/drawings``, ``DELETE /api/drawings/{id}``, ``GET /api/model``:
  the review page and the calibration report (:mod:`.review`).

Bad input never reaches a traceback: a body over 512 KB -> 413; a body that is not JSON
(``application/json``), a PNG (``image/png``) or a form -> 415; a non-PNG, malformed data URL or
body -> 400 with a message; an empty drawing -> 422 ``"nothing drawn"``; an unknown label ->
422. Writes come only from the server's own page (:mod:`.guard`: Host, Origin, token, rate);
a full store -> 507. PNGs are decoded on two threads of their own (:class:`.DecodeSlots`),
strokes and inference in the thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import os
import unicodedata
from pathlib import Path

import numpy
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from lamina.apps.imaging.web import BODY_LIMITS as IMAGING_BODY_LIMITS
from lamina.apps.imaging.web import add_imaging_page
from lamina.apps.recognizer.guard import LOOPBACK_NAMES, Guard, is_loopback, new_token
from lamina.apps.recognizer.limits import MAX_BODY, BodyLimit, Busy, DecodeSlots, RateLimit
from lamina.apps.recognizer.model import (
    DEFAULT_MODEL,
    TRAINED_MODEL_NAME,
    BadDrawing,
    EmptyDrawing,
    Recognizer,
)
from lamina.apps.recognizer.review import add_review_routes
from lamina.apps.recognizer.storage import MODES, DrawingStore, StorageFull

__all__ = ["MAX_BODY", "MAX_STORAGE", "WRITES_PER_MINUTE", "create_app", "default_data_dir",
           "unicode_name"]

MAX_STORAGE = 1 << 30
"""Bytes the drawings may take on disk by default (1 GB: some 300,000 drawings from the page)."""
WRITES_PER_MINUTE = 60
"""Drawings one client address may store per minute by default (in bursts of as many)."""
STATIC = Path(__file__).parent / "static"


def unicode_name(glyph: str) -> str:
    """The Unicode name of a symbol's glyph in lower case (``"greek small letter alpha"``),
    what the page's search box matches besides the LaTeX command."""
    return " ".join(unicodedata.name(ch, "") for ch in glyph).strip().lower()


def default_data_dir() -> Path:
    """Where drawings live by default: ``$LAMINA_DATA_HOME/recognizer``, else
    ``$XDG_DATA_HOME/lamina/recognizer``, else ``~/.local/share/lamina/recognizer``."""
    if os.environ.get("LAMINA_DATA_HOME"):
        return Path(os.environ["LAMINA_DATA_HOME"]).expanduser() / "recognizer"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "lamina" / "recognizer"


class Batcher:
    """Micro-batching: drawings that arrive while a forward pass runs wait, and go through the
    next pass together (up to ``max_batch``). Under load one pass of 16 drawings costs about
    what 3 single passes cost; a lone request waits for nothing. The pass runs in the thread
    pool; one task per event loop feeds it (started on first use, stopped by :meth:`close`)."""

    def __init__(self, predict, max_batch: int = 32):
        self.predict, self.max_batch = predict, max_batch
        self._loop = self._queue = self._task = None

    async def __call__(self, image) -> numpy.ndarray:
        """The probability row of one ``(32, 32)`` image."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop, self._queue = loop, asyncio.Queue()
            self._task = loop.create_task(self._run(self._queue))
        future = loop.create_future()
        self._queue.put_nowait((image, future))
        return await future

    async def _run(self, queue) -> None:
        while True:
            items = [await queue.get()]
            while len(items) < self.max_batch and not queue.empty():
                items.append(queue.get_nowait())
            items = [(image, future) for image, future in items if not future.done()]
            if not items:
                continue
            try:
                rows = await run_in_threadpool(self.predict, numpy.stack([i for i, _ in items]))
            except Exception as error:  # noqa: BLE001 - handed to each waiting request
                for _, future in items:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), row in zip(items, rows):
                if not future.done():
                    future.set_result(row)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
        self._task = None


# -------------------------------------------------------------------------- request bodies
async def _read_fields(request) -> dict:
    """The request's fields as a dict: ``image`` (bytes or data URL), ``strokes``, ``label``,
    ``mode``, ``k``, from a JSON body (``application/json`` only: a ``text/plain`` body is
    what another site's page can send without asking), a form, or a raw PNG."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields = dict(request.query_params)
    if ctype.startswith("multipart/") or ctype == "application/x-www-form-urlencoded":
        try:
            form = await request.form()
        except Exception as error:  # noqa: BLE001 - any parse failure is the client's
            raise HTTPException(400, f"the form body cannot be read ({error})") from None
        for key, value in form.multi_items():
            if hasattr(value, "read"):  # an uploaded file
                fields["image"] = await value.read()
            elif key == "strokes":
                fields["strokes"] = _json(value, "the 'strokes' form field")
            else:
                fields[key] = value
        return fields
    if ctype not in ("application/json", "image/png", "application/octet-stream"):
        raise HTTPException(415, f"unsupported Content-Type {ctype[:60]!r}: send JSON as "
                                 "application/json, a PNG as image/png, or a multipart upload")
    body = await request.body()
    if ctype != "application/json":
        fields["image"] = body
        return fields
    if not body.strip():
        raise HTTPException(400, "the body is empty: send JSON {\"strokes\": [...]} or "
                                 "{\"image\": \"data:image/png;base64,...\"}, or a PNG upload")
    data = _json(body, "the body")
    if not isinstance(data, dict):
        raise HTTPException(400, f"the JSON body must be an object; received "
                                 f"{type(data).__name__}")
    fields.update(data)
    return fields


def _json(text, what: str):
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, f"{what} is not valid JSON") from None
    except RecursionError:
        raise HTTPException(400, f"{what} nests JSON too deeply") from None


def _from_png(fields: dict):
    """The 32x32 image of the PNG in ``fields`` (a data URL or bytes; on a decoding thread)."""
    from lamina.apps.recognizer.model import decode_data_url, image_from_png

    image = fields.get("image")
    if image is None:
        raise BadDrawing("send a drawing: 'strokes' (a list of [[x, y], ...] strokes) or "
                         "'image' (a PNG data URL, or a file upload)")
    if isinstance(image, str):
        image = decode_data_url(image)
    if not isinstance(image, (bytes, bytearray)):
        raise BadDrawing(f"image must be a PNG data URL or an upload; received "
                         f"{type(image).__name__}")
    if not image:
        raise BadDrawing("the image is empty (0 bytes)")
    return image_from_png(bytes(image))


async def _to_image(fields: dict, slots: DecodeSlots):
    """The 32x32 image of the drawing in ``fields``: strokes are drawn in the thread pool, a
    PNG is decoded on one of the few decoding threads."""
    from lamina.apps.recognizer.model import strokes_to_image

    if fields.get("strokes") is not None:
        return await run_in_threadpool(strokes_to_image, fields["strokes"])
    return await slots.run(_from_png, fields)


def _k(fields: dict, limit: int) -> int:
    value = fields.get("k", 10)
    try:
        k = int(value)
        if isinstance(value, bool) or k != float(value):
            raise ValueError
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 is inf
        raise HTTPException(422, f"k must be an integer from 1 to {limit}; received "
                                 f"{str(value)[:20]!r}") from None
    if not 1 <= k <= limit:
        raise HTTPException(422, f"k must be from 1 to {limit}; received {k}")
    return k


# ------------------------------------------------------------------------------------ app
def create_app(model_path=None, data_dir=None, *, recognizer: Recognizer | None = None,
               max_body: int = MAX_BODY, host: str = "127.0.0.1", token: str | None = None,
               allowed_hosts=None, writes_per_minute: float = WRITES_PER_MINUTE,
               max_storage: int | None = MAX_STORAGE, decode_workers: int = 2):
    """The FastAPI app. The model loads here, once (``model_path``; by default the one
    ``lamina recognizer train`` wrote to ``<data_dir>/symbols.lamina`` when there is one, else
    the shipped one: ``app.state.model_path`` says which); drawings go to
    ``<data_dir>/drawings.sqlite3`` (default :func:`default_data_dir`).

    ``host`` is the address the server listens on. On loopback the app answers only to
    loopback names (plus ``allowed_hosts``) and writes need no token unless ``token`` is
    given; elsewhere it answers to any name (or only ``allowed_hosts``) and writes need
    ``token``, made up when None (``app.state.token``). ``writes_per_minute`` per client
    address, ``max_storage`` bytes of drawings on disk (None: no cap), ``decode_workers``
    PNGs decoded at once."""
    from lamina.datasets.symbols import CLASSES

    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    if recognizer is None and model_path is None:
        trained = data_dir / TRAINED_MODEL_NAME
        model_path = trained if trained.is_file() else DEFAULT_MODEL
    recognizer = recognizer if recognizer is not None else Recognizer.load(model_path)
    store = DrawingStore(data_dir / "drawings.sqlite3", max_bytes=max_storage)
    local = is_loopback(host)
    if token is None and not local:
        token = new_token()
    if allowed_hosts is not None or local:
        allowed_hosts = {*(allowed_hosts or ()), *((*LOOPBACK_NAMES, host) if local else ())}
    slots = DecodeSlots(decode_workers)
    by_name = {s.latex: s for s in CLASSES}
    by_name.update({s.unicode: s for s in CLASSES if s.unicode not in by_name})

    batcher = Batcher(lambda images: recognizer.predict(images))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await batcher.close()
        slots.close()

    app = FastAPI(title="lamina symbol recognizer", docs_url="/api/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.recognizer, app.state.store, app.state.token = recognizer, store, token
    app.state.model_path = None if model_path is None else Path(model_path)
    app.state.decode_slots = slots
    app.add_middleware(BodyLimit, limit=max_body, routes=IMAGING_BODY_LIMITS)
    app.add_middleware(Guard, allowed_hosts=allowed_hosts, token=token,
                       rate=RateLimit(writes_per_minute) if writes_per_minute else None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(BadDrawing)
    async def bad_drawing(request, error):
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(EmptyDrawing)
    async def empty_drawing(request, error):
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(StorageFull)
    async def storage_full(request, error):
        return JSONResponse({"detail": f"{error}; nothing was stored (lamina serve "
                                       "--max-storage MB sets the limit)"}, status_code=507)

    @app.exception_handler(Busy)
    async def busy(request, error):
        return JSONResponse({"detail": str(error)}, status_code=503,
                            headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def unexpected(request, error):  # the server answers, logs, and keeps serving
        return JSONResponse({"detail": f"internal error ({type(error).__name__})"},
                            status_code=500)

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/health")
    async def health():
        return {"status": "ok", "classes": len(recognizer.classes),
                "drawings": await run_in_threadpool(store.count)}

    @app.get("/api/symbols")
    async def symbols():
        counts = await run_in_threadpool(store.counts)
        return {"symbols": [{"latex": s.latex, "unicode": s.unicode, "group": s.group,
                             "name": unicode_name(s.unicode),
                             "drawings": counts.get(s.latex, 0)} for s in recognizer.classes]}

    @app.post("/api/classify")
    async def classify(request: Request):
        fields = await _read_fields(request)
        k = _k(fields, len(recognizer.classes))
        image = await _to_image(fields, slots)
        # A JSONResponse as is: FastAPI's jsonable_encoder pass over the same dict would
        # cost the event loop 0.2 ms per request, for the same bytes.
        return JSONResponse({"results": recognizer.rank(await batcher(image), k)})

    @app.post("/api/drawings", status_code=201)
    async def drawings(request: Request):
        fields = await _read_fields(request)
        label, mode = fields.get("label"), fields.get("mode", "vote")
        if not isinstance(label, str) or label not in by_name:
            close = difflib.get_close_matches(str(label), list(by_name), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise HTTPException(422, f"unknown label {str(label)[:60]!r}: it must be the LaTeX "
                                     f"command of a symbol listed by /api/symbols{hint}")
        if mode not in MODES:
            raise HTTPException(422, f"mode must be one of {list(MODES)}; received "
                                     f"{str(mode)[:20]!r}")
        symbol = by_name[label]
        strokes = fields.get("strokes")
        png = fields.get("image") if isinstance(fields.get("image"), (bytes, bytearray)) else None

        image = await _to_image(fields, slots)

        def work():
            drawing_id = store.add(symbol.latex, image, mode=mode, strokes=strokes, png=png)
            return drawing_id, store.count(symbol.latex), store.count()

        drawing_id, count, total = await run_in_threadpool(work)
        return {"id": drawing_id, "label": symbol.latex, "unicode": symbol.unicode,
                "mode": mode, "count": count, "total": total}

    add_imaging_page(app)  # the second page: /imaging (lamina.apps.imaging.web)
    add_review_routes(app, store, recognizer, by_name, STATIC, app.state.model_path)
    return app
