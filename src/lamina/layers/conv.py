"""Convolution layers: ``BaseConv`` and its thin subclasses ``Conv1D``, ``Conv2D``,
``Conv2DTranspose`` (Keras 3 names, arguments, defaults, weight shapes and output shapes).

Inputs are channels_last: ``(batch, length, channels)`` for 1-D and
``(batch, height, width, channels)`` for 2-D. The output length along each spatial axis is
the lecture formula (seed 004), with ``k_eff = (k - 1) * dilation + 1``::

    'valid':           out = floor((in - k_eff) / stride) + 1
    'same'/'causal':   out = ceil(in / stride)

The argument helpers here (``standardize_tuple``, ``standardize_padding``,
``standardize_data_format``) are shared with the pooling and reshaping layers.
"""

from __future__ import annotations

import numbers

from lamina import activations, constraints, initializers, regularizers
from lamina.autograd import ops as F
from lamina.autograd.ops._conv_cpu_kernels import COL2IM_KERNELS
from lamina.autograd.ops._conv_epilogue import KERNELS as EPILOGUE_KERNELS
from lamina.autograd.ops._conv_inference import KERNELS as WINOGRAD_KERNELS
from lamina.autograd.ops._conv_winograd_training import GRAD_KERNELS as WINOGRAD_GRAD_KERNELS
from lamina.autograd.ops._spatial import (
    check_strides_and_dilation,
    normalize_tuple,
    transpose_output_length,
    window_output_length,
)
from lamina.layers.layer import InputSpec, Layer, serialize_or_none

__all__ = ["BaseConv", "Conv1D", "Conv2D", "Conv2DTranspose", "Convolution1D", "Convolution2D",
           "Convolution2DTranspose"]


# ------------------------------------------------------------------ argument helpers
def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def standardize_tuple(value, n: int, name: str, where: str, allow_zero: bool = False) -> tuple:
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` ints, each > 0 (>= 0 with
    ``allow_zero``); a ValueError naming the argument otherwise (see ``normalize_tuple``)."""
    return normalize_tuple(value, n, name, where, minimum=0 if allow_zero else 1)


def standardize_padding(value, where: str, allow_causal: bool = False) -> str:
    """``'valid'``/``'same'`` (and ``'causal'`` for 1-D convolutions), lower-cased."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if isinstance(value, str) and value.lower() in allowed:
        return value.lower()
    names = ", ".join(repr(a) for a in allowed)
    raise ValueError(f"{where}: the `padding` argument must be one of {names}; "
                     f"received padding={value!r}")


def standardize_data_format(value, where: str) -> str:
    """Only ``'channels_last'`` (also the default, None) is supported."""
    if value is None or (isinstance(value, str) and value.lower() == "channels_last"):
        return "channels_last"
    raise ValueError(f"{where}: only data_format='channels_last' is supported (inputs shaped "
                     f"(batch, ..., channels)); received data_format={value!r}")


# ------------------------------------------------------------------------ BaseConv
class BaseConv(Layer):
    """Abstract N-D convolution (cross-correlation) layer; subclasses fix ``rank``.

    ``output = activation(conv(inputs, kernel) + bias)``.

    Args:
        rank: number of spatial axes (1 or 2).
        filters: number of output channels (positive int).
        kernel_size: int or tuple of ``rank`` ints, the window size.
        strides: int or tuple of ``rank`` ints (default 1).
        padding: ``'valid'`` (no padding) or ``'same'`` (output size ``ceil(in / stride)``);
            ``'causal'`` for 1-D only.
        data_format: None or ``'channels_last'`` (the only layout supported).
        dilation_rate: int or tuple of ``rank`` ints; > 1 cannot be combined with strides > 1.
        groups: channel groups convolved separately (Keras): the input's channels and
            ``filters`` must be multiples of it; the kernel has ``in_channels / groups``
            input channels, and group g's filters see only group g's channels.
        activation: name (``'relu'``, ``'softmax'``...) or function, applied after the op.
        use_bias: whether to add a bias vector of shape ``(filters,)``.
        kernel_initializer, bias_initializer: Glorot uniform and zeros by default (Keras).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: applied after each optimizer step.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = type(self).__name__
        self.rank = rank
        if not _is_int(filters) or filters <= 0:
            raise ValueError(f"{where}: received an invalid value for argument `filters`, "
                             f"expected a positive integer, got {filters!r}")
        self.filters = int(filters)
        if not _is_int(groups) or groups <= 0:
            raise ValueError(f"{where}: the number of groups must be a positive integer; "
                             f"received groups={groups!r}")
        if self.filters % groups:
            raise ValueError(f"{where}: the number of filters must be evenly divisible by the "
                             f"number of groups; received filters={filters}, groups={groups}")
        self.groups = int(groups)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format, where)
        check_strides_and_dilation(self.strides, self.dilation_rate, where)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    # what subclasses change --------------------------------------------------
    def _kernel_shape(self, in_channels) -> tuple:
        if in_channels % self.groups:
            raise ValueError(f"{type(self).__name__} '{self.name}': the number of input "
                             f"channels must be evenly divisible by the number of groups; "
                             f"received groups={self.groups}, input channels={in_channels}")
        return (*self.kernel_size, in_channels // self.groups, self.filters)

    def _spatial_output(self, sizes) -> tuple:
        return tuple(window_output_length(n, k, s, self.padding, d) for n, k, s, d in
                     zip(sizes, self.kernel_size, self.strides, self.dilation_rate,
                         strict=True))

    def _convolve(self, inputs):
        raise NotImplementedError(f"{type(self).__name__}._convolve")

    # lifecycle -----------------------------------------------------------------
    def build(self, input_shape):
        in_channels = input_shape[-1]
        if in_channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel axis (last) of "
                             f"the input must be known; received input_shape="
                             f"{tuple(input_shape)}")
        self.input_spec.check(self, input_shape)
        self.compute_output_shape(input_shape)  # the window must fit the input
        self.kernel = self.add_weight(self._kernel_shape(in_channels), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = (self.add_weight((self.filters,), self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint, name="bias")
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: in_channels})
        self.built = True

    def _fused_relu_op(self):
        """The named op computing ``relu(conv(x))`` in one node, or None (Conv1D and Conv2D
        have one)."""
        return None

    def call(self, inputs):
        fused = self._fused_relu_op() if self.activation is activations.relu else None
        if fused is not None:
            return self._convolve(inputs, op=fused)
        return self.activation(self._convolve(inputs))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected an input with "
                             f"{self.rank + 2} axes (batch, {self.rank} spatial, channels); "
                             f"received input_shape={input_shape}")
        spatial = self._spatial_output(input_shape[1:-1])
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f"{type(self).__name__} '{self.name}': computed output size would "
                             f"be {spatial}, not positive: the input is smaller than the kernel. "
                             f"Received input_shape={input_shape}, kernel_size="
                             f"{self.kernel_size}, dilation_rate={self.dilation_rate}, "
                             f"padding={self.padding!r}; use padding='same' or a smaller kernel")
        return (input_shape[0], *spatial, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": serialize_or_none(initializers, self.kernel_initializer),
                "bias_initializer": serialize_or_none(initializers, self.bias_initializer),
                "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
                "kernel_constraint": serialize_or_none(constraints, self.kernel_constraint),
                "bias_constraint": serialize_or_none(constraints, self.bias_constraint)}


# -------------------------------------------------------------------- the layers
class Conv1D(BaseConv):
    """1-D convolution over ``(batch, steps, channels)``, e.g. for sequences.

    Kernel ``(kernel_size, in_channels, filters)``; output ``(batch, new_steps, filters)``.
    ``padding='causal'`` pads only on the left, so ``output[t]`` sees no input after ``t``.
    Arguments as :class:`BaseConv`.

    Example:
        >>> Conv1D(4, 3)(np.ones((2, 10, 5), "float32")).shape
        (2, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)

    def _fused_relu_op(self):
        return F.conv1d_relu

    def _convolve(self, inputs, op=F.conv1d):
        return op(inputs, self.kernel, self.bias, strides=self.strides[0], padding=self.padding,
                  dilation_rate=self.dilation_rate[0], groups=self.groups)


def _conv2d_kernels(kernel_size, strides, dilation_rate, transposed=False) -> tuple:
    """The kernel modules a 2-D convolution's paths may call: the epilogue of a fused ReLU or
    batch norm (``_conv_epilogue``); a strided convolution's input gradient and every
    transposed convolution's forward run col2im's gather; a 3x3 stride-1 convolution (and
    the backward of a 3x3 stride-1 transposed one, a convolution) may take the Winograd
    paths, forward and gradient transforms (``plans.conv2d_winograd``)."""
    names = [EPILOGUE_KERNELS]
    if transposed or max(strides) > 1:
        names.append(COL2IM_KERNELS)
    if tuple(kernel_size) == (3, 3) and max(strides) == 1 and max(dilation_rate) == 1:
        names.extend((WINOGRAD_KERNELS, WINOGRAD_GRAD_KERNELS))
    return tuple(names)


class Conv2D(BaseConv):
    """2-D convolution over images ``(batch, height, width, channels)``.

    Kernel ``(kh, kw, in_channels, filters)`` and bias ``(filters,)``, so a layer has
    ``kh * kw * in_channels * filters + filters`` parameters (``Conv2D(16, (3, 3))`` on one
    channel: 160). Output ``(batch, new_height, new_width, filters)``.
    Arguments as :class:`BaseConv`.

    Example:
        >>> Conv2D(16, (3, 3))(np.ones((2, 28, 28, 1), "float32")).shape
        (2, 26, 26, 16)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)

    @property
    def accel_kernels(self):
        """The numba kernels Model.compile loads (lamina.accel), so that their one-time cost
        (compiling, or loading numba's disk cache) is not paid inside the first training
        step: see :func:`_conv2d_kernels`."""
        return _conv2d_kernels(self.kernel_size, self.strides, self.dilation_rate)

    def _fused_relu_op(self):
        return F.conv2d_relu

    def _convolve(self, inputs, op=F.conv2d):
        return op(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                  dilation_rate=self.dilation_rate, groups=self.groups)


class Conv2DTranspose(BaseConv):
    """Transposed 2-D convolution ("deconvolution"): the gradient of ``Conv2D`` with respect to
    its input, used to upsample (e.g. strides=2 doubles height and width with 'same').

    Kernel ``(kh, kw, filters, in_channels)`` (Keras's order) and bias ``(filters,)``.
    Output height ``H * stride`` for ``'same'`` and ``H * stride + max(k_eff - stride, 0)`` for
    ``'valid'``; with ``output_padding`` it is ``(H - 1) * stride + k_eff - 2 * pad +
    output_padding`` (``pad = k_eff // 2`` for 'same', 0 for 'valid').

    Args:
        output_padding: None, or an int / tuple of 2 ints, each smaller than its stride: extra
            rows/columns added to one side of the output.
        Others as :class:`BaseConv` (no ``groups``).

    Example:
        >>> Conv2DTranspose(8, 3, strides=2, padding="same")(np.ones((1, 4, 4, 3), "float32")).shape
        (1, 8, 8, 8)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "groups" in kwargs:
            raise TypeError("Conv2DTranspose: unrecognized keyword argument(s): groups (grouped "
                            "transposed convolution does not exist in Keras)")
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         1, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(output_padding, 2, "output_padding",
                                                    type(self).__name__, allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding, self.strides, strict=True)):
                raise ValueError(f"{type(self).__name__}: strides must be greater than "
                                 f"output_padding; received strides={self.strides}, "
                                 f"output_padding={self.output_padding}")

    @property
    def accel_kernels(self):
        """The numba kernels Model.compile loads (lamina.accel): :func:`_conv2d_kernels`."""
        return _conv2d_kernels(self.kernel_size, self.strides, self.dilation_rate,
                               transposed=True)

    def _kernel_shape(self, in_channels):
        return (*self.kernel_size, self.filters, in_channels)

    def _spatial_output(self, sizes):
        pads = self.output_padding or (None, None)
        return tuple(transpose_output_length(n, k, s, self.padding, p, d) for n, k, s, p, d in
                     zip(sizes, self.kernel_size, self.strides, pads, self.dilation_rate,
                         strict=True))

    def _fused_relu_op(self):
        return F.conv2d_transpose_relu

    def _convolve(self, inputs, op=F.conv2d_transpose):
        return op(inputs, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                  output_padding=self.output_padding, dilation_rate=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        return {**config, "output_padding": self.output_padding}


# Keras's aliases
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
