"""ONNX writers for the layers that work on features: Dense, the activation layers,
normalization, Dropout and its kin, Flatten, Reshape, the merge layers and Embedding.

Each writer is ``(graph, layer, inputs, output_shape) -> Value`` and reproduces the layer's
inference computation in lamina's order of operations, so the numbers agree to rounding.
"""

from __future__ import annotations

import numpy

from lamina import layers as L
from lamina.export._activations import ExportError, apply_activation
from lamina.export._graph import Graph, Value, file_axis


def where(layer) -> str:
    return f"{type(layer).__name__} '{layer.name}'"


def _w(g: Graph, layer, variable, part: str) -> str:
    return g.weight(variable.data, f"{layer.name}_{part}", owner=variable)


# ----------------------------------------------------------------------- Dense
def dense(g: Graph, layer, x: Value, shape) -> Value:
    y = g.node("MatMul", [g.as_last(x), _w(g, layer, layer.kernel, "kernel")],
               f"{layer.name}_matmul")
    if layer.use_bias:
        y = g.node("Add", [y, _w(g, layer, layer.bias, "bias")], f"{layer.name}_bias")
    return apply_activation(g, layer.activation, Value(y, shape), layer.name, where(layer))


# ------------------------------------------------------------------ activations
def activation(g: Graph, layer, x: Value, shape) -> Value:
    return apply_activation(g, layer.activation, x, layer.name, where(layer))


def relu_layer(g: Graph, layer, x: Value, shape) -> Value:
    """``ReLU(max_value, negative_slope, threshold)`` as the layer computes it."""
    slope, threshold, cap, name = layer.negative_slope, layer.threshold, layer.max_value, layer.name
    if cap is None and threshold == 0:
        out = (g.node("LeakyRelu", [x.name], name, alpha=slope) if slope
               else g.node("Relu", [x.name], name))
        return Value(out, shape, x.layout)
    if threshold:
        above = g.node("Greater", [x.name, g.scalar(threshold)], f"{name}_above")
        positive = g.node("Where", [above, x.name, g.scalar(0.0)], f"{name}_positive")
    else:
        positive = g.node("Relu", [x.name], f"{name}_positive")
    if cap is not None:
        positive = g.node("Min", [positive, g.scalar(cap)], f"{name}_cap")
    if slope:
        below = g.node("Relu", [g.node("Sub", [g.scalar(threshold), x.name], f"{name}_gap")],
                       f"{name}_below")
        leak = g.node("Mul", [below, g.scalar(slope)], f"{name}_leak")
        positive = g.node("Sub", [positive, leak], name)
    return Value(positive, shape, x.layout)


def leaky_relu_layer(g: Graph, layer, x: Value, shape) -> Value:
    return Value(g.node("LeakyRelu", [x.name], layer.name, alpha=layer.negative_slope),
                 shape, x.layout)


def elu_layer(g: Graph, layer, x: Value, shape) -> Value:
    return Value(g.node("Elu", [x.name], layer.name, alpha=layer.alpha), shape, x.layout)


def softmax_layer(g: Graph, layer, x: Value, shape) -> Value:
    axes = layer.axis if isinstance(layer.axis, list) else [layer.axis]
    axes = sorted({file_axis(a, x.rank, x.layout) for a in axes})
    name = layer.name
    if len(axes) == 1:
        return Value(g.node("Softmax", [x.name], name, axis=axes[0]), shape, x.layout)
    # several axes: exp(x - max) / sum(exp(x - max)), as lamina computes it
    peak = g.reduce("ReduceMax", x.name, axes, True, f"{name}_max")
    e = g.node("Exp", [g.node("Sub", [x.name, peak], f"{name}_shift")], f"{name}_exp")
    total = g.reduce("ReduceSum", e, axes, True, f"{name}_sum")
    return Value(g.node("Div", [e, total], name), shape, x.layout)


# ---------------------------------------------------------------- normalization
def batch_norm(g: Graph, layer, x: Value, shape) -> Value:
    """Inference form ``x * scale + shift`` with lamina's float32 scale and shift."""
    rank, axis = x.rank, layer.axis % x.rank
    layout = x.layout if axis == rank - 1 else "last"  # the channel axis moves with the layout
    source = x.name if layout == x.layout else g.as_last(x)
    c = x.shape[axis]
    bshape = [1] * rank
    bshape[file_axis(axis, rank, layout)] = c
    inv = 1.0 / numpy.sqrt(numpy.asarray(layer.moving_variance.data, numpy.float32) +
                           layer.epsilon)
    scale = inv * layer.gamma.data if layer.gamma is not None else inv
    shift = -numpy.asarray(layer.moving_mean.data, numpy.float32) * scale
    if layer.beta is not None:
        shift = shift + layer.beta.data
    name = layer.name
    y = g.node("Mul", [source, g.weight(scale.reshape(bshape), f"{name}_scale")],
               f"{name}_mul")
    y = g.node("Add", [y, g.weight(shift.reshape(bshape), f"{name}_shift")], name)
    return Value(y, shape, layout)


def layer_norm(g: Graph, layer, x: Value, shape) -> Value:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over the layer's axes."""
    axes, name, source = layer._axes, layer.name, g.as_last(x)
    mean = g.reduce("ReduceMean", source, axes, True, f"{name}_mean")
    centered = g.node("Sub", [source, mean], f"{name}_centered")
    square = g.node("Mul", [centered, centered], f"{name}_square")
    var = g.reduce("ReduceMean", square, axes, True, f"{name}_var")
    std = g.node("Sqrt", [g.node("Add", [var, g.scalar(layer.epsilon)], f"{name}_vareps")],
                 f"{name}_std")
    inv = g.node("Div", [g.scalar(1.0), std], f"{name}_inv")
    y = g.node("Mul", [centered, inv], f"{name}_xhat")
    bshape = [x.shape[a] if a in axes else 1 for a in range(x.rank)]
    if layer.gamma is not None:
        gamma = g.weight(layer.gamma.data.reshape(bshape), f"{name}_gamma")
        y = g.node("Mul", [y, gamma], f"{name}_scaled")
    if layer.beta is not None:
        y = g.node("Add", [y, g.weight(layer.beta.data.reshape(bshape), f"{name}_beta")], name)
    return Value(y, shape)


def identity(g: Graph, layer, x: Value, shape) -> Value:
    """Dropout, SpatialDropout2D, GaussianNoise: the identity at inference (no node)."""
    return x


# ------------------------------------------------------------------- reshaping
def flatten(g: Graph, layer, x: Value, shape) -> Value:
    """Keras's order: the channels-last tensor flattened (a channels-first one goes back)."""
    return Value(g.node("Reshape", [g.as_last(x), g.ints([0, -1])], layer.name), shape)


def reshape(g: Graph, layer, x: Value, shape) -> Value:
    target = g.ints([0, *layer.target_shape])
    return Value(g.node("Reshape", [g.as_last(x), target], layer.name), shape)


# --------------------------------------------------------------------- merging
def _same_layout(g: Graph, values: list) -> tuple:
    """The names of ``values`` in one layout: channels-first when all are (same rank), else
    channels-last."""
    if all(v.layout == "first" for v in values) and len({v.rank for v in values}) == 1:
        return [v.name for v in values], "first"
    return [g.as_last(v) for v in values], "last"


def _merge(op, average=False):
    def write(g: Graph, layer, values: list, shape) -> Value:
        names, layout = _same_layout(g, values)
        out = names[0]
        for k, other in enumerate(names[1:]):
            last = k == len(names) - 2 and not average
            out = g.node(op, [out, other], layer.name if last else f"{layer.name}_{k}")
        if average:
            out = g.node("Mul", [out, g.scalar(1.0 / len(names))], layer.name)
        return Value(out, shape, layout)
    return write


def subtract(g: Graph, layer, values: list, shape) -> Value:
    (a, b), layout = _same_layout(g, values)
    return Value(g.node("Sub", [a, b], layer.name), shape, layout)


def concatenate(g: Graph, layer, values: list, shape) -> Value:
    names, layout = _same_layout(g, values)
    axis = file_axis(layer.axis, values[0].rank, layout)
    return Value(g.node("Concat", names, layer.name, axis=axis), shape, layout)


# ------------------------------------------------------------------- embedding
def embedding(g: Graph, layer, x: Value, shape) -> Value:
    """``embeddings[indices]``: a Gather of the table (float indices are cast to int64)."""
    indices = g.as_last(x)
    if x.dtype != "int64":
        indices = g.node("Cast", [indices], f"{layer.name}_indices",
                         to=g.onnx.TensorProto.INT64)
    table = _w(g, layer, layer.embeddings, "embeddings")
    return Value(g.node("Gather", [table, indices], layer.name, axis=0), shape)


WRITERS = {
    L.Dense: dense, L.Activation: activation, L.ReLU: relu_layer, L.LeakyReLU: leaky_relu_layer,
    L.ELU: elu_layer, L.Softmax: softmax_layer, L.BatchNormalization: batch_norm,
    L.LayerNormalization: layer_norm, L.Dropout: identity, L.SpatialDropout2D: identity,
    L.GaussianNoise: identity, L.Flatten: flatten, L.Reshape: reshape,
    L.Add: _merge("Add"), L.Multiply: _merge("Mul"), L.Maximum: _merge("Max"),
    L.Minimum: _merge("Min"), L.Average: _merge("Add", average=True), L.Subtract: subtract,
    L.Concatenate: concatenate, L.Embedding: embedding,
}

__all__ = ["WRITERS", "ExportError", "where"]
