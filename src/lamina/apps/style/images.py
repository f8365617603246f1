"""Images in and out of style transfer: float32 arrays (H, W, C) in [0, 1], C = 1 or 3.

Files are read with Pillow (``pip install 'lamina[style]'``) and treated as hostile: the
header's size is checked before a pixel is decoded (at most :data:`MAX_PIXELS`), and only
regular files are opened. ``skimage:NAME`` reads a photograph shipped with scikit-image
(``skimage:astronaut``, ``skimage:chelsea``, ``skimage:brick``, ...), offline. Writes are
atomic (a temp file renamed over the target).
"""

from __future__ import annotations

import os

import numpy

__all__ = ["MAX_PIXELS", "check_image", "load_image", "resize", "save_image"]

#: the largest image read from a file (width * height): 16 megapixels
MAX_PIXELS = 4096 * 4096
_SKIMAGE = ("astronaut", "brick", "camera", "cat", "chelsea", "coffee", "grass", "gravel",
            "immunohistochemistry", "rocket", "text", "moon", "coins")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("style transfer reads and writes images with Pillow: "
                          "pip install 'lamina[style]' (or pip install Pillow)") from None
    return Image


def check_image(image, where: str, name: str = "image") -> numpy.ndarray:
    """``image`` as float32 (H, W, C) in [0, 1]; 2-D gray images get a channel axis."""
    array = numpy.asarray(image)
    if array.dtype.kind not in "fiu":
        raise ValueError(f"{where}: {name} must be a numeric array; received dtype "
                         f"{array.dtype}")
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[-1] not in (1, 3):
        raise ValueError(f"{where}: {name} must have shape (height, width) or (height, width, "
                         f"1 or 3); received shape {array.shape}")
    if min(array.shape[:2]) < 8:
        raise ValueError(f"{where}: {name} must be at least 8x8 pixels; received "
                         f"{array.shape[0]}x{array.shape[1]}")
    if array.dtype.kind in "iu":
        if array.min() < 0 or array.max() > 255:
            raise ValueError(f"{where}: {name} has integer values outside 0..255")
        return (array / 255.0).astype("float32")
    if not numpy.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{where}: {name} must hold values in [0, 1] (or integers 0..255); "
                         f"received values from {numpy.nanmin(array):.4g} to "
                         f"{numpy.nanmax(array):.4g}")
    return array.astype("float32")


def resize(image: numpy.ndarray, size) -> numpy.ndarray:
    """``image`` (H, W, C) in [0, 1] resized to ``size`` = (height, width), Lanczos filter."""
    Image = _pil()  # noqa: N806 - the module's name
    height, width = int(size[0]), int(size[1])
    if (height, width) == image.shape[:2]:
        return image
    planes = [Image.fromarray(image[:, :, c].astype("float32"), mode="F")
              .resize((width, height), Image.Resampling.LANCZOS)
              for c in range(image.shape[2])]
    return numpy.clip(numpy.stack([numpy.asarray(p) for p in planes], axis=-1), 0, 1) \
        .astype("float32")


def _skimage(name: str) -> numpy.ndarray:
    try:
        from skimage import data
    except ImportError:
        raise ImportError(f"'skimage:{name}' needs scikit-image: pip install scikit-image")\
            from None
    if name not in _SKIMAGE:
        raise ValueError(f"'skimage:{name}' is not one of the images used here; choose from "
                         f"{', '.join(_SKIMAGE)}")
    return check_image(getattr(data, name)(), "load_image", f"skimage:{name}")


def load_image(source, size=None) -> numpy.ndarray:
    """An image file (PNG, JPEG, ...) or ``skimage:NAME`` as float32 (H, W, C) in [0, 1].

    Gray files give C = 1, colour files C = 3 (alpha is dropped). ``size``: an int (the
    height; the width follows the aspect ratio) or (height, width), to resize to.
    """
    source = os.fspath(source)
    if source.startswith("skimage:"):
        image = _skimage(source.split(":", 1)[1])
    else:
        from lamina.saving.archive import open_regular

        Image = _pil()  # noqa: N806
        with open_regular(source, "image") as f:
            try:
                with Image.open(f) as im:
                    if im.width * im.height > MAX_PIXELS:
                        raise ValueError(f"load_image: {source!r} is {im.width}x{im.height} "
                                         f"pixels; at most {MAX_PIXELS} are read")
                    gray = im.mode in ("1", "L", "LA", "I", "I;16", "F")
                    array = numpy.asarray(im.convert("L" if gray else "RGB"))
            except (OSError, SyntaxError, Image.DecompressionBombError) as err:
                raise ValueError(f"load_image: cannot read {source!r} as an image ({err})") \
                    from None
        image = check_image(array, "load_image", repr(source))
    if size is not None:
        if isinstance(size, (int, numpy.integer)) and not isinstance(size, bool):
            size = (int(size), max(1, round(int(size) * image.shape[1] / image.shape[0])))
        if len(size) != 2 or min(size) < 8:
            raise ValueError(f"load_image: size must be an int or (height, width), each at "
                             f"least 8; received {size!r}")
        image = resize(image, size)
    return image


def save_image(path, image) -> None:
    """Write ``image`` ((H, W, C) in [0, 1]) as an 8-bit image file, atomically; the format
    follows the suffix (``.png``, ``.jpg``, ...)."""
    from lamina.saving.archive import atomic_path

    Image = _pil()  # noqa: N806
    array = check_image(image, "save_image")
    pixels = numpy.round(array * 255).astype("uint8")
    picture = Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)
    fmt = Image.registered_extensions().get(os.path.splitext(os.fspath(path))[1].lower())
    if fmt is None:
        raise ValueError(f"save_image: cannot tell the image format of {os.fspath(path)!r}; "
                         "use a suffix such as .png or .jpg")
    with atomic_path(path) as tmp:
        picture.save(tmp, format=fmt)
