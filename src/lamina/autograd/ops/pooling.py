"""Pooling over windows (channels_last, Keras semantics): max / average, 2-D and 1-D, global.

Every window op here is one loop over the ``ph * pw`` offsets of the window. For offset
``(i, j)`` the input cells ``x[:, ho*sh + i - top, wo*sw + j - left]`` of all windows form
one strided slice, so the forward is ``ph * pw`` elementwise ``maximum`` (or ``+``) calls on
whole slices and the backward adds the gradient back through the same slices (Chainer's
im2col loop; no ``np.add.at``, no fancy indexing). Padded cells are never read: with
``padding='same'`` an offset simply covers fewer windows, so a padded cell never wins a
max and an average divides by the number of real cells (as Keras/TensorFlow do).

This loop beats a two-stage reshape ``max`` and an ``as_strided`` window view, and it runs
over the batch in chunks (``plans.pool_batch_chunk``) so that its repeated reads hit the cache
(benchmarks/README.md). ``_pool_reference.py`` is the plain version it is tested against.

Max pooling saves only the winning offset of each window (an int8 array of the output's
size): the first maximum in row-major window order, as PyTorch does, so each window sends
its gradient to exactly one cell.
"""

from __future__ import annotations

import threading

from lamina import accel
from lamina.autograd.function import Function
from lamina.autograd.ops import plans
from lamina.autograd.ops._spatial import (
    expect_ndim,
    normalize_tuple,
    output_length,
    resolve_padding,
)
from lamina.parallel import parallel_for

__all__ = [
    "max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d",
    "global_avg_pool2d", "global_max_pool2d",
]

#: the numba kernels of max pooling (lamina[fast], see lamina.accel)
KERNELS = "lamina.autograd.ops._pool_kernels"


def _axis_plan(size, k, s, pad, out):
    """For each window offset ``i`` along one axis: (output slice, input slice) of the windows
    whose cell ``i`` is a real (not padded) cell, or None when there is no such window."""
    plan = []
    for i in range(k):
        lo = max(0, -((i - pad) // s))                 # first window whose cell i is real
        hi = min(out, (size - 1 + pad - i) // s + 1)  # one past the last such window
        start = lo * s + i - pad
        plan.append((slice(lo, hi), slice(start, start + (hi - lo - 1) * s + 1, s))
                    if hi > lo else None)
    return plan


class _Pool2D(Function):
    """Shared argument handling and the offset plan; subclasses give forward/backward math."""

    spatial = 2  # 1 for the (N, L, C) variants, which run as (N, L, 1, C)

    def _setup(self, x, pool_size, strides, padding):
        op = self.name
        if self.spatial == 1:
            expect_ndim(x, 3, op, "N, L, C")
            pool = normalize_tuple(pool_size, 1, "pool_size", op) + (1,)
            strides = pool if strides is None else normalize_tuple(strides, 1, "strides", op) + (1,)
            x = x.reshape(x.shape[0], x.shape[1], 1, x.shape[2])
            names = ("L", "W")
        else:
            expect_ndim(x, 4, op, "N, H, W, C")
            pool = normalize_tuple(pool_size, 2, "pool_size", op)
            strides = pool if strides is None else normalize_tuple(strides, 2, "strides", op)
            names = ("H", "W")
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise ValueError(
                f"{op}: padding must be 'valid' or 'same'; received padding={padding!r}"
            )
        n, h, w, c = x.shape
        pads = resolve_padding(padding, (h, w), pool, strides, (1, 1), op)
        out = tuple(output_length(size, k, s, p, 1, op, axis)
                    for size, k, s, p, axis in zip((h, w), pool, strides, pads, names, strict=True))
        (ph, pw), (sh, sw) = pool, strides
        self.window_args = (ph, pw, sh, sw, pads[0][0], pads[1][0])  # for the numba kernels
        rows = _axis_plan(h, ph, sh, pads[0][0], out[0])
        cols = _axis_plan(w, pw, sw, pads[1][0], out[1])
        # offsets as (k, out_rows, out_cols, in_rows, in_cols); k is the row-major window index
        self.offsets = [(i * pw + j, r[0], cl[0], r[1], cl[1])
                        for i, r in enumerate(rows) if r is not None
                        for j, cl in enumerate(cols) if cl is not None]
        self.in_shape = x.shape
        # batch chunks: the offset loop reads each input cell several times, and on a chunk
        # those reads come from the CPU cache
        self.per = plans.pool_batch_chunk(n, h, w, c, x.dtype.itemsize)
        self.batches = [slice(s, s + self.per) for s in range(0, n, self.per or 1)]
        self.out_shape = (n, out[0], out[1], c)
        self.window = ph * pw
        # every window lies fully inside the input (no padded cell is ever part of a window)
        self.full = all(p is not None and p[0] == slice(0, n_out)
                        for plan, n_out in ((rows, out[0]), (cols, out[1])) for p in plan)
        # windows never overlap: each input cell belongs to at most one window
        self.disjoint = sh >= ph and sw >= pw
        # windows tile the input exactly: every input cell belongs to exactly one window
        self.tiles = (self.full and (sh, sw) == (ph, pw)
                      and out[0] * sh == h and out[1] * sw == w)
        return x

    def _input_grad(self, dtype, share, scratch=False):
        """The input gradient, one strided slice per window offset and batch chunk.

        ``share(k, batch, out_rows, out_cols, out)`` is what offset ``k`` sends to its input
        slice. Disjoint windows write it straight into the gradient (``out``); overlapping
        windows add it up, computed into a reused ``scratch`` buffer if asked (else ``out`` is
        None and ``share`` returns it).
        """
        xp = self.xp
        gx = (xp.empty if self.tiles else xp.zeros)(self.in_shape, dtype=dtype)

        def work(lo, hi):  # a run of batch chunks per thread, each with its own scratch
            buffer = None
            if scratch and not self.disjoint:
                buffer = xp.empty((self.per,) + self.out_shape[1:], dtype=dtype)
            for b in self.batches[lo:hi]:
                for k, orows, ocols, irows, icols in self.offsets:
                    target = gx[b, irows, icols]
                    if self.disjoint:
                        share(k, b, orows, ocols, target)
                    elif scratch:
                        piece = buffer[:target.shape[0], orows, ocols]
                        share(k, b, orows, ocols, piece)
                        target += piece
                    else:
                        target += share(k, b, orows, ocols, None)

        parallel_for(work, len(self.batches))
        return gx.reshape(self.orig_shape)

    def _output(self, out):
        return out.reshape(self.out_shape[:2] + self.out_shape[3:]) if self.spatial == 1 else out


class MaxPool2D(_Pool2D):
    name = "max_pool2d"

    def forward(self, x, *, pool_size, strides, padding):
        self.orig_shape = x.shape
        x = self._setup(x, pool_size, strides, padding)
        xp, record = self.xp, self.recording
        index_type = xp.int8 if self.window <= 127 else xp.int32
        self.kernels = accel.kernels(xp, KERNELS, x)
        if self.kernels is not None:
            try:
                return self._compiled_forward(x, index_type)
            except self.kernels.COMPILE_ERRORS as error:  # numba cannot compile here
                self.kernels = accel.failed(KERNELS, error)
        out = (xp.empty(self.out_shape, dtype=x.dtype) if self.full
               else xp.full(self.out_shape, -xp.inf, dtype=x.dtype))
        best = xp.zeros(self.out_shape, dtype=index_type) if record else None
        chunk_shape = (self.per,) + self.out_shape[1:]

        def work(lo, hi):  # a run of batch chunks per thread, each with its own scratch
            better = flag = None
            if record:
                better = xp.empty(chunk_shape, dtype=bool)
                flag = (better.view(index_type) if index_type == xp.int8
                        else xp.empty(chunk_shape, dtype=index_type))
            for b in self.batches[lo:hi]:
                nb = out[b].shape[0]
                self._chunk(x[b], out[b],
                            *((best[b], better[:nb], flag[:nb]) if record else ()))

        parallel_for(work, len(self.batches))
        if record:
            self.save_for_backward(best)
        return self._output(out)

    def _compiled_forward(self, x, index_type):
        """The forward as one numba pass per part of the batch (see lamina.accel)."""
        xp = self.xp
        x = xp.ascontiguousarray(x)
        out = xp.empty(self.out_shape, dtype=x.dtype)
        best = xp.empty(self.out_shape, dtype=index_type)
        if self.full and self.window_args == (2, 2, 2, 2, 0, 0):  # windows read once
            two = self.kernels.max_pool_forward_2x2

            def work(lo, hi):
                two(x[lo:hi], out[lo:hi], best[lo:hi])
        else:
            forward = self.kernels.max_pool_forward

            def work(lo, hi):
                forward(x[lo:hi], *self.window_args, out[lo:hi], best[lo:hi])

        parallel_for(work, x.shape[0])
        if self.recording:
            self.save_for_backward(best)
        return self._output(out)

    def _compiled_backward(self, grad, best):
        """Each window's gradient scattered to its winner, one numba pass per part."""
        xp = self.xp
        grad = xp.ascontiguousarray(grad)
        ph, pw, sh, sw, top, left = self.window_args
        if self.tiles:  # every input cell is written: no zeroing pass
            gx = xp.empty(self.in_shape, dtype=grad.dtype)
            tiles = self.kernels.max_pool_backward_tiles

            def work(lo, hi):
                tiles(grad[lo:hi], best[lo:hi], ph, pw, gx[lo:hi])
        else:
            gx = xp.zeros(self.in_shape, dtype=grad.dtype)
            scatter = self.kernels.max_pool_backward

            def work(lo, hi):
                scatter(grad[lo:hi], best[lo:hi], ph, pw, sh, sw, top, left, gx[lo:hi])

        parallel_for(work, grad.shape[0])
        return gx.reshape(self.orig_shape)

    def _chunk(self, x, out, best=None, better_all=None, flag_all=None):
        """Max over the window offsets for one batch chunk; ``best`` gets the winning offset
        (``better_all`` and ``flag_all`` are scratch space for it)."""
        xp, rest = self.xp, self.offsets
        if self.full:  # the first offset covers every window: start from it
            xp.copyto(out, x[:, rest[0][3], rest[0][4]])
            rest = rest[1:]
        for k, orows, ocols, irows, icols in rest:
            cells, current = x[:, irows, icols], out[:, orows, ocols]
            if best is not None:
                # windows where offset k beats every earlier offset; the last such k is the
                # first maximum in row-major order, so a running max of (k * better) finds it
                better, flag = better_all[:, orows, ocols], flag_all[:, orows, ocols]
                xp.greater(cells, current, out=better)
                xp.multiply(better, best.dtype.type(k), out=flag)
                sub = best[:, orows, ocols]
                xp.maximum(sub, flag, out=sub)
            xp.maximum(current, cells, out=current)

    def backward(self, grad):
        (best,) = self.saved
        xp = self.xp
        grad = grad.reshape(self.out_shape)
        if self.kernels is not None:
            try:
                return self._compiled_backward(grad, best)
            except self.kernels.COMPILE_ERRORS as error:
                self.kernels = accel.failed(KERNELS, error)
        buffers = {}  # one scratch mask per thread

        def share(k, b, rows, cols, out):  # the gradient of the windows that offset k won
            won_buffer = buffers.get(threading.get_ident())
            if won_buffer is None:
                won_buffer = buffers[threading.get_ident()] = xp.empty(
                    (self.per,) + self.out_shape[1:], dtype=bool)
            won = xp.equal(best[b, rows, cols], k, out=won_buffer[:out.shape[0], rows, cols])
            xp.copyto(out, 0)  # not grad * won: a cell that did not win gets 0 even where the
            xp.copyto(out, grad[b, rows, cols], where=won)  # gradient is inf or NaN
            return out

        return self._input_grad(grad.dtype, share, scratch=True)


class AvgPool2D(_Pool2D):
    name = "avg_pool2d"

    def _divisor(self, dtype):
        """``ph * pw`` when every window is full, else the real cells per window (Ho, Wo, 1)."""
        if self.full:
            return float(self.window)
        count = self.xp.zeros(self.out_shape[1:3] + (1,), dtype=dtype)
        for _, orows, ocols, _, _ in self.offsets:
            count[orows, ocols] += 1
        return count

    def forward(self, x, *, pool_size, strides, padding):
        self.orig_shape = x.shape
        x = self._setup(x, pool_size, strides, padding)
        xp = self.xp
        out = (xp.empty if self.full else xp.zeros)(self.out_shape, dtype=x.dtype)
        for b in self.batches:
            xb, ob, rest = x[b], out[b], self.offsets
            if self.full:  # the first offset covers every window: start from it
                xp.copyto(ob, xb[:, rest[0][3], rest[0][4]])
                rest = rest[1:]
            for _, orows, ocols, irows, icols in rest:
                current = ob[:, orows, ocols]
                xp.add(current, xb[:, irows, icols], out=current)
        divisor = self._divisor(x.dtype)
        if self.full:
            out *= 1.0 / divisor
        else:
            out /= divisor
        return self._output(out)

    def backward(self, grad):
        grad = grad.reshape(self.out_shape)
        divisor = self._divisor(grad.dtype)
        g = grad * (1.0 / divisor) if self.full else grad / divisor
        if self.tiles:  # each cell gets its window's share: one broadcast copy
            n, ho, wo, c = self.out_shape
            sh, sw = self.in_shape[1] // ho, self.in_shape[2] // wo
            full = self.xp.broadcast_to(g[:, :, None, :, None, :], (n, ho, sh, wo, sw, c))
            return full.reshape(self.orig_shape)

        def share(k, b, rows, cols, out):  # every cell of a window gets the window's share
            return g[b, rows, cols] if out is None else self.xp.copyto(out, g[b, rows, cols])

        return self._input_grad(g.dtype, share)


class MaxPool1D(MaxPool2D):
    name = "max_pool1d"
    spatial = 1


class AvgPool1D(AvgPool2D):
    name = "avg_pool1d"
    spatial = 1


class GlobalAvgPool2D(Function):
    name = "global_avg_pool2d"

    def forward(self, x, *, keepdims):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        self.in_shape = x.shape
        return x.mean(axis=(1, 2), keepdims=keepdims)

    def backward(self, grad):
        n, h, w, c = self.in_shape
        g = grad.reshape(n, 1, 1, c) * (1.0 / max(h * w, 1))
        return self.xp.broadcast_to(g, self.in_shape)


class GlobalMaxPool2D(Function):
    """The gradient of each (sample, channel) goes to its first maximum, as in max_pool2d."""

    name = "global_max_pool2d"

    def forward(self, x, *, keepdims):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        n, h, w, c = self.in_shape = x.shape
        if h * w == 0:
            raise ValueError(f"{self.name}: cannot pool an empty image; received shape {x.shape}")
        flat = x.reshape(n, h * w, c)
        out = flat.max(axis=1)
        if self.recording:
            self.save_for_backward(flat.argmax(axis=1))
        return out.reshape(n, 1, 1, c) if keepdims else out

    def backward(self, grad):
        (where,) = self.saved
        n, h, w, c = self.in_shape
        xp = self.xp
        won = xp.arange(h * w).reshape(1, h * w, 1) == where[:, None, :]
        return xp.multiply(won, grad.reshape(n, 1, c)).reshape(self.in_shape)


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Largest value of each window, like ``keras.layers.MaxPooling2D``.

    Args:
        x: (N, H, W, C).
        pool_size: int or (ph, pw).
        strides: int or (sh, sw); None means ``pool_size`` (non-overlapping windows).
        padding: ``'valid'`` (only whole windows) or ``'same'`` (``ceil(H / sh)`` rows; padded
            cells never win).
    Returns (N, Ho, Wo, C). The gradient of a window goes to its first maximum.

    Example:
        >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 4, 4, 1))).data[0, :, :, 0]
        array([[ 5.,  7.],
               [13., 15.]])
    """
    return MaxPool2D.apply(x, pool_size=pool_size, strides=strides, padding=padding)


def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Mean of each window, like ``keras.layers.AveragePooling2D``.

    Arguments as :func:`max_pool2d`; with ``padding='same'`` a border window averages over
    its real cells only (padding is not counted), as Keras/TensorFlow do.
    """
    return AvgPool2D.apply(x, pool_size=pool_size, strides=strides, padding=padding)


def max_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """Largest value of each window along L for x of shape (N, L, C) (``MaxPooling1D``)."""
    return MaxPool1D.apply(x, pool_size=pool_size, strides=strides, padding=padding)


def avg_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """Mean of each window along L for x of shape (N, L, C) (``AveragePooling1D``)."""
    return AvgPool1D.apply(x, pool_size=pool_size, strides=strides, padding=padding)


def global_avg_pool2d(x, keepdims=False):
    """Mean over H and W: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with ``keepdims``."""
    return GlobalAvgPool2D.apply(x, keepdims=keepdims)


def global_max_pool2d(x, keepdims=False):
    """Maximum over H and W: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with ``keepdims``."""
    return GlobalMaxPool2D.apply(x, keepdims=keepdims)
