"""ONNX writers for the preprocessing layers: Rescaling, Normalization, Resizing, and the
random augmentations (RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
RandomContrast, RandomErasing), which are the identity at inference as in Keras and write
no node.

Rescaling and Normalization work elementwise in whichever layout their input has (their
constants are permuted to match); Resizing is the layer's two interpolation matrices, applied
as two MatMuls to a channels-first tensor (no Transpose between them).
"""

from __future__ import annotations

import numpy

from lamina import layers as L
from lamina.export._activations import ExportError
from lamina.export._core import identity, where
from lamina.export._graph import Graph, Value, to_first


def constant_like(x: Value, array) -> numpy.ndarray:
    """``array`` (a scalar, a per-channel vector, or of ``x``'s rank with ones where it
    broadcasts) in ``x``'s layout in the file."""
    array = numpy.asarray(array, numpy.float32)
    if array.ndim == 0:
        return array
    if array.ndim < x.rank:  # one value per channel (the last axis)
        array = array.reshape([1] * (x.rank - array.ndim) + list(array.shape))
    return array.transpose(to_first(x.rank)) if x.layout == "first" else array


def rescaling(g: Graph, layer, x: Value, shape) -> Value:
    """``x * scale + offset``, as the layer computes it."""
    scale = g.weight(constant_like(x, layer.scale), f"{layer.name}_scale")
    y = g.node("Mul", [x.name, scale], f"{layer.name}_mul")
    offset = constant_like(x, layer.offset)
    if numpy.any(offset != 0):
        y = g.node("Add", [y, g.weight(offset, f"{layer.name}_offset")], layer.name)
    return Value(y, shape, x.layout)


def normalization(g: Graph, layer, x: Value, shape) -> Value:
    """``(x - mean) / std`` (``invert``: ``x * std + mean``) with the layer's float32
    ``std = max(sqrt(variance), 1e-7)``."""
    from lamina.layers.preprocessing.normalization import EPSILON

    mean, variance = layer._statistics()
    std = numpy.maximum(numpy.sqrt(variance), EPSILON).astype(numpy.float32)
    mean = g.weight(constant_like(x, mean), f"{layer.name}_mean")
    std = g.weight(constant_like(x, std), f"{layer.name}_std")
    name = layer.name
    if layer.invert:
        y = g.node("Add", [g.node("Mul", [x.name, std], f"{name}_scaled"), mean], name)
    else:
        y = g.node("Div", [g.node("Sub", [x.name, mean], f"{name}_centered"), std], name)
    return Value(y, shape, x.layout)


def resizing(g: Graph, layer, x: Value, shape) -> Value:
    """Crop or pad to the aspect ratio when asked, then ``R_h @ image @ R_w^T`` per channel
    with the layer's own interpolation matrices (they depend on the input size, which must
    be known)."""
    from lamina.layers.preprocessing.resizing import crop_box, pad_amounts

    if x.rank != 4:
        raise ExportError(f"export_onnx: {where(layer)} takes batches of images (4 axes) in a "
                          f"model; received a tensor of shape {x.shape}")
    h, w = x.shape[1:3]
    if h is None or w is None:
        raise ExportError(f"export_onnx: {where(layer)} needs the input's height and width: "
                          "its interpolation matrices depend on them; received input shape "
                          f"{x.shape}. Give the model's Input a fixed image size")
    name, source, antialias = layer.name, g.as_first(x), layer.antialias
    if layer.crop_to_aspect_ratio:
        top, h, left, w = crop_box(h, w, layer.height, layer.width)
        source = g.node("Slice", [source, g.ints([top, left], "starts"),
                                  g.ints([top + h, left + w], "ends"), g.ints([2, 3], "axes")],
                        f"{name}_crop")
    elif layer.pad_to_aspect_ratio:
        ph, pw = pad_amounts(h, w, layer.height, layer.width)
        source = g.node("Pad", [source, g.ints([0, 0, ph, pw, 0, 0, ph, pw], f"{name}_pads"),
                                g.scalar(layer.fill_value, f"{name}_fill")], f"{name}_pad",
                        mode="constant")
        h, w, antialias = h + 2 * ph, w + 2 * pw, False  # as the layer (Keras-torch)
    rows = layer._matrix(h, layer.height, antialias)      # (height, h)
    cols = layer._matrix(w, layer.width, antialias).T     # (w, width)
    y = g.node("MatMul", [source, g.weight(cols, f"{name}_cols")], f"{name}_width")
    y = g.node("MatMul", [g.weight(rows, f"{name}_rows"), y], name)
    return Value(y, shape, "first")


WRITERS = {
    L.Rescaling: rescaling, L.Normalization: normalization, L.Resizing: resizing,
    L.RandomFlip: identity, L.RandomRotation: identity, L.RandomZoom: identity,
    L.RandomTranslation: identity, L.RandomContrast: identity, L.RandomErasing: identity,
}
