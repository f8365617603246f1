"""lamina's activation functions as ONNX nodes, each written as lamina computes it.

Every activation works elementwise, so it runs in whichever layout its input has; softmax and
log-softmax take lamina's last axis, which is axis 1 of a channels-first tensor.
"""

from __future__ import annotations

import math

from lamina import activations as A
from lamina.autograd.ops.activation import SELU_ALPHA, SELU_SCALE
from lamina.export._graph import Graph, Value, file_axis


class ExportError(ValueError):
    """A model, layer or argument that has no ONNX form (the message names which)."""


def _softmax(op):
    def emit(g: Graph, x: Value, name: str) -> str:
        axis = file_axis(-1, x.rank, x.layout)
        return g.node(op, [x.name], name, axis=axis)
    return emit


def _gelu(g: Graph, x: Value, name: str) -> str:
    """Exact GELU ``x * Phi(x)``: the Gelu op from opset 20, ``0.5 x (1 + erf(x / sqrt 2))``
    before."""
    if g.opset >= 20:
        return g.node("Gelu", [x.name], name)
    scaled = g.node("Mul", [x.name, g.scalar(math.sqrt(0.5))], f"{name}_scaled")
    one_plus = g.node("Add", [g.node("Erf", [scaled], f"{name}_erf"), g.scalar(1.0)],
                      f"{name}_1p")
    half = g.node("Mul", [x.name, g.scalar(0.5)], f"{name}_half")
    return g.node("Mul", [half, one_plus], name)


def _silu(g: Graph, x: Value, name: str) -> str:
    return g.node("Mul", [x.name, g.node("Sigmoid", [x.name], f"{name}_sigmoid")], name)


def _hard_sigmoid(g: Graph, x: Value, name: str) -> str:
    """Keras 3's ``relu6(x + 3) / 6``, in that order of operations."""
    shifted = g.node("Add", [x.name, g.scalar(3.0)], f"{name}_shift")
    clipped = g.node("Clip", [shifted, g.scalar(0.0), g.scalar(6.0)], f"{name}_clip")
    return g.node("Div", [clipped, g.scalar(6.0)], name)


def _heaviside(g: Graph, x: Value, name: str) -> str:
    """lamina's default step: 1 where ``x >= 0``, else 0."""
    step = g.node("GreaterOrEqual", [x.name, g.scalar(0.0)], f"{name}_ge")
    return g.node("Cast", [step], name, to=g.onnx.TensorProto.FLOAT)


def _unary(op, **attrs):
    def emit(g: Graph, x: Value, name: str) -> str:
        return g.node(op, [x.name], name, **attrs)
    return emit


#: lamina's activation function -> writer ``(graph, value, name) -> output name``
WRITERS = {
    A.sigmoid: _unary("Sigmoid"), A.tanh: _unary("Tanh"), A.relu: _unary("Relu"),
    A.leaky_relu: _unary("LeakyRelu", alpha=0.2),  # the function's default slope
    A.elu: _unary("Elu", alpha=1.0),
    A.selu: _unary("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE),
    A.softplus: _unary("Softplus"), A.gelu: _gelu, A.silu: _silu,
    A.hard_sigmoid: _hard_sigmoid, A.softmax: _softmax("Softmax"),
    A.log_softmax: _softmax("LogSoftmax"), A.heaviside: _heaviside,
}


def apply_activation(g: Graph, fn, x: Value, name: str, where: str) -> Value:
    """``fn(x)`` written into the graph (the identity writes nothing)."""
    if fn is None or fn is A.identity:
        return x
    writer = WRITERS.get(fn)
    if writer is None:
        label = getattr(fn, "__name__", repr(fn))
        raise ExportError(f"{where}: the activation {label!r} has no ONNX mapping; the "
                          f"activations that export are "
                          f"{', '.join(sorted(f.__name__ for f in WRITERS))} and linear")
    return Value(writer(g, x, name), x.shape, x.layout)
