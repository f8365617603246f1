"""Image files in and out, treated as hostile: sizes checked before a pixel is decoded.

* :func:`read_image`: PNG, JPEG, BMP, TIFF, WebP, GIF (first frame) -> uint8 ``(H, W)`` or
  ``(H, W, 3)`` (16-bit gray PNG/TIFF: uint16 ``(H, W)``). Transparency is laid on white,
  palettes expanded, a photo's EXIF orientation applied.
* :func:`read_mask`: a mask file -> bool ``(H, W)``, True where light (or, with an alpha
  channel, where light and opaque): paint the hole white on black.
* :func:`write_image`: an array to a file whose format follows its extension; written to a
  temporary file beside it and renamed, so a failure never leaves half a file.

Needs Pillow (``pip install 'lamina[imaging]'``).
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from pathlib import Path

import numpy

from lamina.apps.imaging.images import ImageError

__all__ = ["FORMATS", "MAX_PIXELS", "NotAnImage", "TooLarge", "decode", "decode_mask",
           "encode", "read_image", "read_mask", "size_of", "write_image"]

MAX_PIXELS = 178_000_000
"""Pixels an image file may declare (Pillow refuses twice its default 89 M as a decompression
bomb; 178 megapixels of RGB are 534 MB decoded)."""
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".tif": "TIFF",
           ".tiff": "TIFF", ".webp": "WEBP", ".gif": "GIF"}


class NotAnImage(ImageError):
    """Bytes that are no image (or an empty or damaged one)."""


class TooLarge(ImageError):
    """An image that declares more pixels than accepted."""


def _pil():
    try:
        from PIL import Image, ImageOps
    except ImportError as error:
        raise ImportError(f"reading and writing image files needs Pillow ({error.name} is "
                          "missing): pip install 'lamina[imaging]'") from error
    return Image, ImageOps


def _open(data: bytes, name: str, max_pixels: int):
    """The PIL image of ``data``, its header checked (``width * height <= max_pixels``)."""
    Image, _ = _pil()
    if not data:
        raise NotAnImage(f"{name} is empty (0 bytes), not an image")
    try:
        with warnings.catch_warnings():  # the size is checked below, with a message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=sorted(set(FORMATS.values())))
    except Image.DecompressionBombError:
        raise TooLarge(f"{name} declares an image too large to decode") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise NotAnImage(f"{name} is not an image this tool reads (PNG, JPEG, BMP, TIFF, WebP, "
                         f"GIF); it starts with {data[:8]!r}") from None
    width, height = img.size
    if width * height > max_pixels:
        img.close()
        raise TooLarge(f"{name} is {width}x{height} ({width * height / 1e6:.1f} megapixels); "
                         f"at most {max_pixels / 1e6:g} megapixels are accepted")
    if width == 0 or height == 0:
        img.close()
        raise NotAnImage(f"{name} is empty: {width}x{height} pixels")
    return img


def _load(img, name: str, fit: int | None):
    Image, ImageOps = _pil()
    try:
        if fit is not None and img.format == "JPEG" and img.width * img.height > fit:
            f = (fit / (img.width * img.height)) ** 0.5  # decode at 1/2, 1/4 or 1/8 if enough
            img.draft(img.mode, (max(1, int(img.width * f)), max(1, int(img.height * f))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img.load()
        img = ImageOps.exif_transpose(img)
        if fit is not None and img.width * img.height > fit:
            f = (fit / (img.width * img.height)) ** 0.5
            size = (max(1, int(img.width * f)), max(1, int(img.height * f)))
            img = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    except Image.DecompressionBombError:
        raise TooLarge(f"{name} declares an image too large to decode") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise NotAnImage(f"{name} is damaged: it cannot be decoded ({error})") from None
    return img


def _to_array(img) -> numpy.ndarray:
    Image, _ = _pil()
    if img.mode in ("I;16", "I;16B", "I;16L"):
        return numpy.asarray(img, dtype=numpy.uint16)
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA"):
        base = "RGB" if img.mode != "LA" else "L"
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img.convert("RGBA")).convert(base)
    elif img.mode == "1":
        img = img.convert("L")
    elif img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    return numpy.asarray(img)


def decode(data: bytes, name: str = "the upload", *, max_pixels: int = MAX_PIXELS,
           fit: int | None = None) -> numpy.ndarray:
    """The pixels of an image file's bytes (see the module's docstring).

    ``fit``: at most this many pixels come back: a larger image is reduced (Lanczos; a JPEG
    is decoded at a fraction of its size first, which is cheap).

    Raises:
        NotAnImage: not an image, empty, or damaged.
        TooLarge: more than ``max_pixels`` pixels declared.
    """
    img = _open(data, name, max_pixels)
    try:
        return _to_array(_load(img, name, fit))
    finally:
        img.close()


def size_of(data: bytes, name: str = "the upload", *, max_pixels: int = MAX_PIXELS):
    """``(width, height)`` of an image file's bytes, from its header (nothing decoded)."""
    img = _open(data, name, max_pixels)
    img.close()
    return img.size


def _read_bytes(path) -> bytes:
    from lamina.saving.archive import open_regular

    try:
        with open_regular(path, "image") as f:  # a FIFO or device is refused, not waited on
            return f.read()
    except FileNotFoundError:
        raise NotAnImage(f"{path}: no such file") from None
    except ValueError as error:  # a directory, FIFO, device or socket
        raise NotAnImage(str(error)) from None
    except OSError as error:
        raise NotAnImage(f"{path} cannot be read ({error.strerror})") from None


def read_image(path, *, max_pixels: int = MAX_PIXELS) -> numpy.ndarray:
    """The pixels of the image file at ``path`` (see the module's docstring)."""
    return decode(_read_bytes(path), str(path), max_pixels=max_pixels)


def decode_mask(data: bytes, shape: tuple[int, int] | None = None,
                name: str = "the mask") -> numpy.ndarray:
    """The hole of a mask file's bytes: True where it is light (luma >= 128), and opaque when
    it has transparency. ``shape`` ``(H, W)``: the image's size, which the mask must have."""
    img = _open(data, name, MAX_PIXELS)
    try:
        img = _load(img, name, None)
        light = numpy.asarray(img.convert("L")) >= 128
        if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
            light &= numpy.asarray(img.convert("RGBA"))[..., 3] >= 128
    finally:
        img.close()
    if shape is not None and light.shape != tuple(shape):
        raise ImageError(f"{name} is {light.shape[1]}x{light.shape[0]} pixels but the image "
                         f"is {shape[1]}x{shape[0]}: they must be the same size")
    return light


def read_mask(path, shape: tuple[int, int] | None = None) -> numpy.ndarray:
    """:func:`decode_mask` of the file at ``path``."""
    return decode_mask(_read_bytes(path), shape, f"the mask {path}")


def encode(array: numpy.ndarray, format: str = "PNG") -> bytes:
    """``array`` (uint8 or uint16 gray, uint8 RGB) as the bytes of an image file."""
    Image, _ = _pil()
    array = numpy.ascontiguousarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.dtype == numpy.uint16 and (array.ndim == 3 or format != "PNG"):
        array = (array // 257).astype(numpy.uint8)  # 16-bit only as gray PNG
    img = Image.fromarray(array)  # uint16 gray: mode I;16
    out = io.BytesIO()
    options = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}.get(format, {})
    img.save(out, format, **options)
    return out.getvalue()


def write_image(path, array: numpy.ndarray) -> None:
    """Write ``array`` to ``path`` in the format its extension names, atomically."""
    path = Path(path)
    format = FORMATS.get(path.suffix.lower())
    if format is None:
        raise ImageError(f"{path}: unknown image format {path.suffix!r}; use one of "
                         f"{', '.join(sorted(FORMATS))}")
    data = encode(array, format)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise ImageError(f"{path} cannot be written ({error.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
