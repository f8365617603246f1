"""The recognizer's web app: the page, and a small JSON API over a model loaded once at start.

Endpoints:

* ``GET /``: the drawing page (``static/``; no CDN, works offline).
* ``POST /api/classify``: a drawing -> ``{"results": [{"latex", "unicode", "probability"}]}``,
  best first (``k``, default 10). The drawing is a JSON body ``{"strokes": [[[x, y], ...]]}``
  (what the page sends) or ``{"image": "data:image/png;base64,..."}``, a multipart upload
  (field ``file``), or a raw ``image/png`` body.
* ``POST /api/drawings``: the same drawing plus ``label`` (a LaTeX command) and ``mode``
  (``"vote"`` or ``"train"``) is stored in SQLite -> 201 ``{"id", "label", "count", ...}``.
* ``GET /api/symbols``: the classes (LaTeX, Unicode, group, drawings stored).
* ``GET /health``: ``{"status": "ok", ...}``.

Bad input never reaches a traceback: a body over 512 KB -> 413; a non-image or malformed data
URL or body -> 400 with a message; an empty drawing -> 422 ``"nothing drawn"``; an unknown label
-> 422. Decoding and inference run in the thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import os
from pathlib import Path

import numpy
from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from lamina.apps.recognizer.model import BadDrawing, EmptyDrawing, Recognizer
from lamina.apps.recognizer.storage import MODES, DrawingStore

__all__ = ["MAX_BODY", "create_app", "default_data_dir"]

MAX_BODY = 512 * 1024
STATIC = Path(__file__).parent / "static"


def default_data_dir() -> Path:
    """Where drawings live by default: ``$LAMINA_DATA_HOME/recognizer``, else
    ``$XDG_DATA_HOME/lamina/recognizer``, else ``~/.local/share/lamina/recognizer``."""
    if os.environ.get("LAMINA_DATA_HOME"):
        return Path(os.environ["LAMINA_DATA_HOME"]).expanduser() / "recognizer"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "lamina" / "recognizer"


class BodyLimit:
    """ASGI middleware: buffer request bodies up to ``limit`` bytes; larger ones get 413 before
    the app sees them (by ``Content-Length`` when sent, else while the body streams in)."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    return await _reject(send, 400, "invalid Content-Length header")
                if too_big:
                    return await _reject(send, 413, self._message())
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return await _reject(send, 413, self._message())
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, delivered = b"".join(chunks), False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)

    def _message(self) -> str:
        return f"request body too large: at most {self.limit // 1024} KB are accepted"


async def _reject(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


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
    ``mode``, ``k``, whatever the content type (JSON, multipart form, raw image)."""
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
    body = await request.body()
    if ctype.startswith("image/") or ctype == "application/octet-stream":
        fields["image"] = body
        return fields
    if not body.strip():
        raise HTTPException(400, "the body is empty: send JSON {\"strokes\": [...]} or "
                                 "{\"image\": \"data:image/png;base64,...\"}, or a PNG upload")
    if body.lstrip().startswith(b"data:"):  # a bare data URL as text
        fields["image"] = body.strip().decode("ascii", "replace")
        return fields
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


def _to_image(fields: dict):
    """The 32x32 image of the drawing in ``fields`` (runs in the thread pool)."""
    from lamina.apps.recognizer.model import decode_data_url, image_from_png, strokes_to_image

    if fields.get("strokes") is not None:
        return strokes_to_image(fields["strokes"])
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


def _k(fields: dict, limit: int) -> int:
    value = fields.get("k", 10)
    try:
        k = int(value)
        if isinstance(value, bool) or k != float(value):
            raise ValueError
    except (TypeError, ValueError):
        raise HTTPException(422, f"k must be an integer from 1 to {limit}; received "
                                 f"{str(value)[:20]!r}") from None
    if not 1 <= k <= limit:
        raise HTTPException(422, f"k must be from 1 to {limit}; received {k}")
    return k


# ------------------------------------------------------------------------------------ app
def create_app(model_path=None, data_dir=None, *, recognizer: Recognizer | None = None,
               max_body: int = MAX_BODY):
    """The FastAPI app. The model loads here, once (``model_path``, default the shipped one);
    drawings go to ``<data_dir>/drawings.sqlite3`` (default :func:`default_data_dir`)."""
    from lamina.datasets.symbols import CLASSES

    recognizer = recognizer if recognizer is not None else Recognizer.load(model_path)
    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    store = DrawingStore(data_dir / "drawings.sqlite3")
    by_name = {s.latex: s for s in CLASSES}
    by_name.update({s.unicode: s for s in CLASSES if s.unicode not in by_name})

    batcher = Batcher(lambda images: recognizer.predict(images))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await batcher.close()

    app = FastAPI(title="lamina symbol recognizer", docs_url="/api/docs", redoc_url=None,
                  lifespan=lifespan)
    app.state.recognizer, app.state.store = recognizer, store
    app.add_middleware(BodyLimit, limit=max_body)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(BadDrawing)
    async def bad_drawing(request, error):
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(EmptyDrawing)
    async def empty_drawing(request, error):
        return JSONResponse({"detail": str(error)}, status_code=422)

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
                             "drawings": counts.get(s.latex, 0)} for s in recognizer.classes]}

    @app.post("/api/classify")
    async def classify(request: Request):
        fields = await _read_fields(request)
        k = _k(fields, len(recognizer.classes))
        image = await run_in_threadpool(_to_image, fields)
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

        def work():
            image = _to_image(fields)
            drawing_id = store.add(symbol.latex, image, mode=mode, strokes=strokes, png=png)
            return drawing_id, store.count(symbol.latex), store.count()

        drawing_id, count, total = await run_in_threadpool(work)
        return {"id": drawing_id, "label": symbol.latex, "unicode": symbol.unicode,
                "mode": mode, "count": count, "total": total}

    return app
