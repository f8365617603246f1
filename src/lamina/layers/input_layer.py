"""``Input`` and the symbolic tensors of the functional API.

``Input(shape=(28, 28, 1))`` returns a :class:`SymbolicTensor`: a placeholder with a
shape (batch axis ``None``) and no data. Calling a layer on symbolic tensors builds
the layer and records a :class:`Node` (which layer, which inputs, which output);
``Model(inputs, outputs)`` then walks those nodes.
"""

from __future__ import annotations

from lamina.layers.layer import Layer, _is_shape_list, standardize_shape


class Node:
    """One call of ``layer`` on symbolic ``inputs`` that produced ``output``: one symbolic
    tensor, or for a layer with several outputs (a model with several outputs used as a
    layer) the list or dict of them that the call returned; ``args`` and ``kwargs`` are the
    call's further arguments (symbolic tensors or constants)."""

    def __init__(self, layer, inputs, output, args=(), kwargs=None):
        self.layer, self.inputs, self.output = layer, inputs, output
        self.args, self.kwargs = tuple(args), dict(kwargs or {})

    @property
    def main_inputs(self) -> list[SymbolicTensor]:
        return list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]

    @property
    def parents(self) -> list[SymbolicTensor]:
        """Every symbolic tensor the call reads: the inputs, then those among the arguments."""
        return self.main_inputs + symbolic_in((self.args, self.kwargs))

    @property
    def outputs(self) -> list[SymbolicTensor]:
        """The output tensors in order (a dict's in sorted key order, as Keras flattens)."""
        return flatten_outputs(self.output)


def flatten_outputs(value) -> list:
    """A layer's result (one value, a list or tuple, or a dict) as a flat list; dicts in
    sorted key order, as Keras's ``tree.flatten``."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value) if isinstance(value, (list, tuple)) else [value]


class SymbolicTensor:
    """A placeholder in a functional graph: a shape (batch axis None), a dtype, its node."""

    def __init__(self, shape, dtype, node: Node | None = None, name: str | None = None,
                 index: int = 0):
        self.shape, self.dtype, self.node, self.name = tuple(shape), dtype, node, name
        #: which output of its node this is (Keras's tensor index; 0 for one output)
        self.index = index

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


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,  # noqa: N802
          batch_shape=None, name=None, tensor=None, optional=False):
    """A symbolic input of ``shape`` (without the batch axis), as ``keras.Input`` (Keras's
    parameters in Keras's order; lamina has no sparse, ragged or optional inputs and no
    wrapping of an existing tensor, so those are refused when set).

    >>> x = Input(shape=(784,))
    >>> x.shape
    (None, 784)
    """
    for flag, value in (("sparse", sparse), ("ragged", ragged), ("optional", optional)):
        if value:
            raise ValueError(f"Input: lamina has no {flag} inputs; received {flag}={value!r}")
    if tensor is not None:
        raise ValueError("Input: lamina cannot wrap an existing tensor; received tensor="
                         f"{type(tensor).__name__}. Give shape= and dtype= instead")
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                      batch_shape=batch_shape).output


def symbolic_in(value) -> list[SymbolicTensor]:
    """The symbolic tensors in ``value`` (nested lists, tuples and dicts), in order."""
    if isinstance(value, SymbolicTensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in symbolic_in(v)]
    return []


def has_symbolic(inputs, args=(), kwargs=None) -> bool:
    """Whether a call is symbolic (records a node): one of its tensors comes from Input."""
    if isinstance(inputs, SymbolicTensor):
        return True
    if not args and not kwargs and not isinstance(inputs, (list, tuple, dict)):
        return False  # the common eager call, decided without a walk
    return bool(symbolic_in((inputs, args, kwargs or {})))


def replace_symbolic(value, fn):
    """``value`` with each symbolic tensor ``t`` replaced by ``fn(t)``."""
    if isinstance(value, SymbolicTensor):
        return fn(value)
    if isinstance(value, dict):
        return {k: replace_symbolic(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(replace_symbolic(v, fn) for v in value)
    return value


def _shape_by_running(layer, inputs, args, kwargs):
    """The output shape of a call with further arguments: run it on zeros (batch of 1)."""
    import numpy

    from lamina.autograd import Tensor, no_grad
    from lamina.layers.layer import _restore_batch

    def zeros(t):
        return Tensor(numpy.zeros(tuple(1 if s is None else s for s in t.shape),
                                  dtype=layer.dtype))

    with no_grad():
        out = layer._call_with_training(replace_symbolic(inputs, zeros), False,
                                        *replace_symbolic(args, zeros),
                                        **replace_symbolic(kwargs, zeros))
    if isinstance(out, (list, tuple)):
        return [tuple(o.shape) for o in out]
    first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    return _restore_batch(out.shape, first.shape)


def record_node(layer: Layer, inputs, args=(), kwargs=None):
    """Build ``layer`` for the symbolic ``inputs`` and return its symbolic output; further
    call arguments (tensors or constants) are recorded with the node."""
    kwargs = dict(kwargs or {})
    flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    for t in flat:
        if not isinstance(t, SymbolicTensor):
            raise TypeError(f"Layer '{layer.name}': when one input is symbolic (from Input), "
                            f"all must be; received {type(t).__name__}")
    shape = [t.shape for t in flat] if isinstance(inputs, (list, tuple)) else inputs.shape
    layer._maybe_build(shape)
    if args or kwargs:
        out_shape = _shape_by_running(layer, inputs, args, kwargs)
    else:
        out_shape = layer.compute_output_shape(shape)
    node = Node(layer, list(inputs) if isinstance(inputs, (list, tuple)) else inputs, None,
                args, kwargs)
    if isinstance(out_shape, dict) or _is_shape_list(out_shape):  # several outputs
        keys = sorted(out_shape) if isinstance(out_shape, dict) else None
        flat = [SymbolicTensor(s, layer.dtype, node, name=f"{layer.name}_{k}", index=i)
                for i, (k, s) in enumerate(zip(keys or range(len(out_shape)),
                                               flatten_outputs(out_shape)))]
        node.output = dict(zip(keys, flat)) if keys else flat
    else:
        node.output = SymbolicTensor(out_shape, layer.dtype, node, name=layer.name)
    layer._inbound_nodes.append(node)
    return node.output
