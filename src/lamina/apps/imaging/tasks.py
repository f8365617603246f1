"""The four image-to-image tasks on arrays: denoise, upscale, colorize, inpaint.

Each takes an image as :mod:`.images` describes it (uint8, uint16 or float in [0, 1]; gray or
RGB) and returns the result in the input's dtype and range, computed tile by tile
(:mod:`.tiling`) so that any size fits in bounded memory. A network trained on one channel
is run on each channel of an RGB image (the channels go through it as one batch).
"""

from __future__ import annotations

import numpy

from lamina.apps.imaging.engine import Network, network
from lamina.apps.imaging.ensemble import denoise_passes, passes_for
from lamina.apps.imaging.images import (
    ImageError,
    Kind,
    bicubic,
    describe,
    gray_of,
    mask_of,
    rgb_of_ycbcr,
    ycbcr_of,
)
from lamina.apps.imaging.pairs import SIGMA_RANGE, biharmonic
from lamina.apps.imaging.tiling import TILE, round_up, tiled

__all__ = ["colorize", "denoise", "inpaint", "upscale"]


def _per_channel(net: Network, x: numpy.ndarray) -> numpy.ndarray:
    """``net`` on float ``(N, h, w, C)``: as is when it takes C channels; one channel after
    the other when it takes one (a pass at a time holds its memory: R, G and B as one batch
    took three times the 250 MB of the denoiser's pass on a 256 tile)."""
    n, h, w, c = x.shape
    if net.in_channels == c:
        return net(x)
    if net.in_channels == 1:
        return numpy.concatenate([net(numpy.ascontiguousarray(x[..., i:i + 1]))
                                  for i in range(c)], axis=3)
    if c == 1:  # a colour network on a gray image: gray in, the mean of its channels out
        return net(numpy.repeat(x, net.in_channels, axis=3)).mean(axis=3, keepdims=True)
    raise ImageError(f"the network takes {net.in_channels} channels; the image has {c}")


def _run(net: Network, arrays, prepare, kind: Kind, channels: int, scale: int = 1,
         tile: int = TILE) -> numpy.ndarray:
    """``prepare`` (float windows -> the network's output) over ``arrays``, tile by tile;
    each tile goes straight into the input's dtype and range."""
    out = tiled(lambda windows: prepare(*windows), arrays, scale=scale, tile=tile, batch=1,
                margin=net.radius, multiple=net.multiple, out_dtype=kind.dtype,
                finish=kind.from_float)
    if kind.squeeze and channels == 1:
        return out[..., 0]
    return out


def denoise(img, sigma: float | None = None, *, tile: int = TILE):
    """``img`` without its noise (a blind denoiser: it estimates the noise itself).

    A picture smaller than 512x512 gets as many passes of the network as fit in the time
    of one pass over 512x512 (8 up to 181x181 pixels; each channel of an RGB picture as a
    gray one): rotated and mirrored copies averaged, and for strong noise a second stage
    over the first one's result (:func:`.ensemble.denoise_passes`).

    Args:
        img: gray or RGB, uint8/uint16 or float in [0, 1].
        sigma: the noise's standard deviation on the [0, 1] scale (uint8 images: divide by
            255), when known. The network was trained on a range of levels; a ``sigma``
            outside it is refused rather than answered badly. None: not checked.

    Returns the denoised image, same shape, dtype and range.
    """
    kind = describe(img)
    img = numpy.asarray(img)
    net = network("denoise")
    _check_sigma(sigma)
    passes = passes_for(*img.shape[:2])
    if passes > 1 and net.multiple == 1 and net.in_channels == 1:  # <= 362x362: one window
        x = kind.to_float(img)
        return kind.restore(numpy.concatenate(
            [denoise_passes(net, x[None, :, :, c:c + 1], passes)[0] for c in range(x.shape[2])],
            axis=2))

    def prepare(window):
        return _per_channel(net, kind.to_float(window).reshape(*window.shape[:3], -1))

    return _run(net, [img], prepare, kind, kind.channels, tile=tile)




def _check_sigma(sigma) -> None:
    if sigma is None:
        return
    try:
        value = float(sigma)
    except (TypeError, ValueError):
        raise ImageError(f"sigma must be a number (the noise's standard deviation on the "
                         f"[0, 1] scale); received {sigma!r}") from None
    low, high = SIGMA_RANGE
    if not low <= value <= high:
        hint = " (for uint8 noise levels, divide by 255)" if value > 1 else ""
        raise ImageError(f"sigma={value:g} is outside the noise levels the denoiser was "
                         f"trained on, {low:.3f} to {high:.3f} (= {low * 255:.0f}/255 to "
                         f"{high * 255:.0f}/255){hint}")


def upscale(img, scale: int = 2, *, tile: int = TILE):
    """``img`` at ``scale`` times its height and width (super-resolution).

    Raises:
        ImageError: a ``scale`` the network was not trained for.
    """
    kind = describe(img)
    img = numpy.asarray(img)
    net = network("upscale")
    if isinstance(scale, bool) or not isinstance(scale, (int, numpy.integer)) \
            or scale != net.scale:
        raise ImageError(f"scale={scale!r} is not available: the upscaler is trained for "
                         f"scale={net.scale} only")

    def prepare(window):
        x = kind.to_float(window).reshape(*window.shape[:3], -1)
        if x.shape[3] != 3 or net.in_channels != 1:
            return _per_channel(net, x)
        # As ESPCN does: the network enlarges the luma, bicubic the colour differences (smooth
        # in photographs), a third of the work of running it on R, G and B.
        ycc = ycbcr_of(x)
        luma = net(numpy.ascontiguousarray(ycc[..., :1]))
        return rgb_of_ycbcr(numpy.concatenate([luma, bicubic(ycc[..., 1:], net.scale)], axis=3))

    return _run(net, [img], prepare, kind, kind.channels, scale=net.scale, tile=tile)


def colorize(gray, *, tile: int = TILE):
    """An RGB image ``(H, W, 3)`` from a gray one (an RGB input is first made gray).

    The result has the input's dtype and range; its luma is the input's."""
    kind = describe(gray)
    gray = numpy.asarray(gray)
    net = network("colorize")

    def prepare(window):
        x = gray_of(kind.to_float(window).reshape(*window.shape[:3], -1))
        return net(x)

    return _run(net, [gray], prepare, kind, 3, tile=tile)


def inpaint(img, mask, *, tile: int = TILE):
    """``img`` with the pixels where ``mask`` is True (or nonzero) filled in.

    Args:
        img: gray or RGB, uint8/uint16 or float in [0, 1].
        mask: ``(H, W)``, the image's size: True (nonzero) where pixels are missing.

    Returns the filled image; pixels outside the mask are the input's own. Only the part of
    the image around the hole (its bounding box and the network's reach) is computed: first
    the biharmonic fill of that part (scikit-image), then the network's correction of it.
    """
    kind = describe(img)
    img = numpy.asarray(img)
    hole = mask_of(mask, img.shape[:2])
    net = network("inpaint")
    rows, cols = numpy.flatnonzero(hole.any(axis=1)), numpy.flatnonzero(hole.any(axis=0))
    if not rows.size:
        return numpy.array(img, copy=True)
    reach, m = round_up(net.radius, net.multiple), net.multiple
    top, left = max(0, rows[0] - reach) // m * m, max(0, cols[0] - reach) // m * m
    bottom = min(img.shape[0], rows[-1] + 1 + reach)
    right = min(img.shape[1], cols[-1] + 1 + reach)

    # the classical fill the network corrects, once over the whole region (a fill per tile
    # would see only the tile's side of a hole that crosses it)
    filled = biharmonic(kind.to_float(img[top:bottom, left:right]), hole[top:bottom, left:right])

    def prepare(window, holes):
        x = window.reshape(*window.shape[:3], -1)
        m = holes[..., None].astype(numpy.float32)
        n, h, w, c = x.shape
        known = x
        if net.in_channels == c + 1:
            y = net(numpy.concatenate([known, m], axis=3))
        elif net.in_channels == 2:  # a gray network: each channel with the mask
            stacked = numpy.concatenate([known.transpose(0, 3, 1, 2)[..., None],
                                         numpy.repeat(m[:, None], c, axis=1)], axis=4)
            y = net(stacked.reshape(n * c, h, w, 2)).reshape(n, c, h, w).transpose(0, 2, 3, 1)
        else:
            raise ImageError(f"the inpainting network takes {net.in_channels} channels; "
                             f"an image of {c} channel(s) and its mask make {c + 1}")
        return numpy.where(m > 0, y, x)

    region = _run(net, [filled, hole[top:bottom, left:right]], prepare, kind, kind.channels,
                  tile=tile)
    out = numpy.array(img, copy=True)
    out[top:bottom, left:right] = region
    return out
