"""``Input`` and the symbolic tensors of the functional API.

``Input(shape=(28, 28, 1))`` returns a :class:`SymbolicTensor`: a placeholder with a
shape (batch axis ``None``) and no data. Calling a layer on symbolic tensors builds
the layer and records a :class:`Node` (which layer, which inputs, which output);
``Model(inputs, outputs)`` then walks those nodes.
"""

from __future__ import annotations

from lamina.layers.layer import Layer, _is_shape_list, standardize_shape


class Node:
    """One call of ``layer`` on symbolic ``inputs`` that produced ``output``."""

    def __init__(self, layer, inputs, output):
        self.layer, self.inputs, self.output = layer, inputs, output

    @property
    def parents(self) -> list[SymbolicTensor]:
        return list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]


class SymbolicTensor:
    """A placeholder in a functional graph: a shape (batch axis None), a dtype, its node."""

    def __init__(self, shape, dtype, node: Node | None = None, name: str | None = None):
        self.shape, self.dtype, self.node, self.name = tuple(shape), dtype, node, name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


class InputLayer(Layer):
    """The entry of a functional model: holds the input shape, computes nothing."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, input_shape=None,
                 batch_shape=None, **kwargs):
        shape = shape if shape is not None else input_shape
        if batch_shape is not None:
            batch_size, shape = batch_shape[0], tuple(batch_shape)[1:]
        if shape is None:
            raise ValueError("InputLayer: give shape=, the input shape without the batch axis, "
                             "e.g. shape=(28, 28, 1)")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.input_shape_ = standardize_shape(shape, "Input", "shape")
        self.batch_size = batch_size
        self.built = True
        self.output = SymbolicTensor((batch_size, *self.input_shape_), self.dtype,
                                     Node(self, [], None), name=self.name)
        self.output.node.output = self.output

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"batch_shape": (self.batch_size, *self.input_shape_), "dtype": self.dtype,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):  # noqa: N802
    """A symbolic input of ``shape`` (without the batch axis), as ``keras.Input``.

    >>> x = Input(shape=(784,))
    >>> x.shape
    (None, 784)
    """
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                      batch_shape=batch_shape).output


def record_node(layer: Layer, inputs):
    """Build ``layer`` for the symbolic ``inputs`` and return its symbolic output."""
    flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    for t in flat:
        if not isinstance(t, SymbolicTensor):
            raise TypeError(f"Layer '{layer.name}': when one input is symbolic (from Input), "
                            f"all must be; received {type(t).__name__}")
    shape = [t.shape for t in flat] if isinstance(inputs, (list, tuple)) else inputs.shape
    layer._maybe_build(shape)
    out_shape = layer.compute_output_shape(shape)
    if _is_shape_list(out_shape):
        raise NotImplementedError(f"Layer '{layer.name}': layers with several outputs are not "
                                  "supported in functional models")
    node = Node(layer, list(inputs) if isinstance(inputs, (list, tuple)) else inputs, None)
    out = SymbolicTensor(out_shape, layer.dtype, node, name=layer.name)
    node.output = out
    layer._inbound_nodes.append(node)
    return out
