"""What a 2-D convolution computes, written for reading: im2col and one matrix product.

This is the reference implementation of the convolution ops in ``conv.py``. It is
backend-neutral (``xp`` is NumPy, or any array module with NumPy's slicing and ``matmul``,
such as CuPy) and it is slow on purpose: one plain copy per kernel offset, one product. The
fast CPU paths in ``_conv_cpu.py`` compute the same numbers and are tested against it.

The lecture's picture (seed 004): lay each output pixel's window out as one row of a matrix,
``cols`` (im2col); the convolution is then a single matrix product with the kernel laid out
as a matrix ``K`` of shape (kh*kw*C, O)::

    cols[(n, y, x), (i, j, c)] = xpad[n, y*sh + i*dh, x*sw + j*dw, c]
    out  = cols @ K + bias                       forward
    dK   = cols.T @ g                            kernel gradient
    db   = sum of g over (n, y, x)               bias gradient
    dx   = col2im(g @ K.T)                       input gradient

col2im is the adjoint of im2col: each row of ``g @ K.T`` is added back onto the window it
came from, so an input pixel shared by several windows collects all their contributions.
A transposed convolution (Keras's Conv2DTranspose) is that input gradient used as a forward.
"""

from __future__ import annotations


def pad(xp, x, pads):
    """``x`` (N, H, W, C) with ``pads = ((top, bottom), (left, right))`` zeros around it."""
    (top, bottom), (left, right) = pads
    n, h, w, c = x.shape
    out = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
    out[:, top:top + h, left:left + w] = x
    return out


def _window_slices(i, j, out_hw, strides, dilation):
    """The rows and columns of the padded input that kernel offset (i, j) reads, one per
    output pixel."""
    (ho, wo), (sh, sw), (dh, dw) = out_hw, strides, dilation
    rows = slice(i * dh, i * dh + (ho - 1) * sh + 1, sh)
    cols = slice(j * dw, j * dw + (wo - 1) * sw + 1, sw)
    return rows, cols


def im2col(xp, xpad, ksize, out_hw, strides, dilation):
    """The (N*Ho*Wo, kh*kw*C) matrix whose rows are the windows of ``xpad`` (N, Hp, Wp, C)."""
    n, c = xpad.shape[0], xpad.shape[3]
    (kh, kw), (ho, wo) = ksize, out_hw
    cols = xp.empty((n, ho, wo, kh, kw, c), dtype=xpad.dtype)
    for i in range(kh):
        for j in range(kw):
            rows, columns = _window_slices(i, j, out_hw, strides, dilation)
            cols[:, :, :, i, j, :] = xpad[:, rows, columns, :]
    return cols.reshape(n * ho * wo, kh * kw * c)


def col2im(xp, cols, padded_shape, ksize, out_hw, strides, dilation):
    """The adjoint of :func:`im2col`: rows of ``cols`` (N*Ho*Wo, kh*kw*C) added back onto their
    windows of a zero array of ``padded_shape`` (N, Hp, Wp, C)."""
    n, _, _, c = padded_shape
    (kh, kw), (ho, wo) = ksize, out_hw
    windows = cols.reshape(n, ho, wo, kh, kw, c)
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            rows, columns = _window_slices(i, j, out_hw, strides, dilation)
            out[:, rows, columns, :] += windows[:, :, :, i, j, :]
    return out


def conv2d_forward(xp, x, kernel, bias, pads, strides, dilation, out_hw):
    """``x`` (N, H, W, C) correlated with ``kernel`` (kh, kw, C, O), plus ``bias`` (O,) or None."""
    kh, kw, c, o = kernel.shape
    cols = im2col(xp, pad(xp, x, pads), (kh, kw), out_hw, strides, dilation)
    out = cols @ kernel.reshape(kh * kw * c, o)
    if bias is not None:
        out = out + bias
    return out.reshape(x.shape[0], *out_hw, o)


def conv2d_backward(xp, grad, x, kernel, pads, strides, dilation):
    """The gradients ``(dx, dkernel, dbias)`` of :func:`conv2d_forward` for ``grad`` (N, Ho,
    Wo, O)."""
    kh, kw, c, o = kernel.shape
    n, ho, wo, _ = grad.shape
    xpad = pad(xp, x, pads)
    cols = im2col(xp, xpad, (kh, kw), (ho, wo), strides, dilation)
    g = grad.reshape(n * ho * wo, o)
    k2 = kernel.reshape(kh * kw * c, o)
    dkernel = (cols.T @ g).reshape(kernel.shape)
    dbias = g.sum(axis=0)
    dxpad = col2im(xp, g @ k2.T, xpad.shape, (kh, kw), (ho, wo), strides, dilation)
    (top, _), (left, _) = pads
    dx = dxpad[:, top:top + x.shape[1], left:left + x.shape[2]]
    return dx, dkernel, dbias


def conv2d_transpose_forward(xp, x, kernel, bias, crop, padded_hw, strides, dilation):
    """Keras's Conv2DTranspose of ``x`` (N, H, W, C_in) with ``kernel`` (kh, kw, C_out, C_in):
    col2im of ``x @ K.T`` onto a (N, Hp, Wp, C_out) grid, cropped to ``crop = ((top, h),
    (left, w))``, plus ``bias``."""
    kh, kw, c_out, c_in = kernel.shape
    n, h, w, _ = x.shape
    rows = x.reshape(n * h * w, c_in) @ kernel.reshape(kh * kw * c_out, c_in).T
    full = col2im(xp, rows, (n, *padded_hw, c_out), (kh, kw), (h, w), strides, dilation)
    (top, height), (left, width) = crop
    out = full[:, top:top + height, left:left + width]
    return out if bias is None else out + bias


def conv2d_transpose_backward(xp, grad, x, kernel, crop, padded_hw, strides, dilation):
    """The gradients ``(dx, dkernel, dbias)`` of :func:`conv2d_transpose_forward`: the grad put
    back on the uncropped grid, then a conv2d forward (dx) and the kernel-gradient product."""
    kh, kw, c_out, c_in = kernel.shape
    n, h, w, _ = x.shape
    (top, height), (left, width) = crop
    gfull = xp.zeros((n, *padded_hw, c_out), dtype=grad.dtype)
    gfull[:, top:top + height, left:left + width] = grad
    cols = im2col(xp, gfull, (kh, kw), (h, w), strides, dilation)  # (N*H*W, kh*kw*C_out)
    k2 = kernel.reshape(kh * kw * c_out, c_in)
    dx = (cols @ k2).reshape(x.shape)
    dkernel = (cols.T @ x.reshape(n * h * w, c_in)).reshape(kernel.shape)
    dbias = grad.reshape(-1, c_out).sum(axis=0)
    return dx, dkernel, dbias
