"""``Normalization``: ``(x - mean) / sqrt(variance)`` per feature, with statistics given or
learned from data by ``adapt``."""

from __future__ import annotations

import itertools
import math

import numpy

from lamina.autograd import Tensor
from lamina.layers.layer import Layer

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


def _batches(data, where):
    """``data`` as an iterator of arrays: one array, or an iterable (list, generator,
    Sequence) of batches, each an array or an ``(x, ...)`` tuple."""
    if isinstance(data, Tensor):
        return iter([data.data])
    if hasattr(data, "shape") and hasattr(data, "dtype"):
        return iter([numpy.asarray(data)])
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not isinstance(
            data, (list, tuple)):
        data = (data[i] for i in range(len(data)))  # a Sequence / PyDataset
    if not hasattr(data, "__iter__"):
        raise TypeError(f"{where}: adapt() takes a NumPy array or an iterable of batches; "
                        f"received {type(data).__name__}")

    def first(batch):
        batch = batch[0] if isinstance(batch, tuple) else batch
        return numpy.asarray(batch.data if isinstance(batch, Tensor) else batch)

    return (first(b) for b in data)


class Normalization(Layer):
    """Shift and scale inputs to mean 0 and variance 1, per position of ``axis``.

    Args:
        axis: the axis (or axes) that keep their own statistics; -1 (default): one mean
            and variance per feature of the last axis; None: one for everything.
        mean, variance: the statistics, if known (numbers or arrays broadcastable to the
            kept axes); otherwise call :meth:`adapt` before using the layer.
        invert: compute ``mean + x * sqrt(variance)`` instead, undoing a normalization.

    Example:
        >>> norm = Normalization()
        >>> norm.adapt(np.array([[0.0, 10.0], [2.0, 30.0]], "float32"))
        >>> norm(np.array([[1.0, 20.0]], "float32")).data
        array([[0., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"{where}: give both `mean` and `variance`, or neither (then call "
                             f"adapt()); received mean={mean!r} and variance={variance!r}")
        if mean is not None and numpy.shape(mean) != numpy.shape(variance):
            raise ValueError(f"{where}: `mean` and `variance` must have the same shape; "
                             f"received shapes {numpy.shape(mean)} and {numpy.shape(variance)}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.mean = self.variance = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization '{self.name}': every `axis` must be in "
                             f"[-{ndim}, {ndim}) for inputs of shape {tuple(input_shape)}; "
                             f"received axis={self.axis}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self._keep):
            raise ValueError(f"Normalization '{self.name}': the kept axes {self._keep} must "
                             f"have known sizes; received input shape {tuple(input_shape)}")
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        shape = tuple(input_shape[a] for a in self._keep)
        self._build_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape, "zeros", trainable=False, name="mean")
            self.adapt_variance = self.add_weight(shape, "ones", trainable=False,
                                                  name="variance")
            # Keras's third weight, the number of values adapt() saw (a float here: lamina
            # weights are float arrays)
            self.count = self.add_weight((), "zeros", trainable=False, name="count")
        else:
            self.mean, self.variance = (self._expand(v) for v in (self.input_mean,
                                                                  self.input_variance))
        self.built = True

    def _expand(self, value):
        """A given statistic as an array of the broadcast shape (trailing kept axes)."""
        value = numpy.asarray(value, dtype=self.dtype)
        shape = [1] * len(self._broadcast)
        for i in range(1, value.ndim + 1):
            shape[self._keep[-i]] = value.shape[-i]
        return numpy.broadcast_to(value.reshape(shape), self._broadcast)

    def adapt(self, data):
        """Set ``mean`` and ``variance`` to the statistics of ``data`` (an array, or an
        iterable of batches), computed per position of the kept axes over all others."""
        where = f"Normalization '{self.name}'"
        batches = _batches(data, where)
        first = next(batches, None)
        if first is None:
            raise ValueError(f"{where}: adapt() received no data")
        if not self.built:
            self._maybe_build((None, *first.shape[1:]))
        for a in self._keep:
            if first.shape[a] != self._build_shape[a]:
                raise ValueError(f"{where} was built for inputs of shape {self._build_shape}; "
                                 f"adapt() received data of shape {first.shape}")
        mean = variance = None
        count = 0
        for batch in itertools.chain([first], batches):
            batch = batch.astype("float64")
            n = math.prod(batch.shape[a] for a in self._reduce) if self._reduce else 1
            b_mean, b_var = batch.mean(axis=self._reduce), batch.var(axis=self._reduce)
            if mean is None:
                mean, variance, count = b_mean, b_var, n
                continue
            count += n  # Chan's parallel update of the mean and the (population) variance
            w = n / count
            new_mean = mean * (1 - w) + b_mean * w
            variance = ((variance + (mean - new_mean) ** 2) * (1 - w)
                        + (b_var + (b_mean - new_mean) ** 2) * w)
            mean = new_mean
        self.adapt_mean.assign(mean)
        self.adapt_variance.assign(variance)
        self.count.assign(count)

    def _statistics(self):
        if self.input_mean is not None:
            return self.mean, self.variance
        return (self.adapt_mean.data.reshape(self._broadcast),
                self.adapt_variance.data.reshape(self._broadcast))

    def call(self, inputs):
        mean, variance = self._statistics()
        std = numpy.maximum(numpy.sqrt(variance), EPSILON).astype(inputs.dtype)
        mean = mean.astype(inputs.dtype)
        if self.invert:
            return inputs * std + mean
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        def listed(value):
            return None if value is None else numpy.asarray(value).tolist()

        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": listed(self.input_mean), "variance": listed(self.input_variance)}
