"""Run a fully convolutional network over an image of any size, one overlapping tile at a time.

Each output tile is computed from a window of the input that reaches ``margin`` pixels
beyond it on every side that is not the image's border, and only the tile is kept. When
``margin`` is at least the network's receptive radius (:func:`receptive_radius`), every kept
pixel saw exactly what it would have seen in one pass over the whole image, so the tiled
result equals the whole-image one up to float rounding; memory holds the input, the output
and ``batch`` windows, whatever the image's size.

Windows all have one size (those at the far edges are shifted inwards, not cut), so a batch
of them is one array. A network that halves the resolution ``k`` times needs sizes that are
multiples of ``2**k`` (``multiple``): the image is padded (edge values) up to one, and the
padding cropped from the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy

__all__ = ["TILE", "plan", "receptive_radius", "round_up", "tiled"]

TILE = 256
"""Output tile side in input pixels: a 288x288 window of 32 channels is 10 MB a layer."""


def round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def plan(size: int, tile: int, margin: int, multiple: int = 1) -> tuple[int, list]:
    """How to cut one axis of ``size`` pixels (a multiple of ``multiple``).

    Returns ``(window, cuts)``: the window length and, per tile, ``(start, stop, wstart)``,
    the tile's span and its window's start. Every tile lies inside its window with ``margin``
    pixels to spare on each side, except at the ends of the axis.
    """
    tile = max(multiple, round_up(tile, multiple))
    margin = round_up(margin, multiple)
    window = min(size, tile + 2 * margin)
    cuts = []
    for start in range(0, size, tile):
        stop = min(start + tile, size)
        wstart = min(max(start - margin, 0), size - window)
        cuts.append((start, stop, wstart))
    return window, cuts


def tiled(fn: Callable, arrays: Sequence[numpy.ndarray], *, scale: int = 1, tile: int = TILE,
          margin: int = 16, multiple: int = 1, batch: int = 4, out_dtype=numpy.float32,
          finish: Callable | None = None) -> numpy.ndarray:
    """``fn`` applied to ``arrays`` (same height and width) tile by tile, stitched.

    Args:
        fn: a list of window batches (one ``(N, h, w, ...)`` array per input) -> the network's
            output batch ``(N, h * scale, w * scale, C)``. It also converts the windows (they
            are cut from ``arrays`` as they are, e.g. uint8).
        arrays: the inputs, each ``(H, W)`` or ``(H, W, ...)``.
        scale: output pixels per input pixel along each axis (2 for a x2 upscaler).
        tile, margin: tile side and context on each side, in input pixels.
        multiple: window sides must be multiples of this (networks that downsample).
        batch: windows per call of ``fn``.
        out_dtype: the result's dtype; ``finish`` maps each float output tile into it.

    Returns:
        ``(H * scale, W * scale, C)``.
    """
    height, width = arrays[0].shape[:2]
    for a in arrays[1:]:
        if a.shape[:2] != (height, width):
            raise ValueError(f"tiled: every input must be {height}x{width}; received "
                             f"{a.shape[0]}x{a.shape[1]}")
    ph, pw = round_up(height, multiple), round_up(width, multiple)
    if (ph, pw) != (height, width):
        arrays = [numpy.pad(a, [(0, ph - height), (0, pw - width)] + [(0, 0)] * (a.ndim - 2),
                            mode="edge") for a in arrays]
    wh, rows = plan(ph, tile, margin, multiple)
    ww, cols = plan(pw, tile, margin, multiple)
    jobs = [(r, c) for r in rows for c in cols]
    out = None
    for first in range(0, len(jobs), batch):
        group = jobs[first:first + batch]
        windows = [numpy.stack([a[r[2]:r[2] + wh, c[2]:c[2] + ww] for r, c in group])
                   for a in arrays]
        result = numpy.asarray(fn(windows))
        expected = (len(group), wh * scale, ww * scale)
        if result.shape[:3] != expected:
            raise ValueError(f"tiled: fn returned {result.shape} for windows of {wh}x{ww} at "
                             f"scale {scale}; expected {expected + ('C',)}")
        if out is None:
            out = numpy.empty((ph * scale, pw * scale, result.shape[3]), dtype=out_dtype)
        for (r, c), y in zip(group, result):
            (r0, r1, rw), (c0, c1, cw) = r, c
            part = y[(r0 - rw) * scale:(r1 - rw) * scale, (c0 - cw) * scale:(c1 - cw) * scale]
            out[r0 * scale:r1 * scale, c0 * scale:c1 * scale] = (
                part if finish is None else finish(part))
    return out[:height * scale, :width * scale]


def receptive_radius(model) -> tuple[int, int]:
    """``(radius, multiple)`` of a convolutional network: how far from a pixel the inputs it
    depends on may lie (an upper bound: the kernels of all layers added up, as if each
    followed the last), and the factor its resolution is divided by at most (the sizes a
    tile must be a multiple of)."""
    radius, jump, multiple = 0.0, 1.0, 1
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers") and layer.layers:
            inner, inner_multiple = receptive_radius(layer)
            radius += inner * jump
            multiple = max(multiple, int(inner_multiple * jump))
            continue
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        strides = getattr(layer, "strides", None) or (1, 1)
        dilation = getattr(layer, "dilation_rate", None) or (1, 1)
        if kernel is not None:
            k = max(kernel) if isinstance(kernel, (tuple, list)) else int(kernel)
            d = max(dilation) if isinstance(dilation, (tuple, list)) else int(dilation)
            s = max(strides) if isinstance(strides, (tuple, list)) else int(strides)
            radius += (k - 1) * d / 2 * jump
            if "Transpose" in type(layer).__name__:
                jump /= s
            else:
                jump *= s
                multiple = max(multiple, int(jump))
        factor = getattr(layer, "size", None) or getattr(layer, "block_size", None)
        if factor is not None and type(layer).__name__ in ("UpSampling2D", "DepthToSpace"):
            f = max(factor) if isinstance(factor, (tuple, list)) else int(factor)
            radius += jump  # interpolation reaches one coarse pixel further
            jump /= f
    return int(math.ceil(radius)), max(1, multiple)
