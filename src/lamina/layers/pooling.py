"""Pooling layers (Keras 3 names and defaults): max / average over windows, and global pooling.

Windowed pooling reduces each ``pool_size`` window of each channel to one number; ``strides``
defaults to ``pool_size`` (non-overlapping windows). Global pooling reduces all spatial axes:
``(batch, ..., channels) -> (batch, channels)`` (``keepdims=True`` keeps size-1 axes).
None of these layers has weights.
"""

from __future__ import annotations

from lamina.autograd import ops as F
from lamina.autograd.ops.pooling import KERNELS as _MAX_POOL_KERNELS
from lamina.layers.conv import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
    window_output_length,
)
from lamina.layers.layer import InputSpec, Layer

__all__ = ["BasePooling", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
           "AveragePooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D",
           "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D", "GlobalMaxPool1D", "GlobalAvgPool2D",
           "GlobalMaxPool2D"]


class BasePooling(Layer):
    """Abstract windowed pooling; subclasses set ``rank`` and the op ``_pool``.

    Args:
        pool_size: int or tuple of ``rank`` ints, the window size.
        strides: int or tuple of ``rank`` ints; None means ``pool_size``.
        padding: ``'valid'`` (whole windows only) or ``'same'`` (``ceil(in / stride)`` outputs;
            padded cells are ignored: never the max, not counted in the average).
        data_format: None or ``'channels_last'``.
    """

    rank = 2

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", where)
        self.strides = (self.pool_size if strides is None
                        else standardize_tuple(strides, self.rank, "strides", where))
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _pool(self, inputs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}._pool")

    def call(self, inputs):
        return self._pool(inputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected an input with "
                             f"{self.rank + 2} axes (batch, {self.rank} spatial, channels); "
                             f"received input_shape={input_shape}")
        spatial = tuple(window_output_length(n, k, s, self.padding) for n, k, s in
                        zip(input_shape[1:-1], self.pool_size, self.strides, strict=True))
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f"{type(self).__name__} '{self.name}': computed output size would "
                             f"be {spatial}, not positive: the input is smaller than the pool. "
                             f"Received input_shape={input_shape}, pool_size={self.pool_size}; "
                             "use padding='same' or a smaller pool_size")
        return (input_shape[0], *spatial, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(BasePooling):
    """Max over windows along the steps of ``(batch, steps, channels)``.

    >>> MaxPooling1D()(np.ones((1, 6, 3), "float32")).shape
    (1, 3, 3)
    """

    accel_kernels = (_MAX_POOL_KERNELS,)  # loaded by Model.compile (lamina.accel)

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def _pool(self, inputs):
        return F.max_pool1d(inputs, self.pool_size, self.strides, self.padding)


class AveragePooling1D(BasePooling):
    """Mean over windows along the steps of ``(batch, steps, channels)``."""

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def _pool(self, inputs):
        return F.avg_pool1d(inputs, self.pool_size, self.strides, self.padding)


class MaxPooling2D(BasePooling):
    """Max over ``pool_size`` windows of ``(batch, height, width, channels)`` images.

    >>> MaxPooling2D(pool_size=(2, 2))(np.ones((1, 26, 26, 16), "float32")).shape
    (1, 13, 13, 16)
    """

    accel_kernels = (_MAX_POOL_KERNELS,)  # loaded by Model.compile (lamina.accel)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def _pool(self, inputs):
        return F.max_pool2d(inputs, self.pool_size, self.strides, self.padding)


class AveragePooling2D(BasePooling):
    """Mean over ``pool_size`` windows of ``(batch, height, width, channels)`` images."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def _pool(self, inputs):
        return F.avg_pool2d(inputs, self.pool_size, self.strides, self.padding)


class BaseGlobalPooling(Layer):
    """Abstract global pooling over every spatial axis; subclasses set ``rank`` and ``_pool``.

    Args:
        data_format: None or ``'channels_last'``.
        keepdims: keep the spatial axes with size 1 (``(batch, 1, 1, channels)`` in 2-D).
    """

    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _pool(self, inputs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}._pool")

    def call(self, inputs):
        return self._pool(inputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return (input_shape[0], *([1] * (len(input_shape) - 2)), input_shape[-1])
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps: ``(batch, steps, channels) -> (batch, channels)``."""

    rank = 1

    def _pool(self, inputs):
        return F.mean(inputs, axis=1, keepdims=self.keepdims)


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps: ``(batch, steps, channels) -> (batch, channels)``."""

    rank = 1

    def _pool(self, inputs):
        return F.max(inputs, axis=1, keepdims=self.keepdims)


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width: ``(batch, h, w, channels) -> (batch, channels)``.

    >>> GlobalAveragePooling2D()(np.ones((2, 5, 5, 8), "float32")).shape
    (2, 8)
    """

    def _pool(self, inputs):
        return F.global_avg_pool2d(inputs, keepdims=self.keepdims)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over height and width: ``(batch, h, w, channels) -> (batch, channels)``."""

    def _pool(self, inputs):
        return F.global_max_pool2d(inputs, keepdims=self.keepdims)


# Keras's aliases
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
