"""Image files to arrays and back, as ``keras.utils.load_img`` / ``img_to_array`` /
``array_to_img`` / ``save_img``, on Pillow (``pip install 'lamina[image]'``).

Arrays are channels_last float32 ``(height, width, channels)`` with values in [0, 255], as
Keras gives them. Pillow refuses images larger than its decompression-bomb limit
(``PIL.Image.MAX_IMAGE_PIXELS``), so a hostile file cannot make lamina allocate without bound.
"""

from __future__ import annotations

import os

import numpy

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]

COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image():
    """Pillow's ``Image`` module, or an ImportError saying how to install it."""
    try:
        from PIL import Image  # noqa: PLC0415
    except ImportError:
        raise ImportError("lamina's image utilities need Pillow: pip install 'lamina[image]' "
                          "(or pip install Pillow)") from None
    return Image


def _resample(interpolation, where):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{where}: interpolation must be one of {INTERPOLATIONS}; received "
                         f"interpolation={interpolation!r}")
    return getattr(pil_image().Resampling, interpolation.upper())


def _check_format(data_format, where):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: lamina's images are channels_last; received "
                         f"data_format={data_format!r}")


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Open an image file as a Pillow image in ``color_mode`` ('grayscale', 'rgb', 'rgba'),
    resized to ``target_size`` (height, width) if given; with ``keep_aspect_ratio`` the
    largest centred crop of the target's aspect ratio is taken before resizing."""
    if color_mode not in COLOR_MODES:
        raise ValueError(f"load_img: color_mode must be one of {tuple(COLOR_MODES)}; received "
                         f"color_mode={color_mode!r}")
    from lamina.saving.archive import open_regular  # noqa: PLC0415

    image_module = pil_image()
    with open_regular(path, "image") as f:  # a FIFO or device is refused, not waited on
        img = image_module.open(f)
        img.load()
    img = img.convert(COLOR_MODES[color_mode])
    if target_size is not None:
        height, width = (int(n) for n in target_size)
        resample = _resample(interpolation, "load_img")
        if keep_aspect_ratio:
            img = img.crop(_centre_crop(img.width, img.height, width, height))
        if img.size != (width, height):
            img = img.resize((width, height), resample)
    return img


def _centre_crop(w, h, target_w, target_h):
    """The box (left, top, right, bottom) of the largest centred crop of the target's ratio."""
    crop_w = min(w, round(h * target_w / target_h))
    crop_h = min(h, round(w * target_h / target_w))
    left, top = (w - crop_w) // 2, (h - crop_h) // 2
    return left, top, left + crop_w, top + crop_h


def img_to_array(img, data_format=None, dtype=None):
    """A Pillow image as a ``(height, width, channels)`` array (float32 unless ``dtype``)."""
    _check_format(data_format, "img_to_array")
    x = numpy.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: expected an image of 2 or 3 axes; received shape "
                         f"{x.shape}")
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A ``(height, width, channels)`` array (1, 3 or 4 channels) as a Pillow image; with
    ``scale`` the values are first stretched to [0, 255]."""
    _check_format(data_format, "array_to_img")
    x = numpy.asarray(getattr(x, "data", x), dtype=dtype or "float32")
    if x.ndim != 3 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"array_to_img: expected (height, width, channels) with 1, 3 or 4 "
                         f"channels; received shape {x.shape}")
    if scale:
        x = x - x.min()
        top = x.max()
        if top != 0:
            x = x / top
        x = x * 255.0
    pixels = numpy.clip(numpy.round(x), 0, 255).astype(numpy.uint8)
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[x.shape[-1]]
    return pil_image().fromarray(pixels[:, :, 0] if mode == "L" else pixels, mode)


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the array ``x`` as an image file (format from ``file_format`` or the suffix),
    atomically: a failed write leaves any earlier file in place."""
    from lamina.saving.archive import atomic_path  # noqa: PLC0415

    img = array_to_img(x, data_format=data_format, scale=scale)
    fmt = file_format or os.path.splitext(os.fspath(path))[1].lstrip(".").upper() or None
    fmt = "JPEG" if fmt == "JPG" else fmt
    if fmt == "JPEG" and img.mode == "RGBA":
        img = img.convert("RGB")
    with atomic_path(path) as tmp:
        img.save(tmp, format=fmt, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resize images (one ``(h, w, c)`` or a batch) to ``size`` without distorting them: the
    largest centred crop of the target's aspect ratio, then a resize."""
    _check_format(data_format, "smart_resize")
    if kwargs:
        raise TypeError(f"smart_resize: unexpected arguments {sorted(kwargs)}")
    x = numpy.asarray(getattr(x, "data", x), dtype="float32")
    if x.ndim == 4:
        return numpy.stack([smart_resize(img, size, interpolation) for img in x])
    height, width = (int(n) for n in size)
    left, top, right, bottom = _centre_crop(x.shape[1], x.shape[0], width, height)
    crop = x[top:bottom, left:right]
    resample = _resample(interpolation, "smart_resize")
    image_module = pil_image()
    channels = [image_module.fromarray(numpy.ascontiguousarray(crop[:, :, c]), "F")
                .resize((width, height), resample) for c in range(crop.shape[-1])]
    return numpy.stack([numpy.asarray(c, dtype="float32") for c in channels], axis=-1)
