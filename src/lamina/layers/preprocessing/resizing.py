"""``Resizing``: images to ``(height, width)`` by one interpolation matrix per axis.

Resizing is linear in the pixels: ``out = R_h @ image @ R_w^T`` per channel, with the
constant matrices of ``_resize_matrix`` (Keras-torch's interpolation). It runs as two
matrix products of the engine, so gradients flow through it like any other layer.
"""

from __future__ import annotations

import numpy

from lamina.autograd import ops as F
from lamina.layers.conv import _is_int, standardize_data_format
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _resize_matrix
from lamina.layers.preprocessing.random_base import on_batch

INTERPOLATIONS = ("bilinear", "nearest")
KERAS_ONLY = ("bicubic", "lanczos3", "lanczos5", "area")


def crop_box(h, w, target_h, target_w):
    """The centred window of the target's aspect ratio (Keras's crop_to_aspect_ratio)."""
    crop_h = max(min(h, int(float(w * target_h) / target_w)), 1)
    crop_w = max(min(w, int(float(h * target_w) / target_h)), 1)
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    return top, crop_h, left, crop_w


def pad_amounts(h, w, target_h, target_w):
    """Rows and columns of fill added on each side (Keras's pad_to_aspect_ratio)."""
    pad_h = max(h, int(float(w * target_h) / target_w))
    pad_w = max(w, int(float(h * target_w) / target_h))
    return int(float(pad_h - h) / 2), int(float(pad_w - w) / 2)


class Resizing(Layer):
    """Resize images ``(batch, H, W, C)`` (or one image ``(H, W, C)``) to ``(height, width)``.

    Args:
        height, width: the output size.
        interpolation: ``'bilinear'`` (default) or ``'nearest'``.
        crop_to_aspect_ratio: first cut the largest centred window of the output's aspect
            ratio, so the image is not distorted.
        pad_to_aspect_ratio: first pad (with ``fill_value``) to the output's aspect ratio.
        fill_mode: ``'constant'``, the only mode Keras's padding uses.
        fill_value: the value of the padding.
        antialias: filter when shrinking, so every input pixel counts (bilinear only).
        data_format: None or ``'channels_last'``.

    Example:
        >>> Resizing(4, 6)(np.ones((2, 8, 8, 3), "float32")).shape
        (2, 4, 6, 3)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        for name, value in (("height", height), ("width", width)):
            if not _is_int(value) or value <= 0:
                raise ValueError(f"{where}: `{name}` must be a positive int; received "
                                 f"{name}={value!r}")
        if interpolation in KERAS_ONLY:
            raise ValueError(f"{where}: interpolation={interpolation!r} is not implemented in "
                             f"lamina; use one of {INTERPOLATIONS}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{where}: `interpolation` must be one of {INTERPOLATIONS}; "
                             f"received interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f"{where}: only one of crop_to_aspect_ratio and "
                             "pad_to_aspect_ratio can be True")
        if fill_mode != "constant":
            raise ValueError(f"{where}: `fill_mode` must be 'constant'; received "
                             f"fill_mode={fill_mode!r}")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value = fill_mode, float(fill_value)
        self.antialias = bool(antialias)
        self.data_format = standardize_data_format(data_format, where)

    def _matrix(self, n, m, antialias):
        if self.interpolation == "nearest":
            return _resize_matrix.nearest(n, m)
        return _resize_matrix.bilinear(n, m, antialias)

    def call(self, inputs):
        return on_batch(self, inputs, self._resize)

    def _resize(self, inputs):
        x, antialias = inputs, self.antialias
        h, w = x.shape[1:3]
        if self.crop_to_aspect_ratio:
            top, ch, left, cw = crop_box(h, w, self.height, self.width)
            x = x[:, top:top + ch, left:left + cw]
        elif self.pad_to_aspect_ratio:
            ph, pw = pad_amounts(h, w, self.height, self.width)
            x = F.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)), constant_values=self.fill_value)
            antialias = False  # as Keras-torch
        h, w = x.shape[1:3]
        dtype = x.dtype
        rows = numpy.ascontiguousarray(self._matrix(h, self.height, antialias).T, dtype=dtype)
        cols = numpy.ascontiguousarray(self._matrix(w, self.width, antialias).T, dtype=dtype)
        x = F.matmul(F.transpose(x, (0, 2, 3, 1)), rows)  # (N, W, C, height)
        x = F.matmul(F.transpose(x, (0, 3, 2, 1)), cols)  # (N, height, C, width)
        return F.transpose(x, (0, 1, 3, 2))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 3:
            return (self.height, self.width, input_shape[-1])
        return (input_shape[0], self.height, self.width, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias,
                "data_format": self.data_format}
