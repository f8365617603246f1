"""Merge layers: combine a list of tensors into one (Keras 3 names and messages).

``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum`` and ``Minimum`` work elementwise
on inputs of the same shape (size-1 axes broadcast); ``Concatenate`` joins them along an axis.
They are called on a list, usually in a functional model (a residual connection)::

    x = Input(shape=(8,))
    h = Dense(8, activation="relu")(x)
    y = Add()([x, h])

The lower-case functions (``add([a, b])``, ``concatenate([a, b], axis=-1)``) make the layer
and call it, as in Keras.
"""

from __future__ import annotations

import numbers

from lamina.autograd import ops as F
from lamina.layers.layer import Layer, _is_shape_list

__all__ = ["Merge", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum",
           "concatenate"]


def _shapes(layer, input_shape, least=1):
    """``input_shape`` as a list of tuples, or the Keras error for a call without a list."""
    name = type(layer).__name__
    if not _is_shape_list(input_shape):
        raise ValueError(f"A merge layer ({name} '{layer.name}') should be called on a list of "
                         f"inputs. Received: input_shape={_show(input_shape)} (not a list of "
                         "shapes)")
    if len(input_shape) < least:
        raise ValueError(f"A `{name}` layer should be called on a list of at least {least} "
                         f"input(s). Received: input_shape={_show(input_shape)}")
    return [tuple(s) for s in input_shape]


def _show(shape):
    if isinstance(shape, list):
        return "[" + ", ".join(str(tuple(s)) for s in shape) + "]"
    return str(tuple(shape)) if isinstance(shape, (tuple, list)) else repr(shape)


class Merge(Layer):
    """Base of the elementwise merge layers: subclasses define ``_merge(tensors)``.

    The input shapes must agree axis by axis (an axis of size 1 broadcasts, except the
    batch axis, as in Keras); the output has the common shape.
    """

    _least = 1  # the fewest inputs accepted

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def _merge(self, tensors):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}._merge")

    def _check(self, input_shape):
        shapes = _shapes(self, input_shape, self._least)
        if len({s[0] for s in shapes if s} - {None}) > 1:  # Keras's Merge.build refuses too
            raise ValueError(f"{type(self).__name__} '{self.name}': Cannot merge tensors with "
                             f"different batch sizes. Got tensors with shapes "
                             f"{_show(shapes)}")
        out = shapes[0]
        for shape in shapes[1:]:
            out = _elementwise_shape(out, shape)
        return out

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._check(tuple(inputs.shape))  # raises the "list of inputs" error
        self._check([tuple(t.shape) for t in inputs])
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        return self._check(input_shape)


def _elementwise_shape(shape1, shape2):
    """The broadcast shape of two input shapes, or Keras's error for incompatible ones."""
    if len(shape1) != len(shape2):
        raise ValueError(f"Inputs have incompatible shapes. Received shapes {shape1} and "
                         f"{shape2} (merge layers need inputs with the same number of axes)")
    out = []
    for i, j in zip(shape1, shape2, strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1:
            out.append(j if i == 1 else i)
        elif i != j:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {shape1} and "
                             f"{shape2}")
        else:
            out.append(i)
    return tuple(out)


def _fold(op, tensors):
    out = tensors[0]
    for t in tensors[1:]:
        out = op(out, t)
    return out


class Add(Merge):
    """Elementwise sum of its inputs: ``Add()([a, b, c])`` is ``a + b + c``."""

    def _merge(self, tensors):
        return _fold(F.add, tensors)


class Subtract(Merge):
    """Elementwise difference of exactly two inputs: ``Subtract()([a, b])`` is ``a - b``."""

    _least = 2

    def _check(self, input_shape):
        if _is_shape_list(input_shape) and len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={_show(input_shape)}")
        return super()._check(input_shape)

    def _merge(self, tensors):
        return F.sub(tensors[0], tensors[1])


class Multiply(Merge):
    """Elementwise product of its inputs."""

    def _merge(self, tensors):
        return _fold(F.mul, tensors)


class Average(Merge):
    """Elementwise mean of its inputs."""

    def _merge(self, tensors):
        return _fold(F.add, tensors) * (1.0 / len(tensors))


class Maximum(Merge):
    """Elementwise maximum of its inputs."""

    def _merge(self, tensors):
        return _fold(F.maximum, tensors)


class Minimum(Merge):
    """Elementwise minimum of its inputs."""

    def _merge(self, tensors):
        return _fold(F.minimum, tensors)


class Concatenate(Layer):
    """Joins its inputs along ``axis``; every other axis must have the same size.

    Args:
        axis: the axis to join along (default -1, the features / channels).

    Example:
        >>> Concatenate()([np.ones((2, 3), "float32"), np.zeros((2, 4), "float32")]).shape
        (2, 7)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"Concatenate: expected an int for the argument `axis`; received "
                            f"axis={axis!r}")
        self.axis = int(axis)
        self.built = True

    def _check(self, input_shape):
        shapes = _shapes(self, input_shape)
        ndim = len(shapes[0])
        mismatch = ValueError(
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={_show(shapes)} (axis={self.axis})")
        if any(len(s) != ndim for s in shapes):
            raise mismatch
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"Concatenate '{self.name}': axis={self.axis} is out of range for "
                             f"inputs with {ndim} axes. Received: input_shape={_show(shapes)}")
        axis = self.axis % ndim
        out = list(shapes[0])
        for shape in shapes[1:]:
            for k, (a, b) in enumerate(zip(out, shape, strict=True)):
                if k == axis:
                    out[k] = None if a is None or b is None else a + b
                elif a is None or b is None:
                    out[k] = b if a is None else a
                elif a != b:
                    raise mismatch
        return tuple(out)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._check(tuple(inputs.shape))  # raises the "list of inputs" error
        self._check([tuple(t.shape) for t in inputs])
        return F.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        return self._check(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: the elementwise sum of a list of tensors."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: the elementwise product of a list of tensors."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the elementwise mean of a list of tensors."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum of a list of tensors."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum of a list of tensors."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``: join a list of tensors along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
