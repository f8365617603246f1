"""``DepthwiseConv2D`` and ``SeparableConv2D`` (Keras 3 names, arguments, weights).

A depthwise convolution filters each input channel on its own with ``depth_multiplier``
filters (kernel ``(kh, kw, C, depth_multiplier)``, output ``C * depth_multiplier``
channels); a separable convolution follows it with a 1x1 convolution that mixes the
channels (``pointwise_kernel (1, 1, C * depth_multiplier, filters)``): the factorized
convolution of MobileNet and Xception, with far fewer weights than a full one.
"""

from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.autograd import ops as F
from lamina.autograd.ops._spatial import check_strides_and_dilation, window_output_length
from lamina.autograd.ops.depthwise_conv import depthwise_conv2d
from lamina.layers.conv import (
    _is_int,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from lamina.layers.layer import InputSpec, Layer, serialize_or_none

__all__ = ["DepthwiseConv2D", "SeparableConv2D"]


class _Depthwise(Layer):
    """Shared by both layers: the window arguments, the depthwise kernel, the output shape."""

    _kernel_name = "kernel"

    def __init__(self, kernel_size, strides, padding, data_format, dilation_rate,
                 depth_multiplier, activation, use_bias, depthwise_initializer,
                 bias_initializer, depthwise_regularizer, bias_regularizer,
                 activity_regularizer, depthwise_constraint, bias_constraint, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = type(self).__name__
        if not _is_int(depth_multiplier) or depth_multiplier <= 0:
            raise ValueError(f"{where}: depth_multiplier must be a positive integer; received "
                             f"depth_multiplier={depth_multiplier!r}")
        self.depth_multiplier = int(depth_multiplier)
        self.kernel_size = standardize_tuple(kernel_size, 2, "kernel_size", where)
        self.strides = standardize_tuple(strides, 2, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, 2, "dilation_rate", where)
        self.padding = standardize_padding(padding, where)
        self.data_format = standardize_data_format(data_format, where)
        check_strides_and_dilation(self.strides, self.dilation_rate, where)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=4)

    def _out_channels(self, in_channels):
        return in_channels * self.depth_multiplier

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel axis (last) of "
                             f"the input must be known; received input_shape="
                             f"{tuple(input_shape)}")
        self.compute_output_shape(input_shape)  # the window must fit the input
        depthwise = self.add_weight((*self.kernel_size, channels, self.depth_multiplier),
                                    self.depthwise_initializer,
                                    regularizer=self.depthwise_regularizer,
                                    constraint=self.depthwise_constraint,
                                    name=self._kernel_name)
        setattr(self, self._kernel_name, depthwise)
        self._build_pointwise(channels)
        self.bias = (self.add_weight((self._out_channels(channels),), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint, name="bias")
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.built = True

    def _build_pointwise(self, channels):
        pass

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 4:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected an input with 4 "
                             f"axes (batch, height, width, channels); received "
                             f"input_shape={input_shape}")
        spatial = tuple(window_output_length(n, k, s, self.padding, d) for n, k, s, d in
                        zip(input_shape[1:3], self.kernel_size, self.strides,
                            self.dilation_rate))
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f"{type(self).__name__} '{self.name}': computed output size would "
                             f"be {spatial}, not positive: the input is smaller than the kernel. "
                             f"Received input_shape={input_shape}, kernel_size="
                             f"{self.kernel_size}, dilation_rate={self.dilation_rate}, "
                             f"padding={self.padding!r}")
        channels = None if input_shape[-1] is None else self._out_channels(input_shape[-1])
        return (input_shape[0], *spatial, channels)

    def _depthwise(self, inputs, with_bias):
        kernel = getattr(self, self._kernel_name)
        bias = self.bias if with_bias else None
        return depthwise_conv2d(inputs, kernel, bias, strides=self.strides,
                                padding=self.padding, dilation_rate=self.dilation_rate)

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "depth_multiplier": self.depth_multiplier,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "depthwise_initializer": serialize_or_none(initializers,
                                                           self.depthwise_initializer),
                "bias_initializer": serialize_or_none(initializers, self.bias_initializer),
                "depthwise_regularizer": serialize_or_none(regularizers,
                                                           self.depthwise_regularizer),
                "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
                "depthwise_constraint": serialize_or_none(constraints,
                                                          self.depthwise_constraint),
                "bias_constraint": serialize_or_none(constraints, self.bias_constraint)}


class DepthwiseConv2D(_Depthwise):
    """Each input channel convolved with its own ``depth_multiplier`` filters.

    ``output = activation(depthwise_conv2d(inputs, kernel) + bias)``: kernel
    ``(kh, kw, C, depth_multiplier)``, bias ``(C * depth_multiplier,)``; output channel
    ``c * depth_multiplier + m`` is input channel ``c`` through filter ``m``.

    Args: ``kernel_size``, ``strides``, ``padding`` ('valid'/'same'), ``depth_multiplier``,
    ``data_format`` (channels_last), ``dilation_rate``, ``activation``, ``use_bias``, and
    the ``depthwise_*`` / ``bias_*`` initializers, regularizers and constraints, as Keras.

    Example:
        >>> DepthwiseConv2D(3, depth_multiplier=2)(np.ones((1, 8, 8, 3), "float32")).shape
        (1, 6, 6, 6)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)

    def call(self, inputs):
        return self.activation(self._depthwise(inputs, with_bias=self.use_bias))


class SeparableConv2D(_Depthwise):
    """A depthwise convolution, then a 1x1 convolution to ``filters`` channels.

    ``output = activation(conv1x1(depthwise_conv2d(inputs, depthwise_kernel),
    pointwise_kernel) + bias)``; weights ``depthwise_kernel (kh, kw, C, depth_multiplier)``,
    ``pointwise_kernel (1, 1, C * depth_multiplier, filters)``, ``bias (filters,)``.

    Args: as :class:`DepthwiseConv2D` plus ``filters`` and the ``pointwise_*`` initializer,
    regularizer and constraint.

    Example:
        >>> SeparableConv2D(8, 3, padding="same")(np.ones((1, 8, 8, 3), "float32")).shape
        (1, 8, 8, 8)
    """

    _kernel_name = "depthwise_kernel"

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        if not _is_int(filters) or filters <= 0:
            raise ValueError(f"SeparableConv2D: received an invalid value for argument "
                             f"`filters`, expected a positive integer, got {filters!r}")
        self.filters = int(filters)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def _out_channels(self, in_channels):
        return self.filters

    def _build_pointwise(self, channels):
        self.pointwise_kernel = self.add_weight(
            (1, 1, channels * self.depth_multiplier, self.filters), self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint,
            name="pointwise_kernel")

    def call(self, inputs):
        mixed = F.conv2d(self._depthwise(inputs, with_bias=False), self.pointwise_kernel,
                         self.bias, strides=1, padding="valid", dilation_rate=1)
        return self.activation(mixed)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": serialize_or_none(initializers,
                                                           self.pointwise_initializer),
                "pointwise_regularizer": serialize_or_none(regularizers,
                                                           self.pointwise_regularizer),
                "pointwise_constraint": serialize_or_none(constraints,
                                                          self.pointwise_constraint)}
