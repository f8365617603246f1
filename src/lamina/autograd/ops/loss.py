"""Loss functions, one value per sample, as Keras's functional losses return them.

``mse``, ``mae``, ``huber`` and ``binary_crossentropy`` average over the last axis; the
categorical losses sum over the class axis; the batch reduction is the ``Loss`` classes'
job. Each loss is one op with its derivative written out. With ``from_logits=True`` the
categorical losses run one fused op (log-softmax + NLL, backward ``softmax - onehot``),
finite for logits of any size. As in Keras: ``loss(y_true, y_pred)``, ``y_true`` cast to
``y_pred``'s dtype, probabilities clipped to ``[1e-7, 1 - 1e-7]``.
"""

from __future__ import annotations

import numbers
import warnings

from lamina.autograd.function import Function
from lamina.autograd.tensor import Tensor, as_tensor

__all__ = ["mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy"]

#: Keras's ``backend.epsilon()``: probabilities are clipped to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7


class _PairLoss(Function):
    """Shared plumbing of the (y_true, y_pred) losses: align shapes in, restore them out."""

    def _align(self, t, p, shape, label_smoothing=0.0):
        """Both reshaped to ``shape``, t cast to p's dtype and smoothed to t (1 - s) + s / 2."""
        self.in_shapes, self.keep = (t.shape, p.shape), 1.0 - label_smoothing
        t = t.astype(p.dtype, copy=False).reshape(shape)
        return (t * self.keep + 0.5 * label_smoothing if label_smoothing else t), p.reshape(shape)

    def _grads(self, gt, gp):
        """Gradients for (y_true, y_pred); ``gt`` / ``gp`` may be callables, run only if needed."""
        need_t, need_p = self.needs_input_grad
        shape_t, shape_p = self.in_shapes
        return (gt().reshape(shape_t) if need_t else None,
                gp().reshape(shape_p) if need_p else None)

    def _spread(self, grad, n):
        """d mean(x, -1) / dx: the per-sample gradient shared by the n entries of the last axis."""
        return grad[..., None] * (1.0 / n)


class MeanSquaredError(_PairLoss):
    name = "mse"

    def forward(self, t, p, *, shape):
        t, p = self._align(t, p, shape)
        diff = p - t
        if self.recording:
            self.save_for_backward(diff)
        return (diff * diff).mean(axis=-1)

    def backward(self, grad):
        (diff,) = self.saved
        gp = self._spread(grad, diff.shape[-1]) * (2.0 * diff)  # d (p - t)^2 / dp = 2 (p - t)
        return self._grads(lambda: -gp, lambda: gp)


class MeanAbsoluteError(_PairLoss):
    name = "mae"

    def forward(self, t, p, *, shape):
        t, p = self._align(t, p, shape)
        diff = p - t
        if self.recording:
            self.save_for_backward(self.xp.sign(diff))  # the gradient at diff = 0 is 0
        return self.xp.abs(diff).mean(axis=-1)

    def backward(self, grad):
        (sign,) = self.saved
        gp = self._spread(grad, sign.shape[-1]) * sign
        return self._grads(lambda: -gp, lambda: gp)


class Huber(_PairLoss):
    name = "huber"

    def forward(self, t, p, *, shape, delta):
        xp = self.xp
        t, p = self._align(t, p, shape)
        diff = p - t
        c = xp.clip(diff, -delta, delta)  # the derivative in e
        # c (e - c/2) is 0.5 e^2 where |e| <= delta and delta |e| - 0.5 delta^2 outside
        out = c * (diff - 0.5 * c)
        if self.recording:
            self.save_for_backward(c)
        return out.mean(axis=-1)

    def backward(self, grad):
        (clipped,) = self.saved
        gp = self._spread(grad, clipped.shape[-1]) * clipped
        return self._grads(lambda: -gp, lambda: gp)


class BinaryCrossentropy(_PairLoss):
    """-(t log p + (1 - t) log(1 - p)), p clipped to [EPSILON, 1 - EPSILON]; mean over last axis."""

    name = "binary_crossentropy"

    def forward(self, t, p, *, shape, label_smoothing):
        xp = self.xp
        t, p = self._align(t, p, shape, label_smoothing)
        pc = xp.clip(p, EPSILON, 1.0 - EPSILON)
        log_p, log_1mp = xp.log(pc), xp.log1p(-pc)
        out = -(t * log_p + (1.0 - t) * log_1mp).mean(axis=-1)
        if self.recording:
            inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)  # clipping passes no gradient
            self.save_for_backward(t, pc, inside,
                                   log_1mp - log_p if self.needs_input_grad[0] else None)
        return out

    def backward(self, grad):
        t, pc, inside, dt = self.saved
        g = self._spread(grad, pc.shape[-1])
        # d/dp = -t/p + (1 - t)/(1 - p) = (p - t) / (p (1 - p));  d/dt = log(1 - p) - log(p)
        return self._grads(lambda: g * dt * self.keep,
                           lambda: g * inside * (pc - t) / (pc * (1.0 - pc)))


class SigmoidCrossEntropy(_PairLoss):
    """Binary cross-entropy of logits x: max(x, 0) - x t + log1p(exp(-|x|)); mean over last axis."""

    name = "binary_crossentropy"

    def forward(self, t, x, *, shape, label_smoothing):
        xp = self.xp
        t, x = self._align(t, x, shape, label_smoothing)
        e = xp.exp(-xp.abs(x))  # in (0, 1]: no overflow for any logit
        out = xp.maximum(x, 0) - x * t + xp.log1p(e)
        if self.recording:
            self.save_for_backward(t, x, e)
        return out.mean(axis=-1)

    def backward(self, grad):
        t, x, e = self.saved
        g = self._spread(grad, x.shape[-1])
        sig = self.xp.exp(self.xp.minimum(x, 0)) / (1.0 + e)  # sigmoid(x), stable
        return self._grads(lambda: g * -x * self.keep, lambda: g * (sig - t))  # d/dx = sigma - t


class _ClassLoss(Function):
    """Cross-entropy over a class axis against a dense target (a tensor input) or integer
    ``labels`` (a parameter). Inputs: ``(y_pred,)`` or ``(y_pred, y_true)``."""

    def _target(self, target, labels, pred, axis, label_smoothing):
        """The dense target, smoothed; None for integer labels (they need no array here)."""
        self.axis, self.labels, self.keep = axis, labels, 1.0 - label_smoothing
        if labels is not None:
            return None
        t = target[0].astype(pred.dtype, copy=False)
        return t * self.keep + label_smoothing / pred.shape[axis] if label_smoothing else t

    def _onehot(self, n):
        """Boolean one-hot mask of the integer labels, shape labels.shape + (n,)."""
        return self.labels[..., None] == self.xp.arange(n)

    def _nll(self, log_p, t):
        """-sum(t * log p) over the class axis (a gather of log p for integer labels)."""
        if self.labels is not None:
            picked = self.xp.take_along_axis(log_p, self.labels[..., None], axis=-1)[..., 0]
        else:
            picked = (t * log_p).sum(axis=self.axis)
        return 0.0 - picked  # not -picked: a perfect prediction gives 0.0, not -0.0

    @property
    def _need_target_grad(self):
        return len(self.needs_input_grad) == 2 and self.needs_input_grad[1]

    def _grads(self, gx, log_p, g):
        if len(self.needs_input_grad) == 1:  # integer labels: y_pred is the only input
            return (gx,)
        return gx, (-log_p * g * self.keep if self.needs_input_grad[1] else None)


class SoftmaxCrossEntropy(_ClassLoss):
    """Fused log-softmax + negative log-likelihood of logits: the ``from_logits=True`` path.

    Forward: log p = z - log(sum(exp(z))) with z = x - max(x), so no exp overflows, then
    -sum(t log p). Backward: d/dx = softmax(x) * sum(t) - t (= softmax - onehot for labels).
    """

    name = "softmax_cross_entropy"

    def forward(self, x, *target, labels=None, axis=-1, label_smoothing=0.0):
        xp = self.xp
        t = self._target(target, labels, x, axis, label_smoothing)
        z = x - x.max(axis=axis, keepdims=True)
        e = xp.exp(z)
        total = e.sum(axis=axis, keepdims=True)
        z -= xp.log(total)  # z is now log softmax(x)
        out = self._nll(z, t)
        if self.recording:
            e /= total  # softmax(x)
            self.save_for_backward(e, t, z if self._need_target_grad else None)
        return out

    def backward(self, grad):
        s, t, log_p = self.saved
        g = self.xp.expand_dims(grad, self.axis)
        if t is None:  # integer labels
            return self._grads((s - self._onehot(s.shape[-1])) * g, log_p, g)
        return self._grads((s * t.sum(axis=self.axis, keepdims=True) - t) * g, log_p, g)


class CategoricalCrossentropy(_ClassLoss):
    """-sum(t log q) with q = p / sum(p) clipped to [EPSILON, 1 - EPSILON] (Keras's formula)."""

    name = "categorical_crossentropy"

    def forward(self, p, *target, labels=None, axis=-1, label_smoothing=0.0):
        xp = self.xp
        t = self._target(target, labels, p, axis, label_smoothing)
        total = p.sum(axis=axis, keepdims=True)
        q = p / total
        qc = xp.clip(q, EPSILON, 1.0 - EPSILON)
        log_q = xp.log(qc)
        out = self._nll(log_q, t)
        if self.recording:
            if t is None:
                t = self._onehot(p.shape[-1])
            w = t * ((q >= EPSILON) & (q <= 1.0 - EPSILON))  # clipping passes no gradient
            self.save_for_backward(w, qc, total, log_q if self._need_target_grad else None)
        return out

    def backward(self, grad):
        w, qc, total, log_q = self.saved
        g = self.xp.expand_dims(grad, self.axis)
        # L = -sum_j w_j log q_j, q = p / S:  dL/dp_k = (sum_j w_j - w_k / q_k) / S
        gp = (w.sum(axis=self.axis, keepdims=True) - w / qc) / total * g
        return self._grads(gp, log_q, g)


# ----------------------------------------------------------------------- argument checks
def _pred(name, y_pred):
    """y_pred as a float tensor with at least one axis."""
    y_pred = as_tensor(y_pred, where=name)
    if y_pred.ndim == 0:
        raise ValueError(f"{name}: y_pred must have at least one axis; received a scalar")
    return y_pred


def _pair(name, y_true, y_pred):
    """(y_true, y_pred) as tensors; y_true converted to y_pred's dtype (Keras casts it)."""
    y_pred = _pred(name, y_pred)
    return (y_true if isinstance(y_true, Tensor) else as_tensor(y_true, like=y_pred, where=name),
            y_pred)


def _common_shape(name, t_shape, p_shape):
    """Keras's squeeze_or_expand_to_same_rank: a trailing size-1 axis may differ, else equal."""
    ts, ps = tuple(t_shape), tuple(p_shape)
    if len(ts) == len(ps) + 1 and ts[-1:] == (1,):
        ps, ts = (ps + (1,), ts) if len(ps) == 1 else (ps, ts[:-1])
    elif len(ps) == len(ts) + 1 and ps[-1:] == (1,):
        ts, ps = (ts + (1,), ps) if len(ts) == 1 else (ts, ps[:-1])
    if ts != ps or not ps:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape (a trailing "
                         f"axis of size 1 may differ); received y_true.shape={tuple(t_shape)} "
                         f"and y_pred.shape={tuple(p_shape)}")
    return ps


def _smoothing(name, value):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 <= value <= 1
    if not ok:
        raise ValueError(f"{name}: label_smoothing must be a number in [0, 1]; "
                         f"received label_smoothing={value!r}")
    return float(value)


def _class_axis(name, y_pred, axis):
    ndim = y_pred.ndim
    if isinstance(axis, bool) or not isinstance(axis, int) or not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis must be an integer in [{-ndim}, {ndim - 1}] "
                         f"for y_pred of shape {y_pred.shape}; received axis={axis!r}")
    n = y_pred.shape[axis]
    if n == 0:
        raise ValueError(f"{name}: y_pred has no classes (shape {y_pred.shape})")
    if n == 1:
        warnings.warn(f"{name}: y_pred has a single class (shape {y_pred.shape}), so the loss "
                      "is always 0; use binary_crossentropy for one sigmoid output",
                      stacklevel=3)
    return axis % ndim


def _labels(name, y_true, y_pred):
    """Integer class labels of shape y_pred.shape[:-1] (or with a trailing 1), range-checked."""
    xp = y_pred.xp
    labels = xp.asarray(y_true.data if isinstance(y_true, Tensor) else y_true)
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"{name}: y_true must hold integer class labels; "
                        f"received dtype={labels.dtype}")
    given = labels.shape
    if labels.ndim == y_pred.ndim and given[-1:] == (1,):
        labels = labels.reshape(given[:-1])
    if labels.shape != y_pred.shape[:-1]:
        lead = y_pred.shape[:-1]
        raise ValueError(f"{name}: y_true must hold one label per sample, of shape {lead} or "
                         f"{lead + (1,)} for y_pred of shape {y_pred.shape}; "
                         f"received y_true.shape={given}")
    if labels.dtype.kind == "f":
        whole = labels == xp.floor(labels)
        if not bool(whole.all()):
            raise ValueError(f"{name}: labels must be whole numbers (class indices); "
                             f"received {labels[~whole].reshape(-1)[0].item()!r}")
        labels = labels.astype("int64")
    n = y_pred.shape[-1]
    lo, hi = (int(labels.min()), int(labels.max())) if labels.size else (0, 0)
    if lo < 0 or hi >= n:
        raise ValueError(f"{name}: label {lo if lo < 0 else hi} is out of range for "
                         f"n_classes={n} (y_pred.shape[-1]); labels must be integers in "
                         f"[0, {n - 1}]")
    return labels


# ----------------------------------------------------------------------------- public API
def mse(y_true, y_pred):
    """Mean squared error per sample, mean((y_pred - y_true)**2, axis=-1): (N, ..., d) ->
    (N, ...). As in Keras, a trailing size-1 axis may differ: (N,) with (N, 1) gives (N,)."""
    y_true, y_pred = _pair("mse", y_true, y_pred)
    shape = _common_shape("mse", y_true.shape, y_pred.shape)
    return MeanSquaredError.apply(y_true, y_pred, shape=shape)


def mae(y_true, y_pred):
    """Mean absolute error per sample: mean(|y_pred - y_true|, axis=-1). Shapes as ``mse``."""
    y_true, y_pred = _pair("mae", y_true, y_pred)
    shape = _common_shape("mae", y_true.shape, y_pred.shape)
    return MeanAbsoluteError.apply(y_true, y_pred, shape=shape)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample, mean over the last axis: 0.5 e^2 where |e| <= delta, else
    delta |e| - 0.5 delta^2, with e = y_pred - y_true. Shapes as ``mse``."""
    y_true, y_pred = _pair("huber", y_true, y_pred)
    ok = isinstance(delta, numbers.Real) and not isinstance(delta, bool) and delta > 0
    if not ok:
        raise ValueError(f"huber: delta must be a number > 0; received delta={delta!r}")
    shape = _common_shape("huber", y_true.shape, y_pred.shape)
    return Huber.apply(y_true, y_pred, shape=shape, delta=float(delta))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Binary cross-entropy per sample, mean over the last axis.

    Args:
        y_true: targets in [0, 1], shape like y_pred (a trailing 1 may differ, see ``mse``).
        y_pred: probabilities (clipped to [1e-7, 1 - 1e-7]) or, with ``from_logits=True``,
            logits, computed stably as max(x, 0) - x t + log1p(exp(-|x|)).
        label_smoothing: targets become t (1 - s) + s / 2.
    """
    y_true, y_pred = _pair("binary_crossentropy", y_true, y_pred)
    shape = _common_shape("binary_crossentropy", y_true.shape, y_pred.shape)
    op = SigmoidCrossEntropy if from_logits else BinaryCrossentropy
    return op.apply(y_true, y_pred, shape=shape,
                    label_smoothing=_smoothing("binary_crossentropy", label_smoothing))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy -sum(y_true * log p) over the class ``axis``, one value per sample.

    Args:
        y_true: one-hot (or soft) targets, the same shape as y_pred, e.g. (N, n_classes).
        y_pred: probabilities (divided by their sum, then clipped to [1e-7, 1 - 1e-7], as
            Keras does) or, with ``from_logits=True``, logits (fused log-softmax: finite for
            any logits, gradient softmax - y_true).
        label_smoothing: targets become t (1 - s) + s / n_classes.
    Returns shape y_pred.shape without ``axis``, e.g. (N,).
    """
    name = "categorical_crossentropy"
    y_true, y_pred = _pair(name, y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape (one-hot targets; "
                         "use sparse_categorical_crossentropy for integer labels); received "
                         f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}")
    axis = _class_axis(name, y_pred, axis)
    op = SoftmaxCrossEntropy if from_logits else CategoricalCrossentropy
    return op.apply(y_pred, y_true, axis=axis, label_smoothing=_smoothing(name, label_smoothing))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Cross-entropy against integer class labels, one value per sample.

    Args:
        y_true: integer labels in [0, n_classes), shape (N,) or (N, 1) (generally
            y_pred.shape[:-1], with or without a trailing 1); a plain array, ints allowed.
        y_pred: (N, n_classes) probabilities or, with ``from_logits=True``, logits.
    Returns shape (N,). Equal to categorical_crossentropy with one-hot targets.
    """
    name = "sparse_categorical_crossentropy"
    y_pred = _pred(name, y_pred)
    _class_axis(name, y_pred, -1)
    labels = _labels(name, y_true, y_pred)
    op = SoftmaxCrossEntropy if from_logits else CategoricalCrossentropy
    return op.apply(y_pred, labels=labels, axis=y_pred.ndim - 1)
