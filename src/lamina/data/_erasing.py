"""Random erasing (Zhong et al. 2017) for NHWC batches: the rectangles for a whole batch
drawn at once, then one boolean mask; no Python loop over images.

The sampling follows the paper's code: a target area ``S_e = U(area) * H * W`` and an
aspect ratio ``r = U(aspect)`` give ``h = round(sqrt(S_e * r))``, ``w = round(sqrt(S_e /
r))``; a pair that does not fit (``h >= H`` or ``w >= W``) is drawn again, up to
``ATTEMPTS`` times (the image is left whole if none fits); the top-left corner is uniform
among the positions where the rectangle fits.
"""

from __future__ import annotations

import numpy

ATTEMPTS = 100  # the paper's code tries 100 times


def erasing_boxes(rng, n: int, height: int, width: int, probability: float, area, aspect):
    """``(top, left, h, w)``, four int arrays of length ``n``; ``h = w = 0`` for an image
    left whole. Draws from ``rng`` a fixed number of values for a given ``n``."""
    chosen = rng.random(n) < probability
    target = rng.uniform(area[0], area[1], (n, ATTEMPTS)) * (height * width)
    ratio = rng.uniform(aspect[0], aspect[1], (n, ATTEMPTS))
    h = numpy.rint(numpy.sqrt(target * ratio)).astype(numpy.int64)
    w = numpy.rint(numpy.sqrt(target / ratio)).astype(numpy.int64)
    fits = (h < height) & (w < width)
    first = fits.argmax(axis=1)  # the first attempt that fits (0 if none: masked below)
    rows = numpy.arange(n)
    keep = chosen & fits[rows, first]
    h = numpy.where(keep, h[rows, first], 0)
    w = numpy.where(keep, w[rows, first], 0)
    u = rng.random((2, n))
    top = (u[0] * (height - h + 1)).astype(numpy.int64)
    left = (u[1] * (width - w + 1)).astype(numpy.int64)
    return top, left, h, w


def box_mask(boxes, height: int, width: int):
    """Boolean ``(n, height, width)``: True inside each image's rectangle."""
    top, left, h, w = boxes
    rows = numpy.arange(height)
    cols = numpy.arange(width)
    in_rows = (rows >= top[:, None]) & (rows < (top + h)[:, None])
    in_cols = (cols >= left[:, None]) & (cols < (left + w)[:, None])
    return in_rows[:, :, None] & in_cols[:, None, :]


def erase_rectangles(images, boxes, value, rng):
    """Overwrite, in place, each image's rectangle of ``images`` ``(n, H, W, C)``: with
    ``value`` if it is a number, else (``'random'``) with values drawn uniformly, per pixel
    and channel, between the batch's minimum and maximum."""
    mask = box_mask(boxes, images.shape[1], images.shape[2])
    count = int(mask.sum())
    if not count:
        return images
    if value == "random":
        low, high = float(images.min()), float(images.max())
        fill = rng.uniform(low, high, (count, images.shape[3])).astype(images.dtype)
    else:
        fill = images.dtype.type(value)
    images[mask] = fill
    return images
