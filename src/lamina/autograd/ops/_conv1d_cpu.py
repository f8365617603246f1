"""The 1-D convolution's own fast CPU path: stride 1 as a sum of shifted products.

conv1d is conv2d on a height-1 image (``conv.py``; ``_conv_reference.py`` is the math), and
with strides > 1 it runs that way. With stride 1 the sequence needs no im2col at all: on the
padded input flattened over the batch, ``xf`` of shape ``(N*Lp, C)`` (row ``q = n*Lp + t``),
kernel offset ``i`` is a constant row shift ``i*d``, so every offset is one product on
contiguous rows::

    out[q]              = sum_i xf[q + i*d] @ K[i]           + bias     (t < Lout)
    dK[i]               = xf[i*d : i*d + R].T @ gp[:R]
    dxf[q + i*d]       += gp[q] @ K[i].T

where ``gp`` is the output gradient placed on the same grid (zeros at the ``(k-1)*d`` rows
past each sequence's end, so windows that run into the next sequence add nothing). The rows
of ``out`` at those places are computed and thrown away. No copy of the input is made (the
im2col columns of a width-5 kernel are 5 times the input), and each product reads and
writes whole contiguous blocks. The batch is cut over lamina's threads, and each part into
chunks of about ``plans.CONV1D_CHUNK_BYTES`` so that a chunk's products and adds stay in the
cache.

Tested against the reference in ``tests/autograd/ops/test_conv1d_paths.py``.
"""

from __future__ import annotations

from lamina.autograd.ops import plans
from lamina.parallel import parallel_for


def pad_sequence(xp, x, pad):
    """``x`` (N, L, C) with ``pad = (before, after)`` zero rows; ``x`` itself when none."""
    before, after = pad
    if not before and not after:
        return x
    n, length, c = x.shape
    out = xp.empty((n, before + length + after, c), dtype=x.dtype)
    out[:, :before] = 0
    out[:, before + length:] = 0
    out[:, before:before + length] = x
    return out


def _chunk(n, lp, width, itemsize):
    """Sequences per chunk: about ``plans.CONV1D_CHUNK_BYTES`` of ``width``-wide rows."""
    return max(1, min(n, plans.CONV1D_CHUNK_BYTES // max(1, lp * width * itemsize)))


def conv1d_forward(xp, x, kernel, bias, pad, dilation, relu=False):
    """``x`` (N, L, C) correlated with ``kernel`` (k, C, O) at stride 1, ``pad`` = (before,
    after) zeros, plus ``bias`` (O,) or None, clipped at 0 when ``relu``.
    Returns ``(out (N, Lout, O), xpad (N, Lp, C))``."""
    xpad = pad_sequence(xp, x, pad)
    n, lp, c = xpad.shape
    k, _, o = kernel.shape
    reach = (k - 1) * dilation
    lout = lp - reach
    out = xp.empty((n, lout, o), dtype=xpad.dtype)
    step = _chunk(n, lp, o, xpad.itemsize)

    def work(lo, hi):  # one part of the batch per thread, in chunks of ``step`` sequences
        acc = xp.empty((min(step, hi - lo) * lp, o), dtype=xpad.dtype)
        z = xp.empty_like(acc)
        for n0 in range(lo, hi, step):
            nn = min(step, hi - n0)
            rows = nn * lp
            span = rows - reach  # the last window of the chunk starts at row span - 1
            xf = xpad[n0:n0 + nn].reshape(rows, c)
            xp.matmul(xf[:span], kernel[0], out=acc[:span])
            for i in range(1, k):
                shift = i * dilation
                xp.matmul(xf[shift:shift + span], kernel[i], out=z[:span])
                acc[:span] += z[:span]
            valid = acc[:rows].reshape(nn, lp, o)[:, :lout]
            part = out[n0:n0 + nn]
            if bias is None:
                xp.copyto(part, valid)
            else:
                xp.add(valid, bias, out=part)
            if relu:
                xp.maximum(part, 0, out=part)

    parallel_for(work, n)
    return out, xpad


def conv1d_backward(xp, grad, xpad, kernel, k_shape, x_len, pad, dilation, need,
                    relu_out=None):
    """The gradients ``(dx, dkernel, dbias)`` of :func:`conv1d_forward`, each None unless
    ``need`` (three bools) asks for it. ``xpad`` is needed for the kernel gradient and
    ``kernel`` for the input gradient; ``relu_out`` is the fused op's output (its mask is
    applied as the gradient is placed on the grid)."""
    need_x, need_k, need_b = need
    n, lout, o = grad.shape
    k, c, _ = k_shape
    reach = (k - 1) * dilation
    lp = lout + reach
    dxpad = xp.empty((n, lp, c), dtype=grad.dtype) if need_x else None
    kt = xp.ascontiguousarray(kernel.transpose(0, 2, 1)) if need_x else None  # (k, O, C)
    step = _chunk(n, lp, max(o, c), grad.itemsize)

    def work(lo, hi):  # one part of the batch per thread; kernel and bias gradients summed
        nn_max = min(step, hi - lo)
        gp = xp.zeros((nn_max, lp, o), dtype=grad.dtype)  # the tail rows stay 0
        gflat = gp.reshape(nn_max * lp, o)
        dk = xp.zeros(k_shape, dtype=grad.dtype) if need_k else None
        db = xp.zeros(o, dtype=grad.dtype) if need_b else None
        part = xp.empty((c, o), dtype=grad.dtype) if need_k else None
        z = xp.empty((nn_max * lp, c), dtype=grad.dtype) if need_x else None
        ones = xp.ones(nn_max * lp, dtype=grad.dtype) if need_b else None
        for n0 in range(lo, hi, step):
            nn = min(step, hi - n0)
            rows = nn * lp
            if relu_out is None:
                gp[:nn, :lout] = grad[n0:n0 + nn]
            else:
                xp.multiply(grad[n0:n0 + nn], relu_out[n0:n0 + nn] > 0, out=gp[:nn, :lout])
            if need_b:  # ones @ g: a product, faster than a sum over rows
                db += ones[:rows] @ gflat[:rows]
            if need_k:
                xf = xpad[n0:n0 + nn].reshape(rows, c)
                for i in range(k):
                    shift = i * dilation
                    xp.matmul(xf[shift:].T, gflat[:rows - shift], out=part)
                    dk[i] += part
            if need_x:
                dxf = dxpad[n0:n0 + nn].reshape(rows, c)
                xp.matmul(gflat[:rows], kt[0], out=dxf)
                for i in range(1, k):
                    shift = i * dilation
                    xp.matmul(gflat[:rows - shift], kt[i], out=z[:rows - shift])
                    dxf[shift:] += z[:rows - shift]
        return dk, db

    gx = gk = gb = None
    if need_x or need_k or need_b:
        parts = parallel_for(work, n)
        if need_k:
            gk = sum(p[0] for p in parts)
        if need_b:
            gb = sum(p[1] for p in parts)
    if need_x:
        before = pad[0]
        gx = dxpad if lp == x_len else dxpad[:, before:before + x_len]
    return gx, gk, gb
