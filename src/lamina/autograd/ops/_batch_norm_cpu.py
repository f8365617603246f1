"""Batch norm in training on the CPU with the numba kernels of ``_batch_norm_kernels``.

The reference (``normalization.BatchNorm``) makes seven NumPy passes over the batch forward
(two sums, the centred copy, its squares, the affine map) and five backward; here the
forward reads ``x`` three times and writes the output once, and the backward reads
``grad`` and ``x`` twice and writes ``dx`` once, with a ReLU after the norm
(``batch_norm_relu``) in the same passes (its mask recomputed from ``x``). Taken when
``plans.batch_norm`` says ``'channels_last'`` and the kernels load (``lamina.accel``); the
tests compare both paths.

Arrays are seen as ``(rows, C)``. Sums run over blocks of ``SUM_BLOCK`` rows (in the input's
precision inside a block, as ``normalization.channel_sum``; the blocks added in float64, in
order), and the blocks are shared among lamina's threads, so the results have the same bits
on any number of threads.
"""

from __future__ import annotations

from lamina import accel
from lamina.autograd.ops import plans
from lamina.parallel import parallel_for

#: the numba kernels of batch norm in training (lamina[fast], see lamina.accel)
KERNELS = "lamina.autograd.ops._batch_norm_kernels"
#: rows per block of a per-channel sum
SUM_BLOCK = 256


def kernels_for(xp, x, inner: int):
    """The kernel module when ``plans.batch_norm`` picks the kernels for ``x`` and they
    load, else None (the reference runs)."""
    if plans.batch_norm(inner) != "channels_last":
        return None
    return accel.kernels(xp, KERNELS, x)


def _by_blocks(x2, fn) -> None:
    """``fn(rows_lo, rows_hi, blocks_lo, blocks_hi)`` over whole blocks of the rows of
    ``x2``, cut over lamina's threads when the pass is big enough (``plans.split_rows``)."""
    rows = x2.shape[0]
    count = max(-(-rows // SUM_BLOCK), 1)

    def part(lo, hi):
        fn(lo * SUM_BLOCK, min(hi * SUM_BLOCK, rows), lo, hi)

    if plans.split_rows(x2.size):
        parallel_for(part, count)
    else:
        part(0, count)


def _sums(xp, x2, kernel, *args):
    """The per-channel float64 sums (C,) that ``kernel(x_part, *args, block, out_part)``
    writes block by block."""
    rows, c = x2.shape
    out = xp.empty((max(-(-rows // SUM_BLOCK), 1), c), dtype=xp.float64)
    _by_blocks(x2, lambda r0, r1, b0, b1: kernel(x2[r0:r1], *args, SUM_BLOCK, out[b0:b1]))
    return out.sum(axis=0)


def statistics(kern, xp, x2):
    """The batch mean and (biased) variance of each channel, in ``x2``'s dtype."""
    n = max(x2.shape[0], 1)
    mean = (_sums(xp, x2, kern.block_sums) / n).astype(x2.dtype)
    var = (_sums(xp, x2, kern.block_squares, mean) / n).astype(x2.dtype)
    return mean, var


def normalize(kern, xp, x2, mean, scale, shift, relu: bool):
    """``(x - mean) * scale + shift`` (then ReLU when ``relu``), a new (rows, C) array."""
    out = xp.empty_like(x2)
    zero = x2.dtype.type(0)
    _by_blocks(x2, lambda r0, r1, b0, b1: kern.normalize(x2[r0:r1], mean, scale, shift, relu,
                                                         zero, out[r0:r1]))
    return out


def grad_sums(kern, xp, grad2, x2, mean, scale, shift, relu: bool):
    """Per channel, ``sum(g)`` and ``sum(g * (x - mean))`` (``g``: ``grad2``, 0 where the
    output ``(x - mean) * scale + shift <= 0`` when ``relu``), in ``x2``'s dtype."""
    rows, c = x2.shape
    count = max(-(-rows // SUM_BLOCK), 1)
    sum_g = xp.empty((count, c), dtype=xp.float64)
    sum_gx = xp.empty_like(sum_g)
    zero = x2.dtype.type(0)
    _by_blocks(x2, lambda r0, r1, b0, b1: kern.block_grad_sums(
        grad2[r0:r1], x2[r0:r1], mean, scale, shift, relu, zero, SUM_BLOCK, sum_g[b0:b1],
        sum_gx[b0:b1]))
    return sum_g.sum(axis=0).astype(x2.dtype), sum_gx.sum(axis=0).astype(x2.dtype)


def input_grad(kern, xp, grad2, x2, mean, scale, shift, relu: bool, a, b, s):
    """``dx = (g - (x - mean) * a - b) * s``, a new (rows, C) array."""
    dx = xp.empty_like(x2)
    zero = x2.dtype.type(0)
    _by_blocks(x2, lambda r0, r1, b0, b1: kern.input_grad(
        grad2[r0:r1], x2[r0:r1], mean, scale, shift, relu, zero, a, b, s, dx[r0:r1]))
    return dx


def reference_saved(op, shape):
    """What the reference's backward reads, from what ``op`` (a ``normalization.BatchNorm``
    that trained on the kernels) saved: for a backward kernel that fails to compile, which
    hands over to the reference as the forward's do. Returns ``(saved, y)``: the centred
    input, ``inv`` and gamma broadcast; for the ReLU its output before clipping (``y > 0``
    where it passes; recomputed from ``x``, as the kernels recompute the mask), else None."""
    x2, inv, gamma = op.saved
    scale, shift = op.scale_shift
    centered = x2 - op.mean
    y = (centered * scale + shift).reshape(shape) if op.relu else None
    op.mean = op.scale_shift = None
    return (centered.reshape(shape), inv.reshape(op.bshape),
            None if gamma is None else gamma.reshape(op.bshape)), y
