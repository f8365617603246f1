"""The image page of ``lamina serve``, beside the recognizer: ``/imaging``.

Endpoints (added to the recognizer's app by :func:`add_imaging_page`, behind its guard):

* ``GET /imaging``: the page (``static/``, no CDN).
* ``GET /api/imaging/samples``: the sample photographs (``skimage.data``; the three held out
  from training) and the tasks; ``GET /api/imaging/samples/NAME``: one as PNG.
* ``POST /api/imaging/picture``: an uploaded picture (multipart field ``file``) -> the PNG the
  page works on: at most :data:`PAGE_PIXELS` pixels (a larger one is reduced, and the answer
  says so) -> ``{"picture": data URL, "width", "height", "note"}``.
* ``POST /api/imaging/run``: multipart ``picture`` (a file), ``task``, ``use``
  (``"original"``: make the input from it and measure, or ``"input"``: apply the network to
  it), ``mask`` (a PNG of the picture's size, white or opaque where the hole is: inpaint),
  ``sigma`` (0-255, denoise), ``scale`` (upscale) -> ``{"input", "result", "original"}`` (PNG
  data URLs; original null with ``use=input``), ``psnr``, ``baseline``, ``seconds``.

Bad input gets a 4xx with a message and the server carries on: a body over
:data:`MAX_UPLOAD` bytes 413 (before it is read), a picture declaring more than
:data:`MAX_DECODE_PIXELS` pixels 413 (before it is decoded), no image or an empty one 400, a
wrong mask, task, scale or sigma 422, the networks missing 503. One picture is processed at
a time (a pass uses every core); more than :data:`MAX_WAITING` waiting: 503.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from lamina.apps.imaging import demo, files
from lamina.apps.imaging.engine import ModelsMissing
from lamina.apps.imaging.images import ImageError
from lamina.apps.recognizer.limits import Busy, DecodeSlots

__all__ = ["BODY_LIMITS", "MAX_DECODE_PIXELS", "MAX_UPLOAD", "OPEN_POSTS", "PAGE_PIXELS",
           "SAMPLES", "add_imaging_page"]

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 24 * 1024 * 1024
"""Bytes of one request to ``/api/imaging/`` (a phone's JPEG is 3-8 MB)."""
BODY_LIMITS = (("/api/imaging/", MAX_UPLOAD),)
"""The body limits of this page's routes, for :class:`~lamina.apps.recognizer.limits.BodyLimit`."""
OPEN_POSTS = ("/api/imaging/picture", "/api/imaging/run")
"""POSTs that store nothing (no token needed, no write rate)."""
MAX_DECODE_PIXELS = 40_000_000
"""Pixels an uploaded picture may declare (a 40 MP RGB photo is 120 MB decoded)."""
PAGE_PIXELS = 512 * 512
"""Pixels the page works on: a larger picture is reduced to this (``lamina image`` takes any
size); 512x512 is what the networks answer in about a second."""
MAX_WAITING = 4
SAMPLES = {"coffee": "a cup of coffee (colour)", "chelsea": "Chelsea the cat (colour)",
           "camera": "the cameraman (gray)"}
"""The sample pictures: the photographs held out from the networks' training."""


def _status(error: Exception) -> int:
    if isinstance(error, files.TooLarge):
        return 413
    if isinstance(error, files.NotAnImage):
        return 400
    return 422


def _sample(name: str):
    if name not in SAMPLES:
        raise HTTPException(404, f"no sample {name[:40]!r}: the samples are {list(SAMPLES)}")
    try:
        import skimage.data
    except ImportError:
        raise HTTPException(503, "the sample pictures come with scikit-image: pip install "
                                 "'lamina[imaging]' (or upload a picture)") from None
    picture = getattr(skimage.data, name)()
    return picture


def _data_url(array) -> str:
    return "data:image/png;base64," + base64.b64encode(files.encode(array)).decode()


async def _form(request: Request) -> dict:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise HTTPException(415, f"send a multipart form (multipart/form-data); received "
                                 f"Content-Type {ctype[:60]!r}")
    try:
        form = await request.form()
    except Exception as error:  # noqa: BLE001 - any parse failure is the client's
        raise HTTPException(400, f"the form cannot be read ({error})") from None
    fields = {}
    for key, value in form.multi_items():
        fields[key] = await value.read() if hasattr(value, "read") else value
    return fields


def _picture(fields: dict, key: str) -> bytes:
    data = fields.get(key)
    if data is None:
        raise HTTPException(422, f"send the picture as the file field {key!r}")
    if isinstance(data, str):
        data = data.encode("latin-1", "replace")
    return data


def _number(fields, key, kind, default):
    value = fields.get(key)
    if value in (None, ""):
        return default
    try:
        return kind(value)
    except ValueError:
        raise HTTPException(422, f"{key} must be a number; received {str(value)[:20]!r}") \
            from None


def _fitted(data: bytes, name: str):
    """The picture, reduced to at most PAGE_PIXELS: ``(array, note)``."""
    width, height = files.size_of(data, name, max_pixels=MAX_DECODE_PIXELS)
    array = files.decode(data, name, max_pixels=MAX_DECODE_PIXELS, fit=PAGE_PIXELS)
    note = ""
    if array.shape[:2] != (height, width):
        note = (f"reduced from {width}x{height} to {array.shape[1]}x{array.shape[0]} for the "
                f"page (at most {PAGE_PIXELS:,} pixels); `lamina image` takes any size")
    return array, note


def _run(fields: dict) -> dict:
    """The work of ``/api/imaging/run`` (on the compute thread)."""
    start = time.perf_counter()
    task = fields.get("task")
    use = fields.get("use", "original")
    if use not in ("original", "input"):
        raise ImageError(f"use must be 'original' or 'input'; received {str(use)[:20]!r}")
    picture, note = _fitted(_picture(fields, "picture"), "the picture")
    mask = None
    if task == "inpaint" and fields.get("mask") is not None:
        mask = files.decode_mask(_picture(fields, "mask"), picture.shape[:2])
    sigma = _number(fields, "sigma", float, None)
    shown = demo.show(task, picture, degrade=use == "original", mask=mask,
                      sigma=None if sigma is None else sigma / 255.0,
                      scale=_number(fields, "scale", int, 2))
    return {"task": task, "input": _data_url(shown.input), "result": _data_url(shown.result),
            "original": None if shown.original is None else _data_url(shown.original),
            "psnr": shown.psnr, "baseline": shown.baseline, "note": note,
            "size": [int(shown.result.shape[1]), int(shown.result.shape[0])],
            "seconds": round(time.perf_counter() - start, 3)}


def _upload(fields: dict) -> dict:
    array, note = _fitted(_picture(fields, "file"), "the upload")
    return {"picture": _data_url(array), "width": int(array.shape[1]),
            "height": int(array.shape[0]), "note": note}


def add_imaging_page(app) -> None:
    """Add the page and its API to ``app`` (the recognizer's FastAPI app)."""
    slots = DecodeSlots(workers=1, max_waiting=MAX_WAITING)
    app.state.imaging_slots = slots
    app.mount("/imaging/static", StaticFiles(directory=STATIC), name="imaging-static")

    async def work(function, fields):
        try:
            return JSONResponse(await slots.run(function, fields))
        except Busy as error:
            return JSONResponse({"detail": str(error)}, status_code=503,
                                headers={"Retry-After": "2"})
        except ModelsMissing as error:
            return JSONResponse({"detail": str(error)}, status_code=503)
        except ImageError as error:
            return JSONResponse({"detail": str(error)}, status_code=_status(error))
        except HTTPException as error:
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)

    @app.get("/imaging", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/imaging/samples")
    async def samples():
        return {"samples": [{"name": n, "title": t} for n, t in SAMPLES.items()],
                "tasks": list(demo.TASKS), "page_pixels": PAGE_PIXELS,
                "max_upload_bytes": MAX_UPLOAD, "max_pixels": MAX_DECODE_PIXELS}

    @app.get("/api/imaging/samples/{name}")
    async def sample(name: str):
        picture = _sample(name)
        return Response(files.encode(picture), media_type="image/png",
                        headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/imaging/picture")
    async def picture(request: Request):
        return await work(_upload, await _form(request))

    @app.post("/api/imaging/run")
    async def run(request: Request):
        return await work(_run, await _form(request))
