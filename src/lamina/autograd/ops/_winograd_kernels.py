"""numba kernels for the transforms of Winograd's F(2x2, 3x3) and F(4x4, 3x3) (see
:mod:`lamina.accel`); imported only when enabled.

They compute exactly what the NumPy path in ``_conv_inference.py`` computes, with the same
operations in the same order (so the same bits), in one pass each way instead of
eight whole-array passes over a chunk of tiles (2.3 ms instead of ~20 for the input
transform of 2 images of 56x56x256, one core):

* input: ``V = B^T d B`` of each tile ``d`` (rows first, then columns), from the padded
  input or (``*_padded``) from the input itself, the padding read as zeros, not written;
* output: ``Y = A^T M A`` of each tile's sums (rows first), written straight into the
  output: the blocks are clipped to the map, so a map that is not a multiple of the tile
  (14x14 and 7x7 with 4x4 blocks) needs no padded buffer and copy,

with the matrices of ``_conv_inference.TRANSFORMS``.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def input_2x2(xpad, n0, h0, nn, hh, tw, v):
    """``v`` (4, 4, nn*hh*tw, C): the transformed tiles of images ``n0:n0+nn``, tile rows
    ``h0:h0+hh`` of ``xpad`` (N, Hp, Wp, C), tiles in (image, row, column) order: as
    :func:`input_2x2_padded` with no padding to add (``xpad`` holds the tiles' grid)."""
    input_2x2_padded(xpad, 0, 0, n0, h0, nn, hh, tw, v)


@njit(**_JIT)
def input_2x2_padded(x, top, left, n0, h0, nn, hh, tw, v):
    """:func:`input_2x2` of ``x`` (N, H, W, C) padded by ``top`` rows and ``left`` columns
    of zeros, and by zeros below and right up to the tiles' grid, without writing the
    padded array: a cell outside ``x`` is read from a row of zeros (the same values as the
    padded array's, so the same bits).

    For each row of tiles, B^T runs along the rows on the 4 padded image rows at once (each
    cell once, into ``rows``), then along the columns tile by tile; every loop is over the
    channels of contiguous rows, so it vectorizes."""
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    rows = np.empty((4, 2 * tw + 2, c), dtype=x.dtype)
    zero = np.zeros(c, dtype=x.dtype)
    k = 0
    for b in range(n0, n0 + nn):
        for ty in range(h0, h0 + hh):
            r = 2 * ty - top
            for col in range(2 * tw + 2):
                xc = col - left
                inside = 0 <= xc < w
                d0 = x[b, r, xc] if inside and 0 <= r < h else zero
                d1 = x[b, r + 1, xc] if inside and 0 <= r + 1 < h else zero
                d2 = x[b, r + 2, xc] if inside and 0 <= r + 2 < h else zero
                d3 = x[b, r + 3, xc] if inside and 0 <= r + 3 < h else zero
                r0, r1, r2, r3 = rows[0, col], rows[1, col], rows[2, col], rows[3, col]
                for q in range(c):
                    r0[q] = d0[q] - d2[q]
                for q in range(c):
                    r1[q] = d1[q] + d2[q]
                for q in range(c):
                    r2[q] = d2[q] - d1[q]
                for q in range(c):
                    r3[q] = d1[q] - d3[q]
            for tx in range(tw):
                col = 2 * tx
                for i in range(4):
                    p0, p1 = rows[i, col], rows[i, col + 1]
                    p2, p3 = rows[i, col + 2], rows[i, col + 3]
                    o0, o1, o2, o3 = v[i, 0, k], v[i, 1, k], v[i, 2, k], v[i, 3, k]
                    for q in range(c):
                        o0[q] = p0[q] - p2[q]
                    for q in range(c):
                        o1[q] = p1[q] + p2[q]
                    for q in range(c):
                        o2[q] = p2[q] - p1[q]
                    for q in range(c):
                        o3[q] = p1[q] - p3[q]
                k += 1


@njit(**_JIT)
def output_2x2(m, nn, hh, tw, dest):
    """``dest`` (nn, <= 2*hh, <= 2*tw, O): the 2x2 output blocks of the tiles' sums ``m`` (4, 4,
    nn*hh*tw, O); loops over the channels of contiguous rows, as :func:`input_2x2`. The
    blocks are clipped to ``dest``: where the map is not a multiple of 2, the last row and
    column of blocks write only their cells inside it (no padded buffer and copy)."""
    o = m.shape[3]
    height, width = dest.shape[1], dest.shape[2]
    s = np.empty((2, 4, o), dtype=m.dtype)
    k = 0
    for b in range(nn):
        for ty in range(hh):
            for tx in range(tw):
                for j in range(4):  # A^T along the rows of each column j
                    a0, a1, a2, a3 = m[0, j, k], m[1, j, k], m[2, j, k], m[3, j, k]
                    s0, s1 = s[0, j], s[1, j]
                    for q in range(o):
                        s0[q] = a0[q] + a1[q] + a2[q]
                    for q in range(o):
                        s1[q] = a1[q] - a2[q] - a3[q]
                for i in range(min(2, height - 2 * ty)):  # then along the columns
                    u0, u1, u2, u3 = s[i, 0], s[i, 1], s[i, 2], s[i, 3]
                    y = dest[b, 2 * ty + i, 2 * tx]
                    for q in range(o):
                        y[q] = u0[q] + u1[q] + u2[q]
                    if 2 * tx + 1 < width:
                        y = dest[b, 2 * ty + i, 2 * tx + 1]
                        for q in range(o):
                            y[q] = u1[q] - u2[q] - u3[q]
                k += 1


@njit(**_JIT)
def input_4x4(xpad, n0, h0, nn, hh, tw, v, k):
    """``v`` (6, 6, nn*hh*tw, C): F(4x4, 3x3)'s transformed tiles, as :func:`input_2x2`
    (:func:`input_4x4_padded` with no padding to add); ``k`` holds the constants 4, 5, -4,
    -2, 2 in the arrays' dtype."""
    input_4x4_padded(xpad, 0, 0, n0, h0, nn, hh, tw, v, k)


@njit(**_JIT)
def input_4x4_padded(x, top, left, n0, h0, nn, hh, tw, v, k):
    """:func:`input_4x4` of ``x`` padded with zeros as :func:`input_2x2_padded` pads it.
    Each row of B^T is applied as the NumPy path applies it (``_combine``: left to right, a
    coefficient other than +-1 as a multiply first), so the bits are the same."""
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    rows = np.empty((6, 4 * tw + 2, c), dtype=x.dtype)
    zero = np.zeros(c, dtype=x.dtype)
    k4, k5, km4, km2, k2 = k[0], k[1], k[2], k[3], k[4]
    t = 0
    for b in range(n0, n0 + nn):
        for ty in range(h0, h0 + hh):
            r = 4 * ty - top
            for col in range(4 * tw + 2):
                xc = col - left
                inside = 0 <= xc < w
                d0 = x[b, r, xc] if inside and 0 <= r < h else zero
                d1 = x[b, r + 1, xc] if inside and 0 <= r + 1 < h else zero
                d2 = x[b, r + 2, xc] if inside and 0 <= r + 2 < h else zero
                d3 = x[b, r + 3, xc] if inside and 0 <= r + 3 < h else zero
                d4 = x[b, r + 4, xc] if inside and 0 <= r + 4 < h else zero
                d5 = x[b, r + 5, xc] if inside and 0 <= r + 5 < h else zero
                o = rows[0, col]
                for q in range(c):
                    o[q] = d0[q] * k4 - d2[q] * k5 + d4[q]
                o = rows[1, col]
                for q in range(c):
                    o[q] = d1[q] * km4 - d2[q] * k4 + d3[q] + d4[q]
                o = rows[2, col]
                for q in range(c):
                    o[q] = d1[q] * k4 - d2[q] * k4 - d3[q] + d4[q]
                o = rows[3, col]
                for q in range(c):
                    o[q] = d1[q] * km2 - d2[q] + d3[q] * k2 + d4[q]
                o = rows[4, col]
                for q in range(c):
                    o[q] = d1[q] * k2 - d2[q] - d3[q] * k2 + d4[q]
                o = rows[5, col]
                for q in range(c):
                    o[q] = d1[q] * k4 - d3[q] * k5 + d5[q]
            for tx in range(tw):
                col = 4 * tx
                for i in range(6):
                    d0, d1, d2 = rows[i, col], rows[i, col + 1], rows[i, col + 2]
                    d3, d4, d5 = rows[i, col + 3], rows[i, col + 4], rows[i, col + 5]
                    o = v[i, 0, t]
                    for q in range(c):
                        o[q] = d0[q] * k4 - d2[q] * k5 + d4[q]
                    o = v[i, 1, t]
                    for q in range(c):
                        o[q] = d1[q] * km4 - d2[q] * k4 + d3[q] + d4[q]
                    o = v[i, 2, t]
                    for q in range(c):
                        o[q] = d1[q] * k4 - d2[q] * k4 - d3[q] + d4[q]
                    o = v[i, 3, t]
                    for q in range(c):
                        o[q] = d1[q] * km2 - d2[q] + d3[q] * k2 + d4[q]
                    o = v[i, 4, t]
                    for q in range(c):
                        o[q] = d1[q] * k2 - d2[q] - d3[q] * k2 + d4[q]
                    o = v[i, 5, t]
                    for q in range(c):
                        o[q] = d1[q] * k4 - d3[q] * k5 + d5[q]
                t += 1


@njit(**_JIT)
def output_4x4(m, nn, hh, tw, dest, k):
    """``dest`` (nn, <= 4*hh, <= 4*tw, O): F(4x4, 3x3)'s output blocks of the sums ``m`` (6,
    6, nn*hh*tw, O), as :func:`output_2x2` (clipped to ``dest`` the same way); ``k`` holds
    2, 4, 8 in the arrays' dtype. A^T's rows are applied as ``_combine`` applies them (the
    same bits)."""
    o = m.shape[3]
    height, width = dest.shape[1], dest.shape[2]
    s = np.empty((4, 6, o), dtype=m.dtype)
    k2, k4, k8 = k[0], k[1], k[2]
    t = 0
    for b in range(nn):
        for ty in range(hh):
            for tx in range(tw):
                for j in range(6):  # A^T along the rows of each column j
                    a0, a1, a2 = m[0, j, t], m[1, j, t], m[2, j, t]
                    a3, a4, a5 = m[3, j, t], m[4, j, t], m[5, j, t]
                    y = s[0, j]
                    for q in range(o):
                        y[q] = a0[q] + a1[q] + a2[q] + a3[q] + a4[q]
                    y = s[1, j]
                    for q in range(o):
                        y[q] = a1[q] - a2[q] + a3[q] * k2 - a4[q] * k2
                    y = s[2, j]
                    for q in range(o):
                        y[q] = a1[q] + a2[q] + a3[q] * k4 + a4[q] * k4
                    y = s[3, j]
                    for q in range(o):
                        y[q] = a1[q] - a2[q] + a3[q] * k8 - a4[q] * k8 + a5[q]
                cols = min(4, width - 4 * tx)
                for i in range(min(4, height - 4 * ty)):  # then along the columns
                    a0, a1, a2 = s[i, 0], s[i, 1], s[i, 2]
                    a3, a4, a5 = s[i, 3], s[i, 4], s[i, 5]
                    y = dest[b, 4 * ty + i, 4 * tx + 0]
                    for q in range(o):
                        y[q] = a0[q] + a1[q] + a2[q] + a3[q] + a4[q]
                    if cols > 1:
                        y = dest[b, 4 * ty + i, 4 * tx + 1]
                        for q in range(o):
                            y[q] = a1[q] - a2[q] + a3[q] * k2 - a4[q] * k2
                    if cols > 2:
                        y = dest[b, 4 * ty + i, 4 * tx + 2]
                        for q in range(o):
                            y[q] = a1[q] + a2[q] + a3[q] * k4 + a4[q] * k4
                    if cols > 3:
                        y = dest[b, 4 * ty + i, 4 * tx + 3]
                        for q in range(o):
                            y[q] = a1[q] - a2[q] + a3[q] * k8 - a4[q] * k8 + a5[q]
                t += 1


def constants(dtype, size):
    """The constants the F(size x size) kernels take, in ``dtype`` (a float64 literal would
    make numba compute in float64)."""
    return (np.array([4, 5, -4, -2, 2], dtype=dtype), np.array([2, 4, 8], dtype=dtype))


def warm(dtype):
    """Load (or compile) the kernels for ``dtype`` arrays (see lamina.accel.preload)."""
    xpad = np.zeros((1, 6, 6, 1), dtype=dtype)
    v = np.empty((6, 6, 1, 1), dtype=dtype)
    input_2x2(xpad, 0, 0, 1, 1, 1, v[:4, :4])
    output_2x2(v[:4, :4], 1, 1, 1, np.empty((1, 2, 2, 1), dtype=dtype))
    into, out = constants(dtype, 4)
    input_4x4(xpad, 0, 0, 1, 1, 1, v, into)
    x = np.zeros((1, 5, 5, 1), dtype=dtype)
    input_2x2_padded(x, 1, 1, 0, 0, 1, 1, 1, v[:4, :4])
    input_4x4_padded(x, 1, 1, 0, 0, 1, 1, 1, v, into)
    output_4x4(v, 1, 1, 1, np.empty((1, 4, 4, 1), dtype=dtype), out)
