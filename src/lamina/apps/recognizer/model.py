"""The recognizer: turn a drawing (PNG or strokes) into the 32x32 image the CNN reads, and rank
the symbols.

A drawing is normalised the way write-math normalises one and the way
:mod:`lamina.datasets.symbols` draws its training data: crop to the ink, scale (aspect kept) to
fit 32x32 with a 2-pixel margin, centre; ink 1.0 on a 0.0 background. Strokes are redrawn with
a pen whose width is a fixed fraction of the drawing's size, so how thick the page's pen was
does not matter.

Example:
    >>> recognizer = Recognizer.load()                                  # doctest: +SKIP
    >>> recognizer.top_k(strokes_to_image([[[0, 0], [0, 50]]]), k=3)    # doctest: +SKIP
    [{'latex': '1', 'unicode': '1', 'probability': 0.71}, ...]
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import functools
import io
import math
import threading
from contextlib import nullcontext
from pathlib import Path

import numpy

__all__ = [
    "DEFAULT_MODEL", "TRAINED_MODEL_NAME", "BadDrawing", "EmptyDrawing", "Recognizer",
    "decode_data_url",
    "image_from_png", "strokes_to_image",
]

DEFAULT_MODEL = Path(__file__).parent / "weights" / "symbols.lamina"
#: the file name of a model ``lamina recognizer train`` writes to the user's data directory
#: (``<data_dir>/symbols.lamina``); ``lamina serve`` prefers it to :data:`DEFAULT_MODEL`
TRAINED_MODEL_NAME = "symbols.lamina"
"""The model shipped with lamina (see this package's README for how it was trained)."""

SIZE = 32
MAX_PIXELS = 4096 * 4096  # a 512 KB PNG can claim far more; such images are refused
MAX_SIDE = 1024  # larger images are reduced (box averages) to this side before any other work
MAX_POINTS = 20_000
MAX_COORDINATE = 1e9  # |x|, |y| of a stroke point; a screen is a few thousand pixels
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CANVAS = 128  # strokes are drawn at 4x, then area-averaged down (antialiasing for free)
_PEN = 0.075  # pen width as a fraction of the drawing's longest side


class BadDrawing(ValueError):
    """The request's drawing cannot be read (malformed data URL, not an image, bad strokes)."""


class EmptyDrawing(ValueError):
    """The drawing has no ink."""

    def __init__(self, message: str = "nothing drawn"):
        super().__init__(message)


def _fit(image: numpy.ndarray) -> numpy.ndarray:
    from lamina.datasets.symbols.render import fit_to_box
    from lamina.parallel import single_threaded_blas

    if not numpy.any(image > 0.05):
        raise EmptyDrawing()
    # fit_to_box resizes with two small matrix products. Multi-threaded OpenBLAS spins its
    # second thread, which on 2 busy cores (a server under load) turned 0.3 ms into 16 ms.
    with single_threaded_blas():
        return fit_to_box(image, SIZE)


# ------------------------------------------------------------------------------------ PNG
def decode_data_url(url) -> bytes:
    """The bytes of a ``data:image/...;base64,...`` URL; raises :class:`BadDrawing`."""
    if not isinstance(url, str):
        raise BadDrawing(f"image must be a data URL string; received {type(url).__name__}")
    head, comma, payload = url.partition(",")
    if not head.startswith("data:") or not comma:
        raise BadDrawing("image must be a data URL like 'data:image/png;base64,...'; received "
                         f"{url[:40]!r}")
    mime, _, encoding = head[5:].partition(";")
    if not mime.startswith("image/"):
        raise BadDrawing(f"the data URL must hold an image (image/png); received {mime!r}")
    if mime != "image/png":
        raise BadDrawing(f"only PNG images are accepted (data:image/png;base64,...); received "
                         f"{mime[:40]!r}")
    if encoding != "base64":
        raise BadDrawing("the data URL must be base64-encoded (';base64,')")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise BadDrawing("the data URL's base64 payload is malformed") from None


def image_from_png(data: bytes) -> numpy.ndarray:
    """The normalised 32x32 ink image of a PNG file.

    Dark ink on a light or transparent background is the expected input; an image whose
    border is mostly dark (light ink on black, like MNIST) is inverted. The size in the PNG's
    header is checked before a pixel is decoded, and an image over ``MAX_SIDE`` pixels a side
    is reduced by box averages right after decoding, so one request holds the decoded image
    once (64 MB for 4096x4096 RGBA) and nothing else at that size.

    Raises:
        BadDrawing: not a PNG, or more than 16 M pixels.
        EmptyDrawing: a blank image.
    """
    from PIL import Image, UnidentifiedImageError

    if not data.startswith(PNG_MAGIC):
        raise BadDrawing(f"only PNG images are accepted; the upload starts with {data[:8]!r}, "
                         "not the PNG signature")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            if img.width * img.height > MAX_PIXELS:
                raise BadDrawing(f"the image is {img.width}x{img.height}; at most 4096x4096 "
                                 "pixels are accepted")
            img.load()
            small = _reduced(img)
            gray, box = _on_paper(small)
            size = small.height, small.width
        if small is not img:
            del img, small
            _give_back_memory()
    except (BadDrawing, EmptyDrawing):
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            SyntaxError, EOFError) as error:
        raise BadDrawing(f"the upload is not a readable image ({type(error).__name__})") from None
    return _fit(_ink(gray, box, size))


def _give_back_memory() -> None:
    """Hand the freed pages of a large decode back to the system (glibc's ``malloc_trim``).
    lamina keeps freed memory for reuse (:mod:`lamina._malloc` raises glibc's thresholds, a
    win for training), and after a burst of large images the server stayed hundreds of MB
    above its size at rest (964 MB after a burst of eight 4096x4096 PNGs; 206 MB with this)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to give back by hand
        return None


def _reduced(img):
    """``img``, or for one over ``MAX_SIDE`` pixels a side its reduction by box averages (L or
    RGB, else RGBA with the colours weighted by alpha, as Pillow's ``reduce`` does). It goes
    strip by strip, so no second full-size image (64 MB for 4096x4096 RGBA) is ever made."""
    from PIL import Image

    factor = math.ceil(max(img.width, img.height) / MAX_SIDE)
    if factor <= 1:
        return img
    mode = img.mode if img.mode in ("L", "RGB") and "transparency" not in img.info else "RGBA"
    out = Image.new(mode, (math.ceil(img.width / factor), math.ceil(img.height / factor)))
    step = 64 * factor  # a multiple of the factor: the strips' boxes are the whole image's
    for top in range(0, img.height, step):
        part = img.crop((0, top, img.width, min(top + step, img.height)))
        out.paste(part.convert(mode).reduce(factor), (0, top // factor))
    return out


def _on_paper(img):
    """The image composited on white paper, as gray levels: ``(gray, box)``, a ``uint8``
    array of the part ``box = (left, top, right, bottom)``; outside it the paper is bare.

    The part is the bounding box of the visible pixels of a transparent image (the page's
    canvas is transparent around the ink), so only that part is composited and converted:
    a transparent pixel composites to exactly white. Opaque L and RGB images convert
    directly (the same gray levels as compositing them: their alpha is 255 everywhere)."""
    from PIL import Image

    whole = (0, 0, img.width, img.height)
    if img.mode in ("L", "RGB") and "transparency" not in img.info:
        return numpy.asarray(img if img.mode == "L" else img.convert("L")), whole
    rgba = img if img.mode == "RGBA" else img.convert("RGBA")
    box = rgba.getchannel("A").getbbox()
    if box is None:  # every pixel transparent
        raise EmptyDrawing()
    part = rgba if box == whole else rgba.crop(box)
    paper = Image.new("RGBA", part.size, (255, 255, 255, 255))
    return numpy.asarray(Image.alpha_composite(paper, part).convert("L")), box


def _ink(gray: numpy.ndarray, box, size) -> numpy.ndarray:
    """Ink (1.0) on background (0.0) from the gray levels of :func:`_on_paper`, cropped to
    ``box`` unless the image is inverted (mostly dark border: light ink on black)."""
    (left, top, right, bottom), (height, width) = box, size
    edges = [numpy.full(width, 255, numpy.uint8), numpy.full(width, 255, numpy.uint8),
             numpy.full(height, 255, numpy.uint8), numpy.full(height, 255, numpy.uint8)]
    if top == 0:
        edges[0][left:right] = gray[0]
    if bottom == height:
        edges[1][left:right] = gray[-1]
    if left == 0:
        edges[2][top:bottom] = gray[:, 0]
    if right == width:
        edges[3][top:bottom] = gray[:, -1]
    border = 1.0 - numpy.concatenate(edges).astype(numpy.float32) / 255.0
    # The median is over 0.5 only if the upper middle value is: at least n - n // 2 values
    # over 0.5. Counting them settles the usual case (a light border) without sorting.
    dark = int(numpy.count_nonzero(border > 0.5))
    inverted = dark >= border.size - border.size // 2 and numpy.median(border) > 0.5
    if inverted and gray.shape != size:  # the bare paper outside the box is ink now
        full = numpy.full(size, 255, numpy.uint8)
        full[top:bottom, left:right] = gray
        gray = full
    ink = 1.0 - gray.astype(numpy.float32) / 255.0
    return 1.0 - ink if inverted else ink


# -------------------------------------------------------------------------------- strokes
def _points(stroke, i: int) -> numpy.ndarray:
    if not isinstance(stroke, (list, tuple)):
        raise BadDrawing(f"stroke {i} must be a list of points; received {type(stroke).__name__}")
    rows = []
    for point in stroke:
        if isinstance(point, dict):
            point = (point.get("x"), point.get("y"))
        if not isinstance(point, (list, tuple)) or len(point) < 2:
            raise BadDrawing(f"stroke {i}: a point must be [x, y] or {{'x':..., 'y':...}}; "
                             f"received {str(point)[:40]}")
        x, y = point[0], point[1]
        if (not isinstance(x, (int, float)) or not isinstance(y, (int, float))
                or isinstance(x, bool) or isinstance(y, bool)
                or not (math.isfinite(x) and math.isfinite(y))):
            raise BadDrawing(f"stroke {i}: coordinates must be finite numbers; received "
                             f"{str(point)[:40]}")
        if abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE:
            raise BadDrawing(f"stroke {i}: coordinates must be within +-{MAX_COORDINATE:g}; "
                             f"received {str(point)[:40]}")
        rows.append((float(x), float(y)))
    return numpy.array(rows, dtype=numpy.float64).reshape(-1, 2)


def strokes_to_image(strokes) -> numpy.ndarray:
    """The normalised 32x32 ink image of a stroke list ``[[[x, y], ...], ...]`` (screen
    coordinates, y down; extra values per point such as a time are ignored).

    Raises:
        BadDrawing: not a list of lists of points, non-finite coordinates, too many points.
        EmptyDrawing: no points at all.
    """
    from PIL import Image, ImageDraw

    if not isinstance(strokes, (list, tuple)):
        raise BadDrawing(f"strokes must be a list of strokes; received {type(strokes).__name__}")
    lines = [_points(stroke, i) for i, stroke in enumerate(strokes)]
    lines = [line for line in lines if len(line)]
    if not lines:
        raise EmptyDrawing()
    if sum(len(line) for line in lines) > MAX_POINTS:
        raise BadDrawing(f"at most {MAX_POINTS} points are accepted")
    every = numpy.concatenate(lines)
    low, high = every.min(axis=0), every.max(axis=0)
    extent = float(max(high - low))
    pen = _PEN * _CANVAS
    inner = _CANVAS - 2 * pen
    scale = inner / extent if extent > 0 else 1.0
    if not math.isfinite(scale):  # a subnormal extent: a dot
        scale = 1.0
    centre = (low + high) / 2.0
    canvas = Image.new("L", (_CANVAS, _CANVAS), 0)
    draw = ImageDraw.Draw(canvas)
    radius = pen / 2.0
    for line in lines:
        xy = (line - centre) * scale + _CANVAS / 2.0
        points = [tuple(p) for p in xy]
        if len(points) > 1:
            draw.line(points, fill=255, width=round(pen), joint="curve")
        for x, y in (points[0], points[-1]):  # round caps (and a dot for a single click)
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return _fit(numpy.asarray(canvas, dtype=numpy.float32) / 255.0)


# ------------------------------------------------------------------------------ the model
def _blas_controller():
    """threadpoolctl's controller, when installed. A drawing's forward pass is a few small
    GEMMs: OpenBLAS's threads cost more than they give there (measured: 45 ms per drawing with
    2 busy cores, 1 ms with one thread), so single drawings run on one BLAS thread."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _stored_calibration(model_path: Path, classes):
    """``(temperature, sharing)`` that ``lamina recognizer calibrate`` stored in
    ``<model>.json``; ``(1.0, None)`` when there is none (or it is unreadable)."""
    import json

    from lamina.apps.recognizer.sharing import Sharing

    try:
        report = json.loads(model_path.with_suffix(".json").read_text())["calibration"]
        value = float(report["temperature"])
    except (OSError, ValueError, TypeError, KeyError):
        return 1.0, None
    try:
        sharing = Sharing.from_json(report["sharing"], classes) if "sharing" in report else None
    except (ValueError, TypeError, KeyError):
        sharing = None
    return (value if 0.05 <= value <= 20.0 else 1.0), sharing


class Recognizer:
    """A trained classifier and the symbols its outputs stand for.

    The model's ``i``-th output is ``CLASSES[i]`` (the class order is append-only, so a model
    trained on the first ``n`` classes stays valid when classes are added).

    Args:
        model: a lamina model mapping ``(N, 32, 32, 1)`` images to ``(N, n)`` probabilities.
    """

    def __init__(self, model):
        import lamina
        from lamina.datasets.symbols import CLASSES

        self.model = model
        with lamina.no_grad():  # one warm-up pass also tells the number of outputs
            n = int(model(numpy.zeros((1, SIZE, SIZE, 1), numpy.float32), training=False).shape[-1])
        if n > len(CLASSES):
            raise ValueError(f"Recognizer: the model has {n} outputs but only {len(CLASSES)} "
                             "symbol classes exist")
        self.classes = list(CLASSES[:n])
        self.temperature = 1.0  # see calibration.py; load() reads it from <model>.json
        self.sharing = None  # a sharing.Sharing of look-alikes, applied after the temperature
        self._lock = threading.Lock()  # one forward pass at a time: no BLAS oversubscription
        self._blas = _blas_controller()

    @classmethod
    def load(cls, path=None) -> Recognizer:
        """Load a saved model (``.lamina``); ``None`` loads :data:`DEFAULT_MODEL`."""
        from lamina.models import load_model

        path = Path(DEFAULT_MODEL if path is None else path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no recognizer model at {path}; train one with `lamina recognizer train "
                f"--out {path}`"
            )
        recognizer = cls(load_model(path, compile=False))
        recognizer.temperature, recognizer.sharing = _stored_calibration(path,
                                                                         recognizer.classes)
        return recognizer

    def predict(self, images) -> numpy.ndarray:
        """Class probabilities, ``(N, n_classes)`` float32, for ``(N, 32, 32[, 1])`` images."""
        import lamina

        x = numpy.asarray(images, dtype=numpy.float32).reshape(-1, SIZE, SIZE, 1)
        one_thread = self._blas is not None and len(x) <= 64
        limit = self._blas.limit(limits=1, user_api="blas") if one_thread else nullcontext()
        with self._lock, limit, lamina.no_grad():
            out = numpy.asarray(self.model(x, training=False).data, dtype=numpy.float32)
        sums = out.sum(axis=1, keepdims=True)
        if out.min() < 0 or not numpy.allclose(sums, 1.0, atol=1e-3):  # logits: softmax them
            out = numpy.exp(out - out.max(axis=1, keepdims=True))
            out /= out.sum(axis=1, keepdims=True)
        if self.temperature != 1.0:
            from lamina.apps.recognizer.calibration import apply_temperature

            out = apply_temperature(out, self.temperature).astype(numpy.float32)
        if self.sharing is not None:
            out = self.sharing.apply(out).astype(numpy.float32)
        return out

    def rank(self, probabilities, k: int = 10) -> list[dict]:
        """The ``k`` likeliest symbols of one row of :meth:`predict`, best first:
        ``[{"latex", "unicode", "probability"}, ...]``."""
        probs = numpy.asarray(probabilities).reshape(-1)
        k = max(1, min(int(k), len(probs)))
        order = numpy.argsort(-probs, kind="stable")[:k]
        return [{"latex": self.classes[i].latex, "unicode": self.classes[i].unicode,
                 "probability": float(probs[i])} for i in order]

    def top_k(self, image, k: int = 10) -> list[dict]:
        """The ``k`` likeliest symbols for one image (see :meth:`rank`)."""
        return self.rank(self.predict(image)[0], k)
