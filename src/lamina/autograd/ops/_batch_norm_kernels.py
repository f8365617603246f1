"""numba kernels for batch norm in training (see :mod:`lamina.accel`); imported only when enabled.

They compute what the NumPy reference in ``normalization.py`` computes, for a channels-last
input seen as ``(rows, C)``, in fewer passes over memory:

* statistics: the per-channel sum of ``x``, then of ``(x - mean) ** 2``, one read each,
  block by block (``block`` rows per block, summed in ``x``'s precision; the caller adds
  the blocks in float64, as the reference's ``channel_sum``);
* output: ``(x - mean) * scale + shift`` in one pass (``scale = gamma / sqrt(var + eps)``,
  ``shift = beta``), with the ReLU of ``batch_norm_relu`` in the same pass;
* backward: the per-channel sums of ``g`` and ``g * (x - mean)`` in one read of ``g`` and
  ``x``, then ``dx = (g - (x - mean) * a - b) * s`` in one pass, where ``g`` is the upstream
  gradient (masked by ``y > 0`` after a ReLU, ``y`` recomputed from ``x``: not read).

Sums run block by block in a fixed order, so they have the same bits whatever the number of
threads that share the blocks. Every call works on whole blocks of rows of one part of the
batch; the caller cuts the parts (``lamina.parallel.parallel_for``).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def block_sums(x, block, out):
    """``out[b, c]``: the sum of ``x[r, c]`` over the rows ``r`` of block ``b`` (summed in
    ``x``'s precision, as the reference's blocks)."""
    rows, c = x.shape
    acc = np.zeros(c, x.dtype)
    for b in range(out.shape[0]):
        acc[:] = 0
        for r in range(b * block, min((b + 1) * block, rows)):
            for q in range(c):
                acc[q] += x[r, q]
        out[b] = acc


@njit(**_JIT)
def block_squares(x, mean, block, out):
    """``out[b, c]``: the sum of ``(x[r, c] - mean[c]) ** 2`` over block ``b``'s rows."""
    rows, c = x.shape
    acc = np.zeros(c, x.dtype)
    for b in range(out.shape[0]):
        acc[:] = 0
        for r in range(b * block, min((b + 1) * block, rows)):
            for q in range(c):
                d = x[r, q] - mean[q]
                acc[q] += d * d
        out[b] = acc


@njit(**_JIT)
def normalize(x, mean, scale, shift, relu, zero, out):
    """``out = (x - mean) * scale + shift``, then ``max(out, 0)`` when ``relu`` (NaN stays).
    ``zero``: 0 in ``x``'s dtype (a literal 0 would make numba compute in float64)."""
    rows, c = x.shape
    for r in range(rows):
        for q in range(c):
            v = (x[r, q] - mean[q]) * scale[q] + shift[q]
            if relu and v < 0:
                v = zero
            out[r, q] = v


@njit(**_JIT)
def _through_relu(g, d, scale, shift, relu, zero):
    """``g``, or ``g * 0`` (NaN stays NaN, as ``grad * (y > 0)``) where ``relu`` and the
    output ``y = d * scale + shift`` (``d = x - mean``, as :func:`normalize` computes it) is
    not above 0."""
    if relu and not d * scale + shift > 0:
        return g * zero
    return g


@njit(**_JIT)
def block_grad_sums(grad, x, mean, scale, shift, relu, zero, block, sum_g, sum_gx):
    """``sum_g[b, c]``, ``sum_gx[b, c]``: the sums of ``g`` and ``g * (x - mean)`` over
    block ``b``'s rows, ``g = grad``; with ``relu``, ``g = grad * (y > 0)`` where ``y`` is
    the output, recomputed as in :func:`normalize` (the same bits; one array less to read)."""
    rows, c = x.shape
    acc_g, acc_gx = np.zeros(c, x.dtype), np.zeros(c, x.dtype)
    for b in range(sum_g.shape[0]):
        acc_g[:] = 0
        acc_gx[:] = 0
        for r in range(b * block, min((b + 1) * block, rows)):
            for q in range(c):
                d = x[r, q] - mean[q]
                g = _through_relu(grad[r, q], d, scale[q], shift[q], relu, zero)
                acc_g[q] += g
                acc_gx[q] += g * d
        sum_g[b] = acc_g
        sum_gx[b] = acc_gx


@njit(**_JIT)
def input_grad(grad, x, mean, scale, shift, relu, zero, a, b, s, dx):
    """``dx = (g - (x - mean) * a - b) * s``, ``g`` as in :func:`block_grad_sums`."""
    rows, c = x.shape
    for r in range(rows):
        for q in range(c):
            d = x[r, q] - mean[q]
            g = _through_relu(grad[r, q], d, scale[q], shift[q], relu, zero)
            dx[r, q] = (g - d * a[q] - b[q]) * s[q]


def warm(dtype):
    """Load (or compile) the kernels for ``dtype`` arrays (see lamina.accel.preload)."""
    x = np.zeros((2, 3), dtype=dtype)
    v = np.zeros(3, dtype=dtype)
    sums = np.zeros((1, 3))
    block_sums(x, 2, sums)
    block_squares(x, v, 2, sums)
    for relu in (False, True):
        zero = np.dtype(dtype).type(0)
        normalize(x, v, v, v, relu, zero, x)
        block_grad_sums(x, x, v, v, v, relu, zero, 2, sums, sums.copy())
        input_grad(x, x, v, v, v, relu, zero, v, v, v, x)
