"""Depthwise convolution (Keras's ``DepthwiseConv2D``): each input channel correlated with
its own ``depth_multiplier`` filters, channels never mixed.

With the padded input ``xpad`` (N, Hp, Wp, C) and the kernel (kh, kw, C, M)::

    out[n, y, x, c*M + m] = sum_{i, j} xpad[n, y*sh + i*dh, x*sw + j*dw, c] * K[i, j, c, m]
                            + bias[c*M + m]

It is a loop over the kh*kw kernel offsets (Chainer's im2col loop, without the columns):
each offset adds one strided slice of the input times one (C, M) slice of the kernel.
Backward runs the same loop: ``dK[i, j] = sum slice * g`` and ``dx`` adds ``g * K[i, j]``
back into the same slice. The reference is conv2d with a block-diagonal kernel
(tests/autograd/ops/test_depthwise_conv.py).
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops._spatial import (
    check_strides_and_dilation,
    expect_ndim,
    normalize_tuple,
    output_length,
    resolve_padding,
)

__all__ = ["depthwise_conv2d"]


def _window(offset, dilation, stride, count):
    """The input positions offset ``offset`` reads for ``count`` outputs, as a slice."""
    start = offset * dilation
    return slice(start, start + (count - 1) * stride + 1, stride)


class DepthwiseConv2D(Function):
    """``x`` (N, H, W, C) with ``kernel`` (kh, kw, C, M), plus ``bias`` (C*M,)."""

    name = "depthwise_conv2d"

    def forward(self, x, kernel, *bias, strides, padding, dilation_rate):
        op, xp = self.name, self.xp
        expect_ndim(x, 4, op, "N, H, W, C")
        if kernel.ndim != 4 or kernel.shape[2] != x.shape[-1]:
            raise ValueError(f"{op}: expected a kernel (kh, kw, C={x.shape[-1]}, "
                             f"depth_multiplier) for an input of shape {tuple(x.shape)}; "
                             f"received kernel shape {tuple(kernel.shape)}")
        kh, kw, c, m = kernel.shape
        if bias and tuple(bias[0].shape) != (c * m,):
            raise ValueError(f"{op}: bias must have shape ({c * m},), one value per output "
                             f"channel; received bias shape {tuple(bias[0].shape)}")
        dtype = xp.result_type(x, kernel, *bias)
        x, kernel = x.astype(dtype, copy=False), kernel.astype(dtype, copy=False)
        strides = normalize_tuple(strides, 2, "strides", op)
        dilation = normalize_tuple(dilation_rate, 2, "dilation_rate", op)
        check_strides_and_dilation(strides, dilation, op)
        pads = resolve_padding(padding, x.shape[1:3], (kh, kw), strides, dilation, op)
        ho, wo = (output_length(n, k, s, p, d, op, axis) for n, k, s, p, d, axis in zip(
            x.shape[1:3], (kh, kw), strides, pads, dilation, ("height", "width")))
        n = x.shape[0]
        xpad = xp.pad(x, ((0, 0), pads[0], pads[1], (0, 0))) if any(map(any, pads)) else x
        out = xp.zeros((n, ho, wo, c, m), dtype=dtype)
        for i in range(kh):
            rows = _window(i, dilation[0], strides[0], ho)
            for j in range(kw):
                cols = _window(j, dilation[1], strides[1], wo)
                out += xpad[:, rows, cols, :, None] * kernel[i, j]
        out = out.reshape(n, ho, wo, c * m)
        if bias:
            out += bias[0].astype(dtype, copy=False)
        self.args = (strides, dilation, pads, x.shape, kernel.shape, (ho, wo), bool(bias))
        if self.recording:
            need_x, need_k = self.needs_input_grad[:2]
            self.save_for_backward(xpad if need_k else None, kernel if need_x else None)
        return out

    def backward(self, grad):
        xp = self.xp
        strides, dilation, pads, (n, h, w, c), (kh, kw, _, m), (ho, wo), has_bias = self.args
        xpad, kernel = self.saved
        need_x, need_k = self.needs_input_grad[:2]
        g = grad.reshape(n, ho, wo, c, m)
        gk = xp.zeros((kh, kw, c, m), dtype=g.dtype) if need_k else None
        gxpad = (xp.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=g.dtype)
                 if need_x else None)
        for i in range(kh):
            rows = _window(i, dilation[0], strides[0], ho)
            for j in range(kw):
                cols = _window(j, dilation[1], strides[1], wo)
                if need_k:  # the slice this offset read, times the gradient, summed
                    gk[i, j] = xp.einsum("nyxc,nyxcm->cm", xpad[:, rows, cols, :], g)
                if need_x:  # the same slice receives g times this offset's weights
                    gxpad[:, rows, cols, :] += xp.einsum("nyxcm,cm->nyxc", g, kernel[i, j])
        gx = None
        if need_x:
            gx = gxpad[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w, :]
        if not has_bias:
            return gx, gk
        gb = grad.reshape(-1, c * m).sum(axis=0) if self.needs_input_grad[2] else None
        return gx, gk, gb


def depthwise_conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """Depthwise 2-D convolution, channels_last.

    Args:
        x: (N, H, W, C) images.
        kernel: (kh, kw, C, depth_multiplier) filters, one set per input channel.
        bias: optional (C * depth_multiplier,).
        strides, dilation_rate: an int or a pair; padding: ``'valid'`` or ``'same'``.
    Returns (N, H_out, W_out, C * depth_multiplier): output channel ``c*M + m`` is input
    channel ``c`` with its filter ``m``, Keras's order.

    >>> import numpy as np
    >>> depthwise_conv2d(np.ones((1, 3, 3, 2)), np.ones((2, 2, 2, 1))).shape
    (1, 2, 2, 2)
    """
    args = (x, kernel) if bias is None else (x, kernel, bias)
    return DepthwiseConv2D.apply(*args, strides=strides, padding=padding,
                                 dilation_rate=dilation_rate)
