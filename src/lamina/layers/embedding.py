"""``Embedding``: integer indices -> rows of a learned ``(input_dim, output_dim)`` table."""

from __future__ import annotations

import warnings

import numpy

from lamina import constraints, initializers, regularizers
from lamina.autograd import Tensor
from lamina.autograd import ops as F
from lamina.backend import get_array_module
from lamina.layers.dense import _positive_int
from lamina.layers.layer import Layer, serialize_or_none

__all__ = ["Embedding"]


class Embedding(Layer):
    """Turns integer indices (e.g. word ids) into dense vectors: ``output = embeddings[inputs]``.

    The lookup is the engine's ``getitem``, so the gradient of each looked-up row flows back
    into that row of the table (repeated indices add up).

    Args:
        input_dim: the vocabulary size; indices must lie in ``[0, input_dim)``.
        output_dim: the size of each vector.
        embeddings_initializer: uniform on [-0.05, 0.05] by default (Keras).
        embeddings_regularizer, embeddings_constraint: as for Dense's kernel.
        mask_zero: only False is supported (lamina has no masking).
        weights: optional initial value, ``[table]`` of shape ``(input_dim, output_dim)``.

    Shape: input ``(batch, ...)`` of integers (int arrays, or floats holding whole numbers),
    output ``(batch, ..., output_dim)``; weight ``embeddings`` ``(input_dim, output_dim)``.

    Example:
        >>> layer = Embedding(1000, 64)
        >>> layer(np.array([[4, 20, 7]])).shape
        (1, 3, 64)
    """

    _casts_inputs = False  # indices, not values: no autocast (2**24 + 1 is not a float32)

    def __init__(self, input_dim=None, output_dim=None, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        if input_length is not None:  # Keras 2
            warnings.warn("Embedding: `input_length` is deprecated; just remove it (use "
                          "Input(shape=(input_length,)) to fix the sequence length)",
                          DeprecationWarning, stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = _positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = _positive_int(output_dim, "output_dim", "Embedding")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        if mask_zero:
            raise ValueError("Embedding: mask_zero=True is not supported (lamina has no "
                             f"masking); received mask_zero={mask_zero!r}")
        self.mask_zero = False
        if weights is not None:
            self.build(None)
            self.set_weights(weights)

    def build(self, input_shape):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim),
                                          self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint,
                                          name="embeddings")
        self.built = True

    def __call__(self, inputs, training=None, **kwargs):
        from lamina.layers.input_layer import SymbolicTensor

        if isinstance(inputs, (list, tuple)) and not any(
                isinstance(t, SymbolicTensor) for t in inputs):
            inputs = numpy.asarray(inputs)  # a nested list is one index array, not a list of inputs
        if (not isinstance(inputs, (Tensor, SymbolicTensor)) and hasattr(inputs, "dtype")
                and inputs.dtype.kind in "iu" and self.input_dim > 2**24):
            inputs = Tensor(inputs, dtype="float64")  # float32 holds ints exactly up to 2**24 only
        return super().__call__(inputs, training=training, **kwargs)

    def _indices(self, inputs):
        """The inputs as an integer index array, checked against ``input_dim``."""
        data = inputs.data
        xp = get_array_module(data)
        where = f"Embedding '{self.name}'"
        if data.dtype.kind == "f":
            fractional = ~xp.isfinite(data) | (data != xp.floor(data))
            if bool(fractional.any()):
                bad = data[fractional].ravel()[0].item()
                raise ValueError(f"{where}: inputs must be integer indices; received the value "
                                 f"{bad!r}")
        out_of_range = (data < 0) | (data >= self.input_dim)
        if bool(out_of_range.any()):
            bad = int(data[out_of_range].ravel()[0])
            raise ValueError(f"{where}: index {bad} is out of range; indices must lie in "
                             f"[0, input_dim) = [0, {self.input_dim})")
        indices = data.astype(xp.intp)
        return indices

    def call(self, inputs):
        return F.getitem(self.embeddings, self._indices(inputs))

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": serialize_or_none(initializers,
                                                            self.embeddings_initializer),
                "embeddings_regularizer": serialize_or_none(regularizers,
                                                            self.embeddings_regularizer),
                "embeddings_constraint": serialize_or_none(constraints,
                                                           self.embeddings_constraint),
                "mask_zero": self.mask_zero}
