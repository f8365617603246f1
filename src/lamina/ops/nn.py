"""The neural-network ops of ``keras.ops`` (``keras.ops.nn``): activations, one_hot, conv,
pooling, moments and the three cross-entropies, all channels_last as Keras.

Activations, conv and pooling are the engine's ops under Keras's argument names; the
cross-entropies here are Keras's *op* versions: ``binary_crossentropy`` is per entry,
the categorical ones reduce over ``axis`` only (no mean over the batch, unlike the loss
classes), and probabilities are clipped to ``[epsilon, 1 - epsilon]`` as Keras does.
"""

from __future__ import annotations

import numpy

from lamina.autograd import ops as _engine
from lamina.backend import epsilon, floatx
from lamina.ops._convert import array, as_dtype, tensor, tensors

__all__ = ["average_pool", "binary_crossentropy", "categorical_crossentropy", "conv", "elu",
           "gelu", "hard_sigmoid", "leaky_relu", "log_softmax", "max_pool", "moments",
           "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus",
           "softsign", "sparse_categorical_crossentropy", "swish"]


def relu(x):
    """``max(x, 0)``."""
    return _engine.relu(tensor(x, "relu"))


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return _engine.clip(tensor(x, "relu6"), 0.0, 6.0)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return _engine.sigmoid(tensor(x, "sigmoid"))


def softplus(x):
    """``log(1 + exp(x))``."""
    return _engine.softplus(tensor(x, "softplus"))


def softsign(x):
    """``x / (1 + |x|)``."""
    t = tensor(x, "softsign")
    return t / (_engine.abs(t) + 1.0)


def silu(x):
    """``x * sigmoid(x)``."""
    return _engine.silu(tensor(x, "silu"))


swish = silu


def gelu(x, approximate=True):
    """Gaussian error linear unit; Keras's op defaults to the tanh approximation."""
    return _engine.gelu(tensor(x, "gelu"), approximate=approximate)


def elu(x, alpha=1.0):
    """``x`` if x > 0 else ``alpha * (exp(x) - 1)``."""
    return _engine.elu(tensor(x, "elu"), alpha=alpha)


def selu(x):
    """Scaled ELU with Klambauer et al.'s constants."""
    return _engine.selu(tensor(x, "selu"))


def leaky_relu(x, negative_slope=0.2):
    """``x`` if x > 0 else ``negative_slope * x``."""
    return _engine.leaky_relu(tensor(x, "leaky_relu"), negative_slope=negative_slope)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return _engine.hard_sigmoid(tensor(x, "hard_sigmoid"))


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` over ``axis``."""
    return _engine.softmax(tensor(x, "softmax"), axis=axis)


def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` over ``axis``."""
    return _engine.log_softmax(tensor(x, "log_softmax"), axis=axis)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Integer labels as one-hot rows along a new ``axis`` (a float Tensor unless ``dtype``
    is an integer type); a label outside ``[0, num_classes)`` gives a row of zeros."""
    if sparse:
        raise ValueError("one_hot: lamina has no sparse tensors; received sparse=True")
    labels = array(x)
    if labels.dtype.kind not in "iub" and not numpy.all(labels == numpy.round(labels)):
        raise ValueError(f"one_hot: x must hold integer labels; received dtype {labels.dtype}")
    labels = labels.astype(numpy.int64)
    hot = labels[..., None] == numpy.arange(int(num_classes))
    hot = numpy.moveaxis(hot, -1, axis)
    dt = as_dtype(dtype, "one_hot") if dtype is not None else floatx()
    out = hot.astype(dt)
    return tensor(out) if dt.kind == "f" else out


def _channels_last(data_format, op):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{op}: lamina computes channels_last only; received "
                         f"data_format={data_format!r}")


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (cross-correlation) for 1-D and 2-D inputs: ``inputs`` (batch, ...,
    channels), ``kernel`` (spatial..., in_channels, out_channels), as Keras's ``ops.conv``."""
    _channels_last(data_format, "conv")
    x, k = tensors([inputs, kernel], "conv")
    if x.ndim == 3:
        return _engine.conv1d(x, k, strides=strides, padding=padding,
                              dilation_rate=dilation_rate)
    if x.ndim == 4:
        return _engine.conv2d(x, k, strides=strides, padding=padding,
                              dilation_rate=dilation_rate)
    raise ValueError(f"conv: lamina convolves 3-D (batch, length, channels) and 4-D (batch, "
                     f"height, width, channels) inputs; received shape {x.shape}")


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    _channels_last(data_format, f"{kind}_pool")
    x = tensor(inputs, f"{kind}_pool")
    short = "max" if kind == "max" else "avg"
    if x.ndim == 3:
        size = pool_size[0] if isinstance(pool_size, (tuple, list)) else pool_size
        step = strides[0] if isinstance(strides, (tuple, list)) else strides
        return getattr(_engine, f"{short}_pool1d")(x, size, step, padding)
    if x.ndim == 4:
        return getattr(_engine, f"{short}_pool2d")(x, pool_size, strides, padding)
    raise ValueError(f"{kind}_pool: lamina pools 3-D and 4-D inputs; received shape {x.shape}")


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The largest value of each window (1-D or 2-D, channels_last)."""
    return _pool("max", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The mean of each window (1-D or 2-D, channels_last)."""
    return _pool("average", inputs, pool_size, strides, padding, data_format)


def moments(x, axes, keepdims=False, synchronized=False):
    """``(mean, variance)`` of ``x`` over ``axes``."""
    t = tensor(x, "moments")
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    return (_engine.mean(t, axis=axes, keepdims=keepdims),
            _engine.var(t, axis=axes, keepdims=keepdims))


def binary_crossentropy(target, output, from_logits=False):
    """Per-entry ``-(t log p + (1 - t) log(1 - p))``; with ``from_logits`` computed from the
    logits without overflow, else ``p`` clipped to ``[epsilon, 1 - epsilon]``."""
    t, z = tensors([target, output], "binary_crossentropy")
    if from_logits:  # max(z, 0) - z t + log(1 + exp(-|z|))
        return _engine.relu(z) - z * t + _engine.log1p(_engine.exp(-_engine.abs(z)))
    p = _engine.clip(z, epsilon(), 1.0 - epsilon())
    return -(t * _engine.log(p) + (1.0 - t) * _engine.log(1.0 - p))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """``-sum(t log p)`` over ``axis``; probabilities are first scaled to sum to 1 and clipped."""
    t, z = tensors([target, output], "categorical_crossentropy")
    if tuple(t.shape) != tuple(z.shape):
        raise ValueError(f"categorical_crossentropy: target and output must have the same "
                         f"shape; received {t.shape} and {z.shape}")
    if from_logits:
        return -_engine.sum(t * _engine.log_softmax(z, axis=axis), axis=axis)
    p = _engine.clip(z / _engine.sum(z, axis=axis, keepdims=True), epsilon(), 1.0 - epsilon())
    return -_engine.sum(t * _engine.log(p), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """``categorical_crossentropy`` with integer class labels as ``target``."""
    z = tensor(output, "sparse_categorical_crossentropy")
    labels = array(target)
    if labels.ndim == z.ndim and labels.shape[axis] == 1:
        labels = numpy.squeeze(labels, axis)
    hot = one_hot(labels, z.shape[axis], axis=axis, dtype=z.dtype)
    return categorical_crossentropy(hot, z, from_logits=from_logits, axis=axis)
