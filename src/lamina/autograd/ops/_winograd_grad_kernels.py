"""numba kernel for the gradient transform of the Winograd kernel gradient (see
:mod:`lamina.accel` and ``_conv_winograd_training``); imported only when enabled.

:func:`grad_2x2` and :func:`grad_4x4` compute ``W = A dY A^T`` for each m x m tile ``dY`` of
the output gradient, exactly as the NumPy path of ``_conv_winograd_training._tile_sums`` does
(the same operations in the same order, so the same bits): along the tile's rows first, then
its columns, each output cell the running sum of its nonzero terms left to right. One pass
over a chunk of tiles instead of t*m + t*t whole-array passes; a fused op's ReLU mask is
applied as each pixel is read (``relu_grad``'s bits, no masked copy). A's rows are written out (as
``_winograd_kernels`` writes B's), so each loop runs over the channels of contiguous rows and
vectorizes; a loop over A's coefficients did not (4.8 ms for the small ResNet's 14x14 32->64
gradient at batch 128 on one core, against 1.1 for the input's transform).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(inline="always", **_JIT)
def _load(dy, mask, masked, b, y, col, buf, i, unit):
    """The gradient's pixel (b, y, col) over the channels: times ReLU's mask when
    ``masked`` (``mask > 0`` as 1 or 0 times the gradient, relu_grad's bits) into row
    ``buf[i]``, else ``dy``'s own row; zeros (``unit``'s first row) outside ``dy``."""
    if y < 0 or y >= dy.shape[1] or col < 0 or col >= dy.shape[2]:
        return unit[0]
    if not masked:
        return dy[b, y, col]
    src, m, out = dy[b, y, col], mask[b, y, col], buf[i]
    one, zero = unit[1, 0], unit[0, 0]
    for q in range(out.shape[0]):
        out[q] = (one if m[q] > 0 else zero) * src[q]
    return out


@njit(**_JIT)
def grad_2x2(dy, n0, h0, nn, hh, tw, w, mask, masked):
    """``w`` (4, 4, nn*hh*tw, O): ``A dY A^T`` of F(2x2, 3x3)'s 2x2 tiles ``dY`` of images
    ``n0:n0+nn``, tile rows ``h0:h0+hh`` of ``dy`` (N, Ho, Wo, O; a tile past the edge reads
    zeros), times ReLU's ``mask`` (an array like ``dy``) when ``masked``, in (image, row,
    column) order. A's rows are (1, 0), (1, 1), (1, -1), (0, -1): along the tiles' rows
    first, for the whole row of tiles at once (each cell once), then along their columns tile
    by tile; every loop is over the channels of contiguous rows."""
    o = dy.shape[3]
    rows = np.empty((4, 2 * tw, o), dtype=dy.dtype)
    buf = np.empty((2, o), dtype=dy.dtype)
    unit = np.zeros((2, o), dtype=dy.dtype)  # a row of zeros, a row of ones
    unit[1] = 1
    k = 0
    for b in range(n0, n0 + nn):
        for ty in range(h0, h0 + hh):
            y = 2 * ty
            for col in range(2 * tw):
                d0 = _load(dy, mask, masked, b, y, col, buf, 0, unit)
                d1 = _load(dy, mask, masked, b, y + 1, col, buf, 1, unit)
                r0, r1, r2, r3 = rows[0, col], rows[1, col], rows[2, col], rows[3, col]
                for q in range(o):
                    r0[q] = d0[q]
                for q in range(o):
                    r1[q] = d0[q] + d1[q]
                for q in range(o):
                    r2[q] = d0[q] - d1[q]
                for q in range(o):
                    r3[q] = -d1[q]
            for tx in range(tw):
                for r in range(4):
                    p0, p1 = rows[r, 2 * tx], rows[r, 2 * tx + 1]
                    o0, o1, o2, o3 = w[r, 0, k], w[r, 1, k], w[r, 2, k], w[r, 3, k]
                    for q in range(o):
                        o0[q] = p0[q]
                    for q in range(o):
                        o1[q] = p0[q] + p1[q]
                    for q in range(o):
                        o2[q] = p0[q] - p1[q]
                    for q in range(o):
                        o3[q] = -p1[q]
                k += 1


@njit(**_JIT)
def grad_4x4(dy, n0, h0, nn, hh, tw, w, c, mask, masked):
    """``w`` (6, 6, nn*hh*tw, O): ``A dY A^T`` of F(4x4, 3x3)'s 4x4 tiles, as
    :func:`grad_2x2`; ``c`` holds 2, 4, 8 in the arrays' dtype. A's rows are (1, 0, 0, 0),
    (1, 1, 1, 1), (1, -1, 1, -1), (1, 2, 4, 8), (1, -2, 4, -8), (0, 0, 0, 1), each applied as
    ``_combine`` applies it (left to right, a coefficient other than +-1 as a multiply)."""
    o = dy.shape[3]
    c2, c4, c8 = c[0], c[1], c[2]
    rows = np.empty((6, 4 * tw, o), dtype=dy.dtype)
    buf = np.empty((4, o), dtype=dy.dtype)
    unit = np.zeros((2, o), dtype=dy.dtype)  # a row of zeros, a row of ones
    unit[1] = 1
    k = 0
    for b in range(n0, n0 + nn):
        for ty in range(h0, h0 + hh):
            y = 4 * ty
            for col in range(4 * tw):
                d0 = _load(dy, mask, masked, b, y, col, buf, 0, unit)
                d1 = _load(dy, mask, masked, b, y + 1, col, buf, 1, unit)
                d2 = _load(dy, mask, masked, b, y + 2, col, buf, 2, unit)
                d3 = _load(dy, mask, masked, b, y + 3, col, buf, 3, unit)
                out = rows[0, col]
                for q in range(o):
                    out[q] = d0[q]
                out = rows[1, col]
                for q in range(o):
                    out[q] = d0[q] + d1[q] + d2[q] + d3[q]
                out = rows[2, col]
                for q in range(o):
                    out[q] = d0[q] - d1[q] + d2[q] - d3[q]
                out = rows[3, col]
                for q in range(o):
                    out[q] = d0[q] + d1[q] * c2 + d2[q] * c4 + d3[q] * c8
                out = rows[4, col]
                for q in range(o):
                    out[q] = d0[q] - d1[q] * c2 + d2[q] * c4 - d3[q] * c8
                out = rows[5, col]
                for q in range(o):
                    out[q] = d3[q]
            for tx in range(tw):
                x = 4 * tx
                for r in range(6):
                    d0, d1, d2, d3 = rows[r, x], rows[r, x + 1], rows[r, x + 2], rows[r, x + 3]
                    out = w[r, 0, k]
                    for q in range(o):
                        out[q] = d0[q]
                    out = w[r, 1, k]
                    for q in range(o):
                        out[q] = d0[q] + d1[q] + d2[q] + d3[q]
                    out = w[r, 2, k]
                    for q in range(o):
                        out[q] = d0[q] - d1[q] + d2[q] - d3[q]
                    out = w[r, 3, k]
                    for q in range(o):
                        out[q] = d0[q] + d1[q] * c2 + d2[q] * c4 + d3[q] * c8
                    out = w[r, 4, k]
                    for q in range(o):
                        out[q] = d0[q] - d1[q] * c2 + d2[q] * c4 - d3[q] * c8
                    out = w[r, 5, k]
                    for q in range(o):
                        out[q] = d3[q]
                k += 1


def constants(dtype):
    """The constants :func:`grad_4x4` takes, in ``dtype`` (a float64 literal would make numba
    compute in float64)."""
    return np.array([2, 4, 8], dtype=dtype)


def warm(dtype):
    """Load (or compile) the kernels for ``dtype`` arrays (see lamina.accel.preload)."""
    dy = np.zeros((1, 2, 2, 1), dtype=dtype)
    v = np.empty((6, 6, 1, 1), dtype=dtype)
    for masked in (False, True):
        grad_2x2(dy, 0, 0, 1, 1, 1, v[:4, :4], dy, masked)
        grad_4x4(dy, 0, 0, 1, 1, 1, v, constants(dtype), dy, masked)
