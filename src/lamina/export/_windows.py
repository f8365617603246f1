"""ONNX writers for the windowed layers beyond plain convolution and pooling:
DepthwiseConv2D and SeparableConv2D (a Conv with one group per input channel, then a 1x1
Conv), and LPPooling2D / L2Pooling2D (the p-th root of a window sum of ``|x| ** p``).
All run channels-first.
"""

from __future__ import annotations

import math

from lamina import layers as L
from lamina.export._activations import apply_activation
from lamina.export._core import where
from lamina.export._graph import Graph, Value
from lamina.export._spatial import _window_attrs


def _depthwise(g: Graph, layer, x: Value, kernel_var, bias_var, name: str) -> str:
    """Kernel (kh, kw, C, M) -> ONNX's (C * M, 1, kh, kw) with ``group=C``: output channel
    ``c * M + m`` is input channel ``c`` through filter ``m``, lamina's (Keras's) order."""
    kh, kw, c, m = kernel_var.data.shape
    kernel = kernel_var.data.reshape(kh, kw, c * m).transpose(2, 0, 1)[:, None]
    inputs = [g.as_first(x), g.weight(kernel, f"{layer.name}_depthwise", owner=kernel_var)]
    if bias_var is not None:
        inputs.append(g.weight(bias_var.data, f"{layer.name}_bias", owner=bias_var))
    return g.node("Conv", inputs, name, group=c, dilations=list(layer.dilation_rate),
                  **_window_attrs(layer, x, layer.kernel_size, layer.dilation_rate))


def depthwise_conv(g: Graph, layer, x: Value, shape) -> Value:
    y = _depthwise(g, layer, x, layer.kernel, layer.bias, f"{layer.name}_conv")
    return apply_activation(g, layer.activation, Value(y, shape, "first"), layer.name,
                            where(layer))


def separable_conv(g: Graph, layer, x: Value, shape) -> Value:
    """The depthwise convolution (no bias), then the pointwise (1, 1, C * M, filters)
    kernel and the bias as a 1x1 Conv."""
    mid = _depthwise(g, layer, x, layer.depthwise_kernel, None, f"{layer.name}_depthwise")
    pointwise = layer.pointwise_kernel.data.transpose(3, 2, 0, 1)
    inputs = [mid, g.weight(pointwise, f"{layer.name}_pointwise", owner=layer.pointwise_kernel)]
    if layer.use_bias:
        inputs.append(g.weight(layer.bias.data, f"{layer.name}_bias", owner=layer.bias))
    y = g.node("Conv", inputs, f"{layer.name}_conv", kernel_shape=[1, 1])
    return apply_activation(g, layer.activation, Value(y, shape, "first"), layer.name,
                            where(layer))


def lp_pooling(g: Graph, layer, x: Value, shape) -> Value:
    """``(sum over the window of |x| ** p) ** (1 / p)``: the window sum is an AveragePool
    that counts the padded zeros, times the window's cells (lamina: the mean of the real
    cells times their number; the same sum up to rounding)."""
    name, p = layer.name, layer.p
    source = g.as_first(x)
    if p == 2:
        powered = g.node("Mul", [source, source], f"{name}_square")
    else:
        powered = g.node("Abs", [source], f"{name}_abs")
        if p != 1:
            powered = g.node("Pow", [powered, g.scalar(p)], f"{name}_power")
    attrs = _window_attrs(layer, x, layer.pool_size)
    mean = g.node("AveragePool", [powered], f"{name}_mean", count_include_pad=1, **attrs)
    total = g.node("Mul", [mean, g.scalar(math.prod(layer.pool_size))],
                   name if p == 1 else f"{name}_sum")
    if p == 2:
        total = g.node("Sqrt", [total], name)
    elif p != 1:
        total = g.node("Pow", [total, g.scalar(1.0 / p)], name)
    return Value(total, shape, "first")


WRITERS = {
    L.DepthwiseConv2D: depthwise_conv, L.SeparableConv2D: separable_conv,
    L.LPPooling2D: lp_pooling, L.L2Pooling2D: lp_pooling,
}
