"""Batch and layer normalisation as fused ops: one forward, one analytic backward each.

Both compute ``x_hat = (x - mean) / sqrt(var + epsilon)`` and ``out = gamma * x_hat + beta``
(``var`` is the biased variance, as in Keras). The gradient through the statistics is
(Ioffe & Szegedy 2015, written compactly)

    dx = (1 / sqrt(var + eps)) * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)),
    dx_hat = gamma * grad,   dgamma = sum(grad * x_hat),   dbeta = sum(grad)

where the means run over the normalised axes and the gamma / beta sums over the others.
Batch norm in inference uses fixed (moving) statistics, so there it is a per-channel affine
map and ``dx = gamma / sqrt(moving_var + eps) * grad``.

The NumPy code below is the reference. Batch norm in training with the channels last runs
the same formulas in fewer passes with numba kernels when ``plans.batch_norm`` picks them
(``_batch_norm_cpu``); ``batch_norm_relu`` is this op with a ReLU after it.
"""

from __future__ import annotations

import math

from lamina import accel
from lamina.autograd.function import Function
from lamina.autograd.ops import _batch_norm_cpu as _cpu
from lamina.autograd.ops._rows import by_rows
from lamina.autograd.tensor import Tensor
from lamina.parallel import parallel_for

__all__ = ["batch_norm", "layer_norm"]


def _axes(axis, ndim, op):
    """``axis`` (int or tuple of ints) as a sorted tuple of non-negative axes."""
    items = (axis,) if isinstance(axis, int) else axis
    ok = isinstance(items, (tuple, list)) and len(items) > 0 and all(
        isinstance(a, int) and not isinstance(a, bool) and -ndim <= a < ndim for a in items)
    if not ok:
        raise ValueError(
            f"{op}: axis must be an int or a tuple of ints in [{-ndim}, {ndim - 1}] for an input "
            f"with {ndim} axes; received axis={axis!r}"
        )
    return tuple(sorted({a % ndim for a in items}))


def _check_shape(array, shape, name, op, what):
    if tuple(array.shape) != tuple(shape):
        raise ValueError(
            f"{op}: {name} must have shape {tuple(shape)} ({what}); received shape "
            f"{tuple(array.shape)}"
        )


def _affine(xp, x, scale, shift):
    """``x * scale + shift`` into a new array (``scale`` / ``shift``: None or arrays that
    broadcast against ``x``), by parts of the batch over lamina's threads (``_rows.py``)."""
    operands = [a for a in (scale, shift) if a is not None]
    out = xp.empty(x.shape, dtype=xp.result_type(x, *operands))

    def part(lo, hi):
        if scale is None:
            out[lo:hi] = x[lo:hi]
        else:
            xp.multiply(x[lo:hi], scale, out=out[lo:hi])
        if shift is not None:
            out[lo:hi] += shift

    by_rows(part, x, operands)
    return out


def _needs(fn):
    """(x, gamma, beta) gradient flags; gamma and beta follow x among the inputs when present."""
    has_gamma, has_beta = fn.has
    need = fn.needs_input_grad
    return (need[0], has_gamma and need[1], has_beta and need[1 + has_gamma])


#: rows summed in float32 before their block sums are added up in float64 (channel_sum)
SUM_BLOCK = _cpu.SUM_BLOCK  # one block size: the kernels' sums round as these


def channel_sum(xp, a, b=None):
    """Per-channel sum of ``a`` (or of ``a * b``), ``a`` seen as (rows, C) or (rows, C, inner).

    A plain float32 sum of n rows drifts by up to n rounding errors (1e-5 relative at
    100,000 rows, enough to tell one process from several ranks after 50 Adam steps): rows
    are summed in blocks of ``SUM_BLOCK`` in the input's precision, and the block sums in
    float64; as fast as the plain sum, and within a few rounding errors of the exact one.
    The blocks are cut over lamina's threads, and their sums added in one order whatever
    the thread count (the same bits on any number of threads).
    """
    rows = a.shape[0]
    k = rows // SUM_BLOCK

    def part(lo, hi):  # blocks lo:hi; the last part also sums the rows after the last block
        lo, hi = lo * SUM_BLOCK, (hi * SUM_BLOCK if hi < k else rows)
        return _block_sums(xp, a[lo:hi], None if b is None else b[lo:hi])

    parts = parallel_for(part, max(k, 1))
    blocks = parts[0][0] if len(parts) == 1 else xp.concatenate([p[0] for p in parts])
    return (blocks.sum(axis=0, dtype=xp.float64) + parts[-1][1]).astype(a.dtype)


def _block_sums(xp, a, b):
    """The sums (k, C) of the ``k`` whole blocks of ``SUM_BLOCK`` rows of ``a`` (or ``a * b``),
    in its precision, and the sum (C,) of the rows after them."""
    spec = "acb" if a.ndim == 3 else "ac"
    k = a.shape[0] // SUM_BLOCK
    head, tail = a[:k * SUM_BLOCK], a[k * SUM_BLOCK:]
    blocks = head.reshape(k, SUM_BLOCK, *a.shape[1:])
    if b is None:
        return xp.einsum(f"k{spec}->kc", blocks), xp.einsum(f"{spec}->c", tail)
    b_head, b_tail = b[:k * SUM_BLOCK], b[k * SUM_BLOCK:]
    return (xp.einsum(f"k{spec},k{spec}->kc", blocks, b_head.reshape(blocks.shape)),
            xp.einsum(f"{spec},{spec}->c", tail, b_tail))


class BatchNorm(Function):
    name = "batch_norm"
    #: whether a ReLU follows the norm in this op (``batch_norm_relu``)
    relu = False

    def forward(self, x, *params, has, moving_mean, moving_variance, training, momentum,
                epsilon, axis):
        op, xp = self.name, self.xp
        if x.ndim < 2:
            raise ValueError(f"{op}: expected an input with a batch axis and a channel axis "
                             f"(at least 2 axes); received shape {tuple(x.shape)}")
        if isinstance(axis, bool) or not isinstance(axis, int) or not -x.ndim <= axis < x.ndim:
            raise ValueError(f"{op}: axis (the channel axis) must be an int in [{-x.ndim}, "
                             f"{x.ndim - 1}] for an input with {x.ndim} axes; received "
                             f"axis={axis!r}")
        ch = axis % x.ndim
        self.c = c = x.shape[ch]
        self.has = has
        params = iter(params)
        gamma = next(params) if has[0] else None
        beta = next(params) if has[1] else None
        what = f"one value per channel: x.shape[{axis}] = {c}"
        for name, a in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean),
                        ("moving_variance", moving_variance)):
            if a is not None:
                _check_shape(a, (c,), name, op, what)
        outer, inner = math.prod(x.shape[:ch]), math.prod(x.shape[ch + 1:])
        self.n = max(outer * inner, 1)  # values per channel
        # x seen as (outer, C, inner): per-channel sums are one einsum, with no temporaries
        self.view = (outer, c, inner) if inner > 1 else (outer, c)
        self.bshape = [1] * x.ndim
        self.bshape[ch] = c
        gamma_b = gamma.reshape(self.bshape) if gamma is not None else None
        beta_b = beta.reshape(self.bshape) if beta is not None else None
        self.training = training
        self.kernels = None
        if training:
            same = all(a is None or a.dtype == x.dtype for a in (gamma, beta))
            self.kernels = _cpu.kernels_for(xp, x, inner) if same else None
            if self.kernels is not None:
                try:
                    return self._compiled_training(x, gamma, beta, moving_mean,
                                                   moving_variance, momentum, epsilon)
                except self.kernels.COMPILE_ERRORS as error:  # numba cannot compile here
                    self.kernels = accel.failed(_cpu.KERNELS, error)
            mean = (self._channel_sum(x) * (1.0 / self.n)).reshape(self.bshape)
            centered = xp.empty_like(x)
            by_rows(lambda lo, hi: xp.subtract(x[lo:hi], mean, out=centered[lo:hi]), x, (mean,))
            var = self._channel_sum(centered, centered) * (1.0 / self.n)  # biased, as Keras
            inv = (1.0 / xp.sqrt(var + epsilon)).reshape(self.bshape)
            _update_moving(moving_mean, moving_variance, mean.reshape(c), var, momentum)
            if self.recording:  # x_hat = centered * inv is never stored: one pass fewer
                self.save_for_backward(centered, inv, gamma_b)
            return self._activate(_affine(xp, centered, inv if gamma_b is None
                                          else inv * gamma_b, beta_b))
        inv = 1.0 / xp.sqrt(xp.asarray(moving_variance, dtype=x.dtype).reshape(self.bshape)
                            + epsilon)
        mean = xp.asarray(moving_mean, dtype=x.dtype).reshape(self.bshape)
        scale = inv * gamma_b if gamma_b is not None else inv
        shift = -mean * scale
        if beta_b is not None:
            shift = shift + beta_b
        if self.recording:
            need_gamma = has[0] and self.needs_input_grad[1]
            self.save_for_backward((x - mean) * inv if need_gamma else None, None, scale)
        return self._activate(_affine(xp, x, scale, shift))

    def _activate(self, out):
        """The op's output from the normalized one: itself here; ``batch_norm_relu`` applies
        its ReLU in place and keeps the result for the backward."""
        return out

    def _upstream(self, grad):
        """The gradient of the normalized output: ``grad`` here (``batch_norm_relu``: ReLU's
        derivative applied first)."""
        return grad

    def _compiled_training(self, x, gamma, beta, moving_mean, moving_variance, momentum,
                           epsilon):
        """The training forward in three reads of ``x`` and one write (``_batch_norm_cpu``)."""
        xp, kern, relu = self.xp, self.kernels, self.relu
        x2 = xp.ascontiguousarray(x).reshape(-1, self.c)
        mean, var = _cpu.statistics(kern, xp, x2)
        inv = 1.0 / xp.sqrt(var + epsilon)
        scale = inv if gamma is None else inv * gamma
        shift = xp.zeros_like(inv) if beta is None else beta
        y2 = _cpu.normalize(kern, xp, x2, mean, scale, shift, relu)
        # after the last kernel call: a kernel that fails to compile sends the op to the
        # reference, which must find the moving statistics not yet updated
        _update_moving(moving_mean, moving_variance, mean, var, momentum)
        if self.recording:
            self.save_for_backward(x2, inv, gamma)
            self.mean, self.scale_shift = mean, (scale, shift)
        return y2.reshape(x.shape)

    def _compiled_backward(self, grad):
        """The training backward in two reads of ``grad`` and ``x`` and one write."""
        x2, inv, gamma = self.saved
        xp, kern, relu = self.xp, self.kernels, self.relu
        need_x, need_gamma, need_beta = _needs(self)
        grad2 = xp.ascontiguousarray(grad).reshape(x2.shape)
        sum_g, sum_gx = _cpu.grad_sums(kern, xp, grad2, x2, self.mean, *self.scale_shift,
                                       relu)
        sum_gx *= inv  # sum(g * x_hat)
        dx = None
        if need_x:  # the reference's formula (``backward``), per channel then per value
            k = 1.0 / self.n
            s = inv if gamma is None else inv * gamma
            dx = _cpu.input_grad(kern, xp, grad2, x2, self.mean, *self.scale_shift, relu,
                                 (sum_gx * k) * inv, sum_g * k, s).reshape(grad.shape)
        self.mean = self.scale_shift = None
        return _param_grads(self, dx, sum_gx if need_gamma else None,
                            sum_g if need_beta else None)

    def _channel_sum(self, a, b=None):
        """Per-channel sum of ``a`` (or of ``a * b``) over every other axis, shape (C,)."""
        return channel_sum(self.xp, a.reshape(self.view), None if b is None else
                           b.reshape(self.view))

    def backward(self, grad):
        if self.kernels is not None:
            try:
                return self._compiled_backward(grad)
            except self.kernels.COMPILE_ERRORS as error:  # numba cannot compile here
                self.kernels = accel.failed(_cpu.KERNELS, error)
                self.saved, self.y = _cpu.reference_saved(self, grad.shape)
        grad = self._upstream(grad)
        # training: (x - batch mean, 1 / sqrt(var + eps), gamma or None);
        # inference: (x_hat or None, None, gamma / sqrt(moving_var + eps))
        saved, inv, scale = self.saved
        need_x, need_gamma, need_beta = _needs(self)
        train_x = self.training and need_x
        sum_g = self._channel_sum(grad) if train_x or need_beta else None
        sum_gx = None  # sum(grad * x_hat) per channel
        if train_x or need_gamma:
            sum_gx = self._channel_sum(grad, saved)
            if self.training:
                sum_gx *= inv.reshape(self.c)
        dx = None
        if train_x:  # inv * gamma * (grad - mean(grad) - x_hat * mean(grad * x_hat))
            k, xp = 1.0 / self.n, self.xp
            a, b = (sum_gx * k).reshape(self.bshape) * inv, (sum_g * k).reshape(self.bshape)
            s = inv if scale is None else inv * scale
            dx = xp.empty_like(saved)

            def part(lo, hi):
                d = dx[lo:hi]
                xp.multiply(saved[lo:hi], a, out=d)
                xp.subtract(grad[lo:hi], d, out=d)
                d -= b
                d *= s

            by_rows(part, saved, (a, b, s))
        elif need_x:
            dx = grad * scale
        return _param_grads(self, dx, sum_gx if need_gamma else None,
                            sum_g if need_beta else None)


def _update_moving(moving_mean, moving_variance, mean, var, momentum):
    """Keras: ``moving = moving * momentum + batch * (1 - momentum)``, in place."""
    moving_mean *= momentum
    moving_mean += mean * (1.0 - momentum)
    moving_variance *= momentum
    moving_variance += var * (1.0 - momentum)


def _param_grads(fn, dx, dgamma, dbeta):
    """(dx, [dgamma], [dbeta]): one gradient per input the op was given."""
    grads = [dx]
    if fn.has[0]:
        grads.append(dgamma)
    if fn.has[1]:
        grads.append(dbeta)
    return tuple(grads)


class LayerNorm(Function):
    name = "layer_norm"

    def forward(self, x, *params, has, axis, epsilon):
        op, xp = self.name, self.xp
        self.axes = _axes(axis, x.ndim, op)
        self.others = tuple(a for a in range(x.ndim) if a not in self.axes)
        self.has = has
        self.pshape = tuple(x.shape[a] for a in self.axes)
        bshape = [x.shape[a] if a in self.axes else 1 for a in range(x.ndim)]
        params = iter(params)
        gamma = next(params) if has[0] else None
        beta = next(params) if has[1] else None
        what = f"the sizes of x on axis={axis!r}"
        for name, a in (("gamma", gamma), ("beta", beta)):
            if a is not None:
                _check_shape(a, self.pshape, name, op, what)
        gamma_b = gamma.reshape(bshape) if gamma is not None else None
        beta_b = beta.reshape(bshape) if beta is not None else None
        xhat = x - x.mean(axis=self.axes, keepdims=True)
        var = (xhat * xhat).mean(axis=self.axes, keepdims=True)
        inv = 1.0 / xp.sqrt(var + epsilon)
        xhat *= inv
        if self.recording:
            self.save_for_backward(xhat, inv, gamma_b)
        return _affine(xp, xhat, gamma_b, beta_b)

    def backward(self, grad):
        xhat, inv, gamma_b = self.saved
        need_x, need_gamma, need_beta = _needs(self)
        grads = [None]
        if need_x:
            dxhat = grad * gamma_b if gamma_b is not None else grad
            mean_g = dxhat.mean(axis=self.axes, keepdims=True)
            mean_gx = (dxhat * xhat).mean(axis=self.axes, keepdims=True)
            dx = xhat * mean_gx
            self.xp.subtract(dxhat, dx, out=dx)
            dx -= mean_g
            dx *= inv
            grads[0] = dx
        if self.has[0]:
            grads.append((grad * xhat).sum(axis=self.others).reshape(self.pshape)
                         if need_gamma else None)
        if self.has[1]:
            grads.append(grad.sum(axis=self.others).reshape(self.pshape) if need_beta else None)
        return tuple(grads)


def _state(array, name, op):
    """The writable array behind a moving statistic (an array or a Tensor/Variable)."""
    data = array.data if isinstance(array, Tensor) else array
    if not (hasattr(data, "shape") and hasattr(data, "dtype")) or data.dtype.kind != "f":
        raise TypeError(
            f"{op}: {name} must be a float array (updated in place in training); received "
            f"{type(array).__name__}"
        )
    return data


def _split(gamma, beta):
    tensors = tuple(t for t in (gamma, beta) if t is not None)
    return tensors, (gamma is not None, beta is not None)


def batch_norm(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99,
               epsilon=1e-3, axis=-1):
    """Normalise each channel over the batch (and spatial axes), like Keras ``BatchNormalization``.

    Args:
        x: (N, C) or (N, H, W, C) (any rank >= 2; ``axis`` is the channel axis).
        gamma, beta: (C,) scale and offset tensors, or None (Keras ``scale`` / ``center`` off).
        moving_mean, moving_variance: (C,) float arrays (or Tensors). In training they are
            updated in place: ``moving = moving * momentum + batch_stat * (1 - momentum)``
            with the biased batch variance.
        training: True uses the batch statistics; False uses the moving ones.
    Returns a tensor shaped like ``x``.
    """
    return apply_batch_norm(BatchNorm, "batch_norm", x, gamma, beta, moving_mean,
                            moving_variance, training, momentum, epsilon, axis)


def apply_batch_norm(cls, op, x, gamma, beta, moving_mean, moving_variance, training, momentum,
                     epsilon, axis):
    """``cls.apply`` (BatchNorm or a subclass) with ``op``'s arguments checked and cast."""
    mm = _state(moving_mean, "moving_mean", op)
    mv = _state(moving_variance, "moving_variance", op)
    tensors, has = _split(gamma, beta)
    return cls.apply(x, *tensors, has=has, moving_mean=mm, moving_variance=mv,
                     training=bool(training), momentum=float(momentum), epsilon=float(epsilon),
                     axis=axis)


def layer_norm(x, gamma, beta, axis=-1, epsilon=1e-3):
    """Normalise each sample over ``axis`` (int or tuple), like Keras ``LayerNormalization``.

    Args:
        x: a tensor, e.g. (N, features) or (N, T, features).
        gamma, beta: tensors shaped like ``x`` on ``axis`` (e.g. (features,)), or None.
    Returns a tensor shaped like ``x``.
    """
    tensors, has = _split(gamma, beta)
    return LayerNorm.apply(x, *tensors, has=has, axis=axis, epsilon=float(epsilon))
