"""Convolutions with Keras semantics (channels_last): conv2d, conv2d_relu, conv2d_transpose,
conv2d_transpose_relu, conv1d, conv1d_relu.

conv2d is a cross-correlation. With the padded input ``xpad`` and each output pixel's window
laid out as a row of ``cols`` (im2col, seed 004), it is one matrix product, and so are its
gradients::

    out[n, y, x, o] = sum_{i, j, c} xpad[n, y*sh + i*dh, x*sw + j*dw, c] * kernel[i, j, c, o]
                      + bias[o]
    out  = cols @ K + bias        dK = cols.T @ g        db = sum g        dx = col2im(g @ K.T)

``_conv_reference.py`` is that math as plain code (read it first); ``_conv_cpu.py`` runs the
same numbers fast on the CPU, on the path ``plans.py`` picks for the shape. conv2d_transpose
(Keras's Conv2DTranspose) is conv2d's input gradient used as a forward pass, so its gradients
are a conv2d forward (input) and the same kernel-gradient product. conv1d computes conv2d on
a height-1 image: with strides > 1 it runs as one, at stride 1 as a sum of shifted products
on the flattened sequence (``_conv1d_cpu.py``, no im2col; ``plans.conv1d`` picks).
conv2d_relu (and conv1d_relu) is ``relu(conv2d(...))`` as one op: the fast path clips each
chunk while it is in the cache, and applies ReLU's mask while it copies the gradient.

``groups=G`` (Keras's grouped convolution; AlexNet's two towers): the input channels are cut
into G equal parts, part g is convolved with the kernel's filters ``g*O/G:(g+1)*O/G`` (the
kernel has ``C_in / G`` input channels), and the G outputs are concatenated. It is built from
the ops above (getitem, conv2d, concatenate), so its gradient is theirs; it equals conv2d
with a block-diagonal kernel (the test compares the two).
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops import _conv1d_cpu, _conv_cpu, _conv_transpose_cpu, plans
from lamina.autograd.ops._spatial import (
    check_strides_and_dilation,
    expect_ndim,
    normalize_tuple,
    output_length,
    resolve_padding,
    transpose_crop,
)
from lamina.autograd.ops.shape import concatenate, getitem

__all__ = ["conv2d", "conv2d_relu", "conv2d_transpose", "conv2d_transpose_relu", "conv1d",
           "conv1d_relu"]


def _check_arrays(op, x, kernel, bias, x_layout, k_layout, in_axis, out_axis):
    """Ranks, channel counts and the bias shape; a ValueError naming both shapes."""
    expect_ndim(x, len(x_layout.split(",")), op, x_layout)
    if kernel.ndim != len(k_layout.split(",")):
        raise ValueError(f"{op}: expected a {len(k_layout.split(','))}-D kernel ({k_layout}); "
                         f"received kernel shape {tuple(kernel.shape)}")
    if x.shape[-1] != kernel.shape[in_axis]:
        raise ValueError(
            f"{op}: the input has {x.shape[-1]} channels (shape {tuple(x.shape)}) but the kernel "
            f"expects {kernel.shape[in_axis]} (kernel shape {tuple(kernel.shape)}, layout "
            f"{k_layout})")
    if bias is not None and tuple(bias.shape) != (kernel.shape[out_axis],):
        raise ValueError(f"{op}: bias must have shape ({kernel.shape[out_axis]},), one value per "
                         f"output channel; received bias shape {tuple(bias.shape)}")


def _window_args(op, strides, dilation_rate):
    strides = normalize_tuple(strides, 2, "strides", op)
    dilation = normalize_tuple(dilation_rate, 2, "dilation_rate", op)
    check_strides_and_dilation(strides, dilation, op)
    return strides, dilation


def _common(xp, arrays):
    """The arrays in one float dtype (float32 stays float32; float64 only if one is float64)."""
    dtype = xp.result_type(*arrays)
    return [a.astype(dtype, copy=False) for a in arrays]


class Conv2D(Function):
    """``x`` (N, H, W, C_in) correlated with ``kernel`` (kh, kw, C_in, C_out), plus ``bias``."""

    name = "conv2d"
    relu = False  # conv2d_relu: relu(conv2d(...)) in one node
    #: scale / shift / residual of a fused op's epilogue (conv_inference.conv2d_batch_norm)
    epilogue = None

    def forward(self, x, kernel, *bias, strides, padding, dilation_rate):
        op, xp = self.name, self.xp
        _check_arrays(op, x, kernel, bias[0] if bias else None, "N, H, W, C",
                      "kh, kw, C_in, C_out", 2, 3)
        x, kernel, *bias = _common(xp, [x, kernel, *bias])
        strides, dilation, pads, out_hw = self.geometry(x.shape, kernel.shape, strides, padding,
                                                        dilation_rate)
        out, xpad = _conv_cpu.conv2d_forward(xp, x, kernel, bias[0] if bias else None, pads,
                                             strides, dilation, out_hw, relu=self.relu,
                                             inference=not self.recording,
                                             **(self.epilogue or {}))
        self.args = (strides, dilation, pads, x.shape, kernel.shape, bool(bias))
        if self.recording:  # the padded input for dK, the kernel for dx, the output for ReLU
            need_x, need_k = self.needs_input_grad[:2]
            self.save_for_backward(xpad if need_k else None, kernel if need_x else None,
                                   out if self.relu else None)
        return out

    def geometry(self, x_shape, k_shape, strides, padding, dilation_rate):
        """``(strides, dilation, pads, out_hw)`` checked and resolved, as the op uses them."""
        op = self.name
        strides, dilation = _window_args(op, strides, dilation_rate)
        ksize = k_shape[:2]
        pads = resolve_padding(padding, x_shape[1:3], ksize, strides, dilation, op)
        out_hw = tuple(output_length(n, k, s, p, d, op, axis) for n, k, s, p, d, axis in zip(
            x_shape[1:3], ksize, strides, pads, dilation, ("height", "width")))
        return strides, dilation, pads, out_hw

    def backward(self, grad):
        strides, dilation, pads, x_shape, k_shape, has_bias = self.args
        xpad, kernel, relu_out = self.saved
        need = self.needs_input_grad
        gx, gk, gb = _conv_cpu.conv2d_backward(
            self.xp, grad, xpad, kernel, k_shape, x_shape, pads, strides, dilation,
            (need[0], need[1], has_bias and need[2]), relu_out=relu_out)
        return (gx, gk, gb) if has_bias else (gx, gk)


class Conv2DReLU(Conv2D):
    """``relu(conv2d(x, kernel, bias))`` as one op (the Conv2D layer's ``activation='relu'``)."""

    name = "conv2d_relu"
    relu = True


class Conv2DTranspose(Function):
    """The adjoint of conv2d: ``x`` (N, H, W, C_in), ``kernel`` (kh, kw, C_out, C_in)."""

    name = "conv2d_transpose"
    relu = False  # Conv2DTransposeReLU: relu(conv2d_transpose(...)) as one op

    def forward(self, x, kernel, *bias, strides, padding, output_padding, dilation_rate):
        op, xp = self.name, self.xp
        _check_arrays(op, x, kernel, bias[0] if bias else None, "N, H, W, C",
                      "kh, kw, C_out, C_in", 3, 2)
        x, kernel, *bias = _common(xp, [x, kernel, *bias])
        strides, dilation = _window_args(op, strides, dilation_rate)
        mode = padding.lower() if isinstance(padding, str) else padding
        if mode not in ("valid", "same"):
            raise ValueError(f"{op}: padding must be 'valid' or 'same'; received "
                             f"padding={padding!r}")
        if output_padding is not None:
            output_padding = normalize_tuple(output_padding, 2, "output_padding", op, minimum=0)
            if any(p >= s for p, s in zip(output_padding, strides)):
                raise ValueError(f"{op}: each output_padding must be smaller than its stride; "
                                 f"received output_padding={output_padding}, strides={strides}")
        k_eff = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:2], dilation)]
        crop = tuple(transpose_crop(op, mode, n, ke, s, p) for n, ke, s, p in
                     zip(x.shape[1:3], k_eff, strides, output_padding or (None, None)))
        # the grid of the conv2d this is the adjoint of (its padded input)
        padded = tuple(max((n - 1) * s + ke, before + length) for n, s, ke, (before, length)
                       in zip(x.shape[1:3], strides, k_eff, crop))
        out = _conv_transpose_cpu.conv2d_transpose_forward(
            xp, x, kernel, bias[0] if bias else None, crop, padded, strides, dilation,
            relu=self.relu)
        self.args = (strides, dilation, crop, padded, x.shape[1:3], kernel.shape, bool(bias))
        if self.recording:
            need_x, need_k = self.needs_input_grad[:2]
            self.save_for_backward(x if need_k else None, kernel if need_x else None,
                                   out if self.relu else None)
        return out

    def backward(self, grad):
        strides, dilation, crop, padded, x_hw, k_shape, has_bias = self.args
        x, kernel, relu_out = self.saved
        need = self.needs_input_grad
        gx, gk, gb = _conv_transpose_cpu.conv2d_transpose_backward(
            self.xp, grad, x, kernel, x_hw, k_shape, crop, padded, strides, dilation,
            (need[0], need[1], has_bias and need[2]), relu_out=relu_out)
        return (gx, gk, gb) if has_bias else (gx, gk)


class Conv2DTransposeReLU(Conv2DTranspose):
    """``relu(conv2d_transpose(x, kernel, bias))`` as one op (the Conv2DTranspose layer's
    ``activation='relu'``; U-Net's up-sampling)."""

    name = "conv2d_transpose_relu"
    relu = True


class Conv1D(Conv2D):
    """``x`` (N, L, C_in) with ``kernel`` (k, C_in, C_out): at stride 1 a sum of shifted
    products (``_conv1d_cpu.py``), else conv2d on a height-1 image (``plans.conv1d``)."""

    name = "conv1d"

    def forward(self, x, kernel, *bias, strides, padding, dilation_rate):
        op, xp = self.name, self.xp
        _check_arrays(op, x, kernel, bias[0] if bias else None, "N, L, C", "k, C_in, C_out",
                      1, 2)
        (s,) = normalize_tuple(strides, 1, "strides", op)
        (d,) = normalize_tuple(dilation_rate, 1, "dilation_rate", op)
        check_strides_and_dilation((s,), (d,), op)
        k = kernel.shape[0]
        if isinstance(padding, str) and padding.lower() == "causal":
            pad = ((k - 1) * d, 0)  # left padding only: output t sees inputs <= t
        else:
            if isinstance(padding, (tuple, list)) and len(padding) == 2:
                padding = (tuple(padding),)  # one (before, after) pair for the one axis
            (pad,) = resolve_padding(padding, x.shape[1:2], (k,), (s,), (d,), op)
        output_length(x.shape[1], k, s, pad, d, op, "length")  # the 1-D error message
        self.path = plans.conv1d(s, x.shape[2])
        if self.path == "as_conv2d":
            out = super().forward(x[:, None], kernel[None], *bias, strides=(1, s),
                                  padding=((0, 0), pad), dilation_rate=(1, d))
            return out[:, 0]
        x, kernel, *bias = _common(xp, [x, kernel, *bias])
        out, xpad = _conv1d_cpu.conv1d_forward(xp, x, kernel, bias[0] if bias else None, pad,
                                               d, relu=self.relu)
        self.args = (d, pad, x.shape[1], kernel.shape, bool(bias))
        if self.recording:  # as Conv2D: the padded input, the kernel, the fused op's output
            need_x, need_k = self.needs_input_grad[:2]
            self.save_for_backward(xpad if need_k else None, kernel if need_x else None,
                                   out if self.relu else None)
        return out

    def backward(self, grad):
        if self.path == "as_conv2d":
            gx, gk, *gb = super().backward(grad[:, None])
            return (None if gx is None else gx[:, 0], None if gk is None else gk[0], *gb)
        d, pad, x_len, k_shape, has_bias = self.args
        xpad, kernel, relu_out = self.saved
        need = self.needs_input_grad
        gx, gk, gb = _conv1d_cpu.conv1d_backward(
            self.xp, grad, xpad, kernel, k_shape, x_len, pad, d,
            (need[0], need[1], has_bias and need[2]), relu_out=relu_out)
        return (gx, gk, gb) if has_bias else (gx, gk)


class Conv1DReLU(Conv1D):
    """``relu(conv1d(x, kernel, bias))`` as one op (the Conv1D layer's ``activation='relu'``)."""

    name = "conv1d_relu"
    relu = True


def _inputs(x, kernel, bias):
    return (x, kernel) if bias is None else (x, kernel, bias)


def _grouped(op, function, x, kernel, bias, groups, **window):
    """``function.apply`` on each of ``groups`` channel groups, outputs concatenated."""
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int; received groups={groups!r}")
    if groups == 1:
        return function.apply(*_inputs(x, kernel, bias), **window)
    c_in, c_group, filters = x.shape[-1], kernel.shape[-2], kernel.shape[-1]
    if c_in != c_group * groups or filters % groups:
        raise ValueError(
            f"{op}: with groups={groups} the input's {c_in} channels must be groups x the "
            f"kernel's {c_group} input channels, and the kernel's {filters} filters a multiple "
            f"of groups; received input shape {tuple(x.shape)}, kernel shape "
            f"{tuple(kernel.shape)}")
    o = filters // groups
    outs = []
    for g in range(groups):
        part = getitem(x, (Ellipsis, slice(g * c_group, (g + 1) * c_group)))
        k = getitem(kernel, (Ellipsis, slice(g * o, (g + 1) * o)))
        b = None if bias is None else getitem(bias, slice(g * o, (g + 1) * o))
        outs.append(function.apply(*_inputs(part, k, b), **window))
    return concatenate(outs, axis=-1)


def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """2-D cross-correlation, channels_last, as Keras's Conv2D computes it.

    Args:
        x: (N, H, W, C_in). kernel: (kh, kw, C_in / groups, C_out). bias: (C_out,) or None.
        strides, dilation_rate: an int or 2 ints (not both > 1, as in Keras).
        padding: 'valid', 'same' (output ``ceil(H / stride)``, odd pixel after), an int,
            2 ints, or 2 (before, after) pairs.
        groups: channel groups convolved separately (module docstring); C_in and C_out must
            be multiples of it.
    Returns (N, Ho, Wo, C_out).

    >>> conv2d(Tensor(np.ones((1, 4, 4, 1))), Tensor(np.ones((3, 3, 1, 2)))).shape
    (1, 2, 2, 2)
    """
    return _grouped("conv2d", Conv2D, x, kernel, bias, groups, strides=strides,
                    padding=padding, dilation_rate=dilation_rate)


def conv2d_relu(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """``relu(conv2d(x, kernel, bias, ...))`` as one op, with conv2d's arguments: one graph
    node and one output-sized array fewer each way (the Conv2D layer's ``activation='relu'``).
    """
    return _grouped("conv2d_relu", Conv2DReLU, x, kernel, bias, groups, strides=strides,
                    padding=padding, dilation_rate=dilation_rate)


def conv2d_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1):
    """Transposed 2-D convolution (Keras's Conv2DTranspose): the input gradient of conv2d.

    Args:
        x: (N, H, W, C_in). kernel: (kh, kw, C_out, C_in) (Keras's order). bias: (C_out,).
        padding: 'valid' (output ``H * s + max(k_eff - s, 0)``) or 'same' (``H * s``).
        output_padding: None or int / 2 ints, each < its stride; then the output is
            ``(H - 1) * s + k_eff - 2 * pad + output_padding`` (pad = k_eff // 2 for 'same').
    Returns (N, Ho, Wo, C_out).

    >>> conv2d_transpose(Tensor(np.ones((1, 4, 4, 3))), Tensor(np.ones((3, 3, 8, 3))),
    ...                  strides=2, padding="same").shape
    (1, 8, 8, 8)
    """
    return Conv2DTranspose.apply(*_inputs(x, kernel, bias), strides=strides, padding=padding,
                                 output_padding=output_padding, dilation_rate=dilation_rate)


def conv2d_transpose_relu(x, kernel, bias=None, strides=1, padding="valid", output_padding=None,
                          dilation_rate=1):
    """``relu(conv2d_transpose(x, kernel, bias, ...))`` as one op, with conv2d_transpose's
    arguments: one graph node and no separate ReLU passes over the output, either way."""
    return Conv2DTransposeReLU.apply(*_inputs(x, kernel, bias), strides=strides,
                                     padding=padding, output_padding=output_padding,
                                     dilation_rate=dilation_rate)


def conv1d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """1-D cross-correlation over (N, L, C_in) with kernel (k, C_in / groups, C_out), as
    Keras's Conv1D.

    padding: 'valid', 'same', 'causal' (``(k - 1) * dilation`` zeros on the left only), an int
    or one (before, after) pair. groups: as :func:`conv2d`.
    """
    return _grouped("conv1d", Conv1D, x, kernel, bias, groups, strides=strides,
                    padding=padding, dilation_rate=dilation_rate)


def conv1d_relu(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1):
    """``relu(conv1d(x, kernel, bias, ...))`` as one op, with conv1d's arguments (the Conv1D
    layer's ``activation='relu'``; as :func:`conv2d_relu`)."""
    return _grouped("conv1d_relu", Conv1DReLU, x, kernel, bias, groups, strides=strides,
                    padding=padding, dilation_rate=dilation_rate)
