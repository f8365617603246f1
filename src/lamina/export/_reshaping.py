"""ONNX writers for the layers that move values without arithmetic: DepthToSpace,
SpaceToDepth, Permute and UpSampling1D, and PReLU (whose slopes follow the layout).

DepthToSpace and SpaceToDepth are ONNX's ops of the same names on a channels-first tensor;
ONNX's ``DCR`` order (depth, column, row) is TensorFlow's, which lamina follows: channel
``(i * b + j) * c + k`` of a pixel is channel ``k`` at offset ``(i, j)`` of its block.
"""

from __future__ import annotations

from lamina import layers as L
from lamina.export._graph import Graph, Value, file_axis
from lamina.export._preprocessing import constant_like


def depth_to_space(g: Graph, layer, x: Value, shape) -> Value:
    y = g.node("DepthToSpace", [g.as_first(x)], layer.name, blocksize=layer.block_size,
               mode="DCR")
    return Value(y, shape, "first")


def space_to_depth(g: Graph, layer, x: Value, shape) -> Value:
    y = g.node("SpaceToDepth", [g.as_first(x)], layer.name, blocksize=layer.block_size)
    return Value(y, shape, "first")


def permute(g: Graph, layer, x: Value, shape) -> Value:
    """Transpose ``(0, *dims)`` of the channels-last tensor (one node: a channels-first
    input's own permutation is folded in)."""
    lamina_perm = [0, *layer.dims]
    if x.layout == "first":  # axis a of lamina's tensor sits at file_axis(a) in the file
        perm = [file_axis(a, x.rank, "first") for a in lamina_perm]
    else:
        perm = lamina_perm
    return Value(g.node("Transpose", [x.name], layer.name, perm=perm), shape)


def upsampling1d(g: Graph, layer, x: Value, shape) -> Value:
    """Each step repeated ``size`` times: nearest Resize along the steps (output step ``i``
    copies input step ``i // size``)."""
    scales = [1.0] * x.rank
    scales[file_axis(1, x.rank, x.layout)] = float(layer.size)
    y = g.node("Resize", [x.name, "", g.weight(scales, f"{layer.name}_scales")], layer.name,
               mode="nearest", coordinate_transformation_mode="asymmetric",
               nearest_mode="floor")
    return Value(y, shape, x.layout)


def prelu(g: Graph, layer, x: Value, shape) -> Value:
    """``relu(x) - alpha * relu(-x)``, which is ONNX's PRelu exactly (``alpha * x`` below 0:
    the negations are exact)."""
    alpha = layer.alpha.data.reshape((1, *layer.alpha.data.shape))
    slope = g.weight(constant_like(x, alpha)[0], f"{layer.name}_alpha")
    return Value(g.node("PRelu", [x.name, slope], layer.name), shape, x.layout)


WRITERS = {
    L.DepthToSpace: depth_to_space, L.SpaceToDepth: space_to_depth, L.Permute: permute,
    L.UpSampling1D: upsampling1d, L.PReLU: prelu,
}
