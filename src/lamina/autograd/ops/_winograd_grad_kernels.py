"""numba kernel for the gradient transform of the Winograd kernel gradient (see
:mod:`lamina.accel` and ``_conv_winograd_training``); imported only when enabled.

:func:`grad_tiles` computes ``W = A dY A^T`` for each m x m tile ``dY`` of the output
gradient, exactly as the NumPy path of ``_conv_winograd_training._tile_sums`` does (the same
operations in the same order, so the same bits): along the tile's rows first, then its
columns, each output cell the running sum of its nonzero terms ``coef * value`` left to
right. One pass over a chunk of tiles instead of t*m + t*t whole-array passes.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def _weighted_sum(coefs, sources, out):
    """``out = sum over i of coefs[i] * sources[i]`` over the nonzero coefficients, left to
    right (the first term a product, then adds): ``_combine``'s order."""
    first = True
    for i in range(coefs.shape[0]):
        coef = coefs[i]
        if coef == 0:
            continue
        src = sources[i]
        if first:
            for q in range(out.shape[0]):
                out[q] = src[q] * coef
            first = False
        else:
            for q in range(out.shape[0]):
                out[q] = out[q] + src[q] * coef


@njit(**_JIT)
def grad_tiles(dy, a, n0, h0, nn, hh, tw, w):
    """``w`` (t, t, nn*hh*tw, O): ``A dY A^T`` of the m x m tiles of images ``n0:n0+nn``,
    tile rows ``h0:h0+hh`` of ``dy`` (N, Ho, Wo, O; a tile past its edge reads zeros), in
    (image, row, column) order; ``a`` is A (t, m) in the arrays' dtype."""
    t, m = a.shape
    ho, wo, o = dy.shape[1], dy.shape[2], dy.shape[3]
    rows = np.empty((t, m, o), dtype=dy.dtype)  # A along the tile's rows
    zero = np.zeros(o, dtype=dy.dtype)
    k = 0
    for b in range(n0, n0 + nn):
        for ty in range(h0, h0 + hh):
            for tx in range(tw):
                for j in range(m):
                    x = tx * m + j
                    for r in range(t):
                        out = rows[r, j]
                        first = True
                        for i in range(m):
                            coef = a[r, i]
                            if coef == 0:
                                continue
                            y = ty * m + i
                            src = dy[b, y, x] if y < ho and x < wo else zero
                            if first:
                                for q in range(o):
                                    out[q] = src[q] * coef
                                first = False
                            else:
                                for q in range(o):
                                    out[q] = out[q] + src[q] * coef
                for r in range(t):  # then along its columns
                    for cc in range(t):
                        _weighted_sum(a[cc], rows[r], w[r, cc, k])
                k += 1


def warm(dtype):
    """Load (or compile) the kernel for ``dtype`` arrays (see lamina.accel.preload)."""
    a = np.ones((4, 2), dtype=dtype)
    grad_tiles(np.zeros((1, 1, 2, 1), dtype=dtype), a, 0, 0, 1, 1, 1,
               np.empty((4, 4, 1, 1), dtype=dtype))
