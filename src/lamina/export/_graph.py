"""The ONNX graph being written: nodes, weights, and where each tensor keeps its channels.

lamina's tensors are channels-last (``(N, H, W, C)``); ONNX's convolutions and pools want
channels-first (``(N, C, H, W)``). Every tensor of the graph is a :class:`Value` that knows its
lamina shape and its ``layout`` in the file: ``"last"`` (as lamina has it) or ``"first"``
(channels moved to axis 1). A converter asks for the layout it needs (:meth:`Graph.as_first`,
:meth:`Graph.as_last`); a Transpose is written only when the layout changes, and once per
tensor, so consecutive convolutions, pools, normalizations and activations stay channels-first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

ONNX_MIN_OPSET = 13  # Softmax on one axis, Unsqueeze/Split with their axes as inputs


@dataclass(frozen=True)
class Value:
    """A tensor of the graph: its ``name`` in the file, its lamina (channels-last) ``shape``
    with the batch axis first (``None`` where unknown), its ``layout`` in the file and its
    ``dtype`` (float32 but for integer model inputs)."""

    name: str
    shape: tuple
    layout: str = "last"
    dtype: str = "float32"

    @property
    def rank(self) -> int:
        return len(self.shape)


def to_first(rank: int) -> list:
    """The permutation (0, rank-1, 1, ..., rank-2): channels-last -> channels-first."""
    return [0, rank - 1, *range(1, rank - 1)]


def to_last(rank: int) -> list:
    """The permutation (0, 2, ..., rank-1, 1): channels-first -> channels-last."""
    return [0, *range(2, rank), 1]


def file_axis(axis: int, rank: int, layout: str) -> int:
    """Where lamina's (channels-last) ``axis`` sits in a tensor of ``layout``."""
    axis %= rank
    if layout == "last" or axis == 0:
        return axis
    return 1 if axis == rank - 1 else axis + 1


class Graph:
    """Collects the nodes and initializers of one ONNX graph for ``opset``."""

    def __init__(self, onnx, opset: int):
        self.onnx, self.helper, self.opset = onnx, onnx.helper, opset
        self.nodes: list = []
        self.initializers: list = []
        self._names: set[str] = set()
        self._weights: dict[int, str] = {}   # id(array owner) -> initializer name
        self._converted: dict[tuple, Value] = {}  # (name, layout) -> transposed Value

    # ------------------------------------------------------------------ names
    def fresh(self, base: str) -> str:
        """A name not used yet in the graph, made from ``base``."""
        base = base.replace("/", "_") or "t"
        name, k = base, 1
        while name in self._names:
            name, k = f"{base}_{k}", k + 1
        self._names.add(name)
        return name

    # --------------------------------------------------------------- tensors
    def weight(self, array, name: str, owner=None) -> str:
        """An initializer holding ``array`` (float32 unless integer); one per ``owner``."""
        key = id(owner) if owner is not None else None
        if key is not None and key in self._weights:
            return self._weights[key]
        array = numpy.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(numpy.float32)
        tensor = self.onnx.numpy_helper.from_array(numpy.ascontiguousarray(array),
                                                   self.fresh(name))
        self.initializers.append(tensor)
        if key is not None:
            self._weights[key] = tensor.name
        return tensor.name

    def ints(self, values, name: str = "shape") -> str:
        """An int64 constant, e.g. the target shape of a Reshape or the axes of a reduction."""
        return self.weight(numpy.asarray(values, dtype=numpy.int64), name)

    def node(self, op: str, inputs: list, name: str, **attrs) -> str:
        """Append one ``op`` node; returns the name of its (single) output."""
        out = self.fresh(name)
        self.nodes.append(self.helper.make_node(op, list(inputs), [out], name=out, **attrs))
        return out

    def rename(self, old: str, new: str) -> str:
        """Give the tensor ``old`` (a node's output) the name ``new``."""
        for node in self.nodes:
            node.output[:] = [new if o == old else o for o in node.output]
            node.input[:] = [new if i == old else i for i in node.input]
        return new

    # ---------------------------------------------------------------- layouts
    def as_first(self, value: Value) -> str:
        """The name of ``value`` with its channels on axis 1 (a Transpose when needed)."""
        if value.layout == "first" or value.rank <= 2:
            return value.name
        return self._transpose(value, "first", to_first(value.rank)).name

    def as_last(self, value: Value) -> str:
        """The name of ``value`` in lamina's channels-last layout (a Transpose when needed)."""
        if value.layout == "last" or value.rank <= 2:
            return value.name
        return self._transpose(value, "last", to_last(value.rank)).name

    def _transpose(self, value: Value, layout: str, perm: list) -> Value:
        key = (value.name, layout)
        if key not in self._converted:
            name = self.node("Transpose", [value.name], f"{value.name}_{layout}", perm=perm)
            self._converted[key] = Value(name, value.shape, layout, value.dtype)
        return self._converted[key]

    # ------------------------------------------------------- opset-aware ops
    def reduce(self, op: str, x: str, axes, keepdims: bool, name: str) -> str:
        """ReduceMean / ReduceMax / ReduceSum over ``axes`` (an attribute before opset 18,
        an input from 18 on; ReduceSum since 13)."""
        axes = [int(a) for a in axes]
        if self.opset >= 18 or op == "ReduceSum":
            return self.node(op, [x, self.ints(axes, "axes")], name, keepdims=int(keepdims))
        return self.node(op, [x], name, axes=axes, keepdims=int(keepdims))

    def scalar(self, value: float, name: str = "c") -> str:
        """A float32 scalar constant (broadcasts against any tensor)."""
        return self.weight(numpy.asarray(value, dtype=numpy.float32), name)
