"""numba kernels for max pooling (see :mod:`lamina.accel`); imported only when enabled.

They compute exactly what the NumPy path in ``pooling.py`` computes, window by window:

* forward: the running maximum over the window's real cells in row-major order, from
  -inf, with NumPy's ``maximum`` semantics (a NaN wins and stays), and the offset
  ``k = i * pw + j`` of the first strict maximum (a later cell must be greater to win, as
  ``greater`` does; 0 when no cell beats -inf);
  :func:`max_pool_forward_2x2` is the same for 2x2 windows at stride 2, unpadded;
* backward: each window's gradient added to the cell its winning offset names.

Where a window's maximum is a tie of -0.0 and +0.0, the sign of the result may differ from
NumPy's ``maximum`` (which one it returns depends on its SIMD loop); the values are equal.

All arrays are channels_last (N, H, W, C) slices of one part of the batch; padding is
given by ``top``/``left`` (cells outside the input are never read).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def max_pool_forward(x, ph, pw, sh, sw, top, left, out, best):
    """``out`` (N, Ho, Wo, C): each window's maximum; ``best``: its winning offset."""
    n, h, w, c = x.shape
    ho, wo = out.shape[1], out.shape[2]
    for b in range(n):
        for i in range(ho):
            r0 = i * sh - top
            for j in range(wo):
                c0 = j * sw - left
                for q in range(c):  # as the NumPy path starts (for a full window, the same
                    out[b, i, j, q] = -np.inf  # as starting from its first cell)
                    best[b, i, j, q] = 0
                for di in range(ph):
                    r = r0 + di
                    if r < 0 or r >= h:
                        continue
                    for dj in range(pw):
                        col = c0 + dj
                        if col < 0 or col >= w:
                            continue
                        k = di * pw + dj
                        for q in range(c):
                            v = x[b, r, col, q]
                            current = out[b, i, j, q]
                            if v > current:
                                best[b, i, j, q] = k
                            if v > current or v != v:
                                out[b, i, j, q] = v


@njit(**_JIT)
def max_pool_forward_2x2(x, out, best):
    """:func:`max_pool_forward` for 2x2 windows at stride 2 without padding (Keras's default
    ``MaxPooling2D``), each window read once: its four cells (row-major) into a running
    maximum held in a register per channel, with the same comparisons as the general kernel
    as selects rather than branches, so the loop over the channels vectorizes (13x faster
    on 128x28x28x32, one core). Starting from the first cell is starting from -inf: that
    cell wins, offset 0, whatever it holds. Reads rows and columns ``< 2 * out``'s (an odd
    last row or column is outside every window, as in the general kernel)."""
    n, ho, wo, c = out.shape
    for b in range(n):
        for i in range(ho):
            x0, x1 = x[b, 2 * i], x[b, 2 * i + 1]
            for j in range(wo):
                d0, d1, d2, d3 = x0[2 * j], x0[2 * j + 1], x1[2 * j], x1[2 * j + 1]
                y, kb = out[b, i, j], best[b, i, j]
                for q in range(c):
                    current = d0[q]
                    k = 0
                    v = d1[q]
                    better = v > current
                    k = 1 if better else k
                    current = v if better or v != v else current
                    v = d2[q]
                    better = v > current
                    k = 2 if better else k
                    current = v if better or v != v else current
                    v = d3[q]
                    better = v > current
                    k = 3 if better else k
                    current = v if better or v != v else current
                    y[q] = current
                    kb[q] = k


@njit(**_JIT)
def max_pool_backward(grad, best, ph, pw, sh, sw, top, left, gx):
    """Add each window's gradient to its winner in ``gx`` (N, H, W, C), which the caller
    zeroed. Where windows overlap, a cell's shares are added offset by offset, in the NumPy
    path's order, so both paths round alike. Each call owns its part of the batch."""
    n, ho, wo, c = grad.shape
    h, w = gx.shape[1], gx.shape[2]
    for b in range(n):
        for di in range(ph):
            for dj in range(pw):
                k = di * pw + dj
                for i in range(ho):
                    r = i * sh - top + di
                    if r < 0 or r >= h:  # a padded cell: it only "wins" a window of -inf
                        continue
                    for j in range(wo):
                        col = j * sw - left + dj
                        if col < 0 or col >= w:
                            continue
                        for q in range(c):
                            if best[b, i, j, q] == k:
                                gx[b, r, col, q] += grad[b, i, j, q]


@njit(**_JIT)
def max_pool_backward_tiles(grad, best, ph, pw, gx):
    """The backward when windows tile the input exactly (stride = pool size, no padding):
    every cell of ``gx`` is written once (the window's gradient or 0), so no zeroing pass."""
    n, ho, wo, c = grad.shape
    for b in range(n):
        for i in range(ho):
            for di in range(ph):
                r = i * ph + di
                for j in range(wo):
                    for dj in range(pw):
                        col = j * pw + dj
                        k = di * pw + dj
                        for q in range(c):
                            gx[b, r, col, q] = grad[b, i, j, q] if best[b, i, j, q] == k else 0


def warm(dtype):
    """Load (or compile) the kernels for ``dtype`` inputs with int8 winners, as a 2x2 pool
    of a float image uses them (see lamina.accel.preload)."""
    x = np.zeros((1, 2, 2, 1), dtype=dtype)
    out = np.empty((1, 1, 1, 1), dtype=dtype)
    best = np.zeros((1, 1, 1, 1), dtype=np.int8)
    max_pool_forward(x, 2, 2, 2, 2, 0, 0, out, best)
    max_pool_forward_2x2(x, out, best)
    max_pool_backward(out, best, 2, 2, 2, 2, 0, 0, x)
    max_pool_backward_tiles(out, best, 2, 2, x)
