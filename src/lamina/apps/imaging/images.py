"""What an image given to :mod:`lamina.apps.imaging` may be, and how it goes back.

An image is a NumPy array ``(H, W)`` (gray), ``(H, W, 1)`` (gray) or ``(H, W, 3)`` (RGB) of
``uint8`` (0-255), ``uint16`` (0-65535) or a float dtype with values in [0, 1].
:func:`describe` checks one and returns its :class:`Kind`; :meth:`Kind.to_float` turns any part
of it into ``float32`` in [0, 1] with a channel axis, and :meth:`Kind.restore` turns a result
back into the input's dtype, range and layout. Nothing here copies the whole image: the tasks
convert one tile at a time, so a large image costs its input and its output, not a float copy
of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

__all__ = ["ImageError", "Kind", "bicubic", "describe", "gray_of", "mask_of", "rgb_of_ycbcr",
           "ycbcr_of"]

# ITU-R BT.601 luma, the weights of skimage.color.rgb2gray's sibling PIL "L" and of JPEG.
LUMA = numpy.array([0.299, 0.587, 0.114], dtype=numpy.float32)


class ImageError(ValueError):
    """An image or mask that a task cannot take; the message says what was given and what
    was expected."""


@dataclass(frozen=True)
class Kind:
    """The dtype, range and layout of an input image.

    Attributes:
        dtype: the input's dtype (results come back in it).
        peak: the value of white (255, 65535, or 1.0 for floats).
        channels: 1 or 3.
        squeeze: the input was ``(H, W)``: results of one channel come back ``(H, W)``.
    """

    dtype: numpy.dtype
    peak: float
    channels: int
    squeeze: bool

    def to_float(self, part: numpy.ndarray) -> numpy.ndarray:
        """``part`` (rows/columns of the input) as float32 in [0, 1], shape ``(h, w, C)``."""
        x = numpy.asarray(part, dtype=numpy.float32)
        if self.peak != 1.0:
            x = x * numpy.float32(1.0 / self.peak)
        return x[..., None] if x.ndim == 2 else x

    def from_float(self, result: numpy.ndarray) -> numpy.ndarray:
        """A float result in [0, 1] (clipped there) in the input's dtype and range."""
        y = numpy.clip(result, 0.0, 1.0)
        if numpy.issubdtype(self.dtype, numpy.integer):
            return numpy.rint(y * self.peak).astype(self.dtype)
        return y.astype(self.dtype, copy=False)

    def restore(self, result: numpy.ndarray) -> numpy.ndarray:
        """:meth:`from_float`, and one channel back to ``(H, W)`` when the input was."""
        y = self.from_float(result)
        if self.squeeze and y.ndim == 3 and y.shape[-1] == 1:
            y = y[..., 0]
        return y


def _range_error(name: str, low, high) -> ImageError:
    hint = ("; an image of 0-255 floats: divide it by 255" if high > 1 and high <= 255 else "")
    return ImageError(f"{name}: a float image must have values in [0, 1]; its values go from "
                      f"{low:.4g} to {high:.4g}{hint}")


def describe(img, name: str = "img", *, allow: tuple[int, ...] = (1, 3)) -> Kind:
    """Check ``img`` and return its :class:`Kind`.

    Raises:
        ImageError: not an array of a supported dtype, not 2-D or 3-D, a channel count not in
            ``allow``, no pixels, values outside [0, 1] (floats), NaN or infinity.
    """
    if not isinstance(img, numpy.ndarray):
        if hasattr(img, "__array__") or isinstance(img, (list, tuple)):
            img = numpy.asarray(img)
        else:
            raise ImageError(f"{name} must be a NumPy array (H, W) or (H, W, C); received "
                             f"{type(img).__name__}")
    if img.ndim not in (2, 3):
        raise ImageError(f"{name} must be (H, W) gray or (H, W, C) with C in {list(allow)}; "
                         f"received shape {img.shape}")
    channels = 1 if img.ndim == 2 else img.shape[2]
    if channels not in allow:
        extra = (" (RGBA: drop the alpha channel with img[..., :3])" if channels == 4 else "")
        raise ImageError(f"{name} must have {' or '.join(map(str, allow))} channel(s); "
                         f"received shape {img.shape}{extra}")
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ImageError(f"{name} is empty: shape {img.shape} has no pixels")
    dtype = img.dtype
    if dtype == numpy.uint8 or dtype == numpy.uint16:
        peak = float(numpy.iinfo(dtype).max)
    elif numpy.issubdtype(dtype, numpy.floating):
        peak = 1.0
        low, high = float(numpy.min(img)), float(numpy.max(img))
        if not (numpy.isfinite(low) and numpy.isfinite(high)):
            raise ImageError(f"{name} has NaN or infinite values")
        if low < 0.0 or high > 1.0:
            raise _range_error(name, low, high)
    else:
        raise ImageError(f"{name} must be uint8 (0-255), uint16 or float in [0, 1]; received "
                         f"dtype {dtype}")
    return Kind(numpy.dtype(dtype), peak, channels, img.ndim == 2)


def gray_of(x: numpy.ndarray) -> numpy.ndarray:
    """The luma of float ``(..., 3)`` RGB (BT.601 weights) as ``(..., 1)``; gray passes."""
    if x.shape[-1] == 1:
        return x
    return (x @ LUMA)[..., None].astype(numpy.float32, copy=False)


def ycbcr_of(x: numpy.ndarray) -> numpy.ndarray:
    """Float RGB ``(..., 3)`` as YCbCr (BT.601, full range as in JPEG, Cb and Cr centred at
    0): the luma, and two colour differences."""
    y = x @ LUMA
    return numpy.stack([y, (x[..., 2] - y) * 0.564334, (x[..., 0] - y) * 0.713267], axis=-1)


def rgb_of_ycbcr(x: numpy.ndarray) -> numpy.ndarray:
    """The inverse of :func:`ycbcr_of`."""
    y, cb, cr = x[..., 0], x[..., 1], x[..., 2]
    return numpy.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb],
                       axis=-1).astype(numpy.float32, copy=False)


def bicubic(x: numpy.ndarray, scale: int) -> numpy.ndarray:
    """Float ``(N, h, w, C)`` enlarged ``scale`` times by bicubic interpolation (Pillow)."""
    from PIL import Image

    n, h, w, c = x.shape
    out = numpy.empty((n, h * scale, w * scale, c), numpy.float32)
    for i in range(n):
        for j in range(c):
            plane = Image.fromarray(numpy.ascontiguousarray(x[i, :, :, j], numpy.float32), "F")
            out[i, :, :, j] = numpy.asarray(plane.resize((w * scale, h * scale),
                                                         Image.Resampling.BICUBIC))
    return out


def mask_of(mask, shape: tuple[int, int], name: str = "mask") -> numpy.ndarray:
    """``mask`` as a bool ``(H, W)`` array, True where pixels are missing.

    Accepts bool, or numbers where nonzero marks the hole (0/1, or 0/255 as a painted PNG
    gives); ``(H, W, 1)`` is squeezed. Its height and width must be ``shape``.

    Raises:
        ImageError: another size, more than one channel, or no array.
    """
    if not isinstance(mask, numpy.ndarray):
        if not (hasattr(mask, "__array__") or isinstance(mask, (list, tuple))):
            raise ImageError(f"{name} must be a NumPy array (H, W), True where pixels are "
                             f"missing; received {type(mask).__name__}")
        mask = numpy.asarray(mask)
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[..., 0]
    if mask.ndim != 2:
        raise ImageError(f"{name} must be (H, W), True where pixels are missing; received "
                         f"shape {mask.shape}")
    if mask.shape != tuple(shape):
        raise ImageError(f"{name} is {mask.shape[0]}x{mask.shape[1]} (HxW) but the image is "
                         f"{shape[0]}x{shape[1]}: they must be the same size")
    if mask.dtype == bool:
        return mask
    if not (numpy.issubdtype(mask.dtype, numpy.number)):
        raise ImageError(f"{name} must be bool or numbers; received dtype {mask.dtype}")
    return mask != 0
