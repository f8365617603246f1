"""ONNX writers for the layers that work on images and sequences: Conv1D/Conv2D,
Conv2DTranspose, pooling, global pooling, UpSampling2D, ZeroPadding2D and Cropping2D.

Convolutions and windowed pools run channels-first (ONNX's only layout for them); the others
work in whichever layout their input has. ``padding='same'`` puts the odd row or column after
(bottom, right), as lamina and Keras do: explicit pads when the input size is known, ONNX's
``SAME_UPPER`` (the same rule) when it is not.
"""

from __future__ import annotations

import math

from lamina import layers as L
from lamina.export._activations import apply_activation
from lamina.export._core import where
from lamina.export._graph import Graph, Value, file_axis

_TO_END = 2**62  # a Slice end past any size


def _same_pads(sizes, kernel, strides, dilations):
    """ONNX pads (all befores, then all afters) for 'same', or None for an unknown size."""
    if any(n is None for n in sizes):
        return None
    before, after = [], []
    for n, k, s, d in zip(sizes, kernel, strides, dilations):
        total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
        before.append(total // 2)
        after.append(total - total // 2)
    return before + after


def _window_attrs(layer, x: Value, kernel, dilations=None) -> dict:
    """kernel_shape, strides and pads (or auto_pad) of a convolution or pool."""
    rank = len(kernel)
    dilations = dilations or (1,) * rank
    attrs = {"kernel_shape": list(kernel), "strides": list(layer.strides)}
    if layer.padding == "same":
        pads = _same_pads(x.shape[1:-1], kernel, layer.strides, dilations)
        if pads is None:
            attrs["auto_pad"] = "SAME_UPPER"
        else:
            attrs["pads"] = pads
    elif layer.padding == "causal":  # Conv1D: everything on the left
        attrs["pads"] = [(kernel[0] - 1) * dilations[0], 0]
    else:
        attrs["pads"] = [0] * (2 * rank)
    return attrs


# --------------------------------------------------------------- convolutions
def conv(g: Graph, layer, x: Value, shape) -> Value:
    """Conv1D / Conv2D: kernel (k..., C_in, C_out) -> ONNX's (C_out, C_in, k...)."""
    rank = layer.rank
    kernel = layer.kernel.data.transpose(rank + 1, rank, *range(rank))
    inputs = [g.as_first(x), g.weight(kernel, f"{layer.name}_kernel", owner=layer.kernel)]
    if layer.use_bias:
        inputs.append(g.weight(layer.bias.data, f"{layer.name}_bias", owner=layer.bias))
    attrs = _window_attrs(layer, x, layer.kernel_size, layer.dilation_rate)
    if layer.groups != 1:  # the kernel is already ONNX's (C_out, C_in / group, k...)
        attrs["group"] = layer.groups
    y = g.node("Conv", inputs, f"{layer.name}_conv", dilations=list(layer.dilation_rate),
               **attrs)
    return apply_activation(g, layer.activation, Value(y, shape, "first"), layer.name,
                            where(layer))


def _transpose_plan(padding, k_eff, s, output_padding):
    """(pad before, pad after, output_padding) of ONNX's ConvTranspose that crops its full
    output ``(n - 1) * s + k_eff`` to lamina's: where lamina's output starts and how much
    longer or shorter it is (neither depends on the input length ``n``; ``n = 1`` here)."""
    if output_padding is None:
        length = s if padding == "same" else s + max(k_eff - s, 0)
        before = max((k_eff - s) // 2, 0) if padding == "same" else 0
    else:
        pad = k_eff // 2 if padding == "same" else 0
        length = k_eff - 2 * pad + output_padding
        before = max((k_eff - k_eff % 2 - output_padding) // 2, 0) if padding == "same" else 0
    after = k_eff - before - length
    return before, max(after, 0), max(-after, 0)


def conv_transpose(g: Graph, layer, x: Value, shape) -> Value:
    """Conv2DTranspose: kernel (kh, kw, C_out, C_in) -> ONNX's (C_in, C_out, kh, kw)."""
    kernel = layer.kernel.data.transpose(3, 2, 0, 1)
    inputs = [g.as_first(x), g.weight(kernel, f"{layer.name}_kernel", owner=layer.kernel)]
    if layer.use_bias:
        inputs.append(g.weight(layer.bias.data, f"{layer.name}_bias", owner=layer.bias))
    plans = [_transpose_plan(layer.padding, (k - 1) * d + 1, s, p) for k, d, s, p in
             zip(layer.kernel_size, layer.dilation_rate, layer.strides,
                 layer.output_padding or (None, None))]
    y = g.node("ConvTranspose", inputs, f"{layer.name}_conv",
               kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
               dilations=list(layer.dilation_rate),
               pads=[p[0] for p in plans] + [p[1] for p in plans],
               output_padding=[p[2] for p in plans])
    return apply_activation(g, layer.activation, Value(y, shape, "first"), layer.name,
                            where(layer))


# --------------------------------------------------------------------- pooling
def _pool(op):
    def write(g: Graph, layer, x: Value, shape) -> Value:
        attrs = _window_attrs(layer, x, layer.pool_size)
        if op == "AveragePool":
            attrs["count_include_pad"] = 0  # padded cells are not counted, as in lamina
        return Value(g.node(op, [g.as_first(x)], layer.name, **attrs), shape, "first")
    return write


def _global_pool(op):
    def write(g: Graph, layer, x: Value, shape) -> Value:
        axes = [file_axis(a, x.rank, x.layout) for a in range(1, x.rank - 1)]
        y = g.reduce(op, x.name, axes, layer.keepdims, layer.name)
        return Value(y, shape, x.layout if layer.keepdims else "last")
    return write


# ---------------------------------------------------------------- resizing
def _spatial_axes(x: Value) -> list:
    return [file_axis(a, x.rank, x.layout) for a in (1, 2)]


def upsampling(g: Graph, layer, x: Value, shape) -> Value:
    """Nearest-neighbour repetition: Resize with integer scales, floor of asymmetric
    coordinates (each output pixel copies input pixel ``i // size``)."""
    scales = [1.0] * x.rank
    for axis, size in zip(_spatial_axes(x), layer.size):
        scales[axis] = float(size)
    y = g.node("Resize", [x.name, "", g.weight(scales, f"{layer.name}_scales")], layer.name,
               mode="nearest", coordinate_transformation_mode="asymmetric",
               nearest_mode="floor")
    return Value(y, shape, x.layout)


def zero_padding(g: Graph, layer, x: Value, shape) -> Value:
    before, after = [0] * x.rank, [0] * x.rank
    for axis, (lo, hi) in zip(_spatial_axes(x), layer.padding):
        before[axis], after[axis] = lo, hi
    y = g.node("Pad", [x.name, g.ints(before + after, f"{layer.name}_pads")], layer.name,
               mode="constant")
    return Value(y, shape, x.layout)


def cropping(g: Graph, layer, x: Value, shape) -> Value:
    axes = _spatial_axes(x)
    starts = [lo for lo, _ in layer.cropping]
    ends = [-hi if hi else _TO_END for _, hi in layer.cropping]
    y = g.node("Slice", [x.name, g.ints(starts, "starts"), g.ints(ends, "ends"),
                         g.ints(axes, "axes")], layer.name)
    return Value(y, shape, x.layout)


WRITERS = {
    L.Conv1D: conv, L.Conv2D: conv, L.Conv2DTranspose: conv_transpose,
    L.MaxPooling1D: _pool("MaxPool"), L.MaxPooling2D: _pool("MaxPool"),
    L.AveragePooling1D: _pool("AveragePool"), L.AveragePooling2D: _pool("AveragePool"),
    L.GlobalAveragePooling1D: _global_pool("ReduceMean"),
    L.GlobalAveragePooling2D: _global_pool("ReduceMean"),
    L.GlobalMaxPooling1D: _global_pool("ReduceMax"),
    L.GlobalMaxPooling2D: _global_pool("ReduceMax"),
    L.UpSampling2D: upsampling, L.ZeroPadding2D: zero_padding, L.Cropping2D: cropping,
}
