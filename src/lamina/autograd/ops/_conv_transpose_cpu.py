"""The fast CPU paths of conv2d_transpose (Keras's Conv2DTranspose): the batch cut over
lamina's threads, each part run by the kernel ``plans.conv2d_transpose`` picks
(``_conv_cpu_kernels.py``).

Each function computes what its namesake in ``_conv_reference.py`` computes, and is tested
against it for every path (``tests/autograd/ops/test_conv_transpose_paths.py``). The ``path``
arguments exist for those tests; callers leave them to the plan.
"""

from __future__ import annotations

from lamina.autograd.ops import plans
from lamina.autograd.ops._conv_cpu_kernels import (
    bias_grad,
    col2im,
    conv_forward,
    conv_kernel_grad,
    pad_input,
    tile_transpose_backward,
    tile_transpose_forward,
)
from lamina.autograd.ops.activation import relu_grad
from lamina.parallel import parallel_for


def conv2d_transpose_forward(xp, x, kernel, bias, crop, padded_hw, strides, dilation,
                             path=None, relu=False):
    """Keras's Conv2DTranspose: col2im of ``x @ K.T`` cropped to ``crop``, plus ``bias``,
    clipped at 0 when ``relu`` (the fused op: on the 'tiles' path each thread clips its part
    of the batch right after writing it); ``path`` is one of ``plans.CONV_TRANSPOSE``
    (default: ``plans.conv2d_transpose``'s)."""
    (top, h), (left, w) = crop
    path = path or plans.conv2d_transpose(x.shape[1:3], kernel.shape[:2], padded_hw, strides,
                                          dilation)
    if path == "tiles":
        full = xp.empty((x.shape[0], *padded_hw, kernel.shape[2]), dtype=x.dtype)

        def work(lo, hi):  # one part of the batch per thread
            tile_transpose_forward(xp, x[lo:hi], kernel, bias, full[lo:hi])
            if relu:
                xp.maximum(full[lo:hi], 0, out=full[lo:hi])

        parallel_for(work, x.shape[0])
        if (top, left, h, w) == (0, 0, *padded_hw):
            return full
        return xp.ascontiguousarray(full[:, top:top + h, left:left + w])
    full = col2im(xp, x, kernel, padded_hw, strides, dilation)
    out = full[:, top:top + h, left:left + w]
    out = out + bias if bias is not None else xp.ascontiguousarray(out)
    return xp.maximum(out, 0, out=out) if relu else out


def conv2d_transpose_backward(xp, grad, x, kernel, x_hw, k_shape, crop, padded_hw, strides,
                              dilation, need, path=None, relu_out=None):
    """The gradients ``(dx, dkernel, dbias)`` of :func:`conv2d_transpose_forward`: the grad
    put back on the uncropped grid, then a conv2d forward (dx) and the kernel-gradient
    product. ``x`` is needed for the kernel gradient, ``kernel`` for the input gradient;
    ``relu_out`` is the fused op's output (its mask is applied to ``grad`` first: on the
    'tiles' path by each thread on its part of the batch)."""
    need_x, need_k, need_b = need
    (top, _), (left, _) = crop
    gx = gk = gb = None
    path = path or plans.conv2d_transpose(x_hw, k_shape[:2], padded_hw, strides, dilation)
    if path == "tiles" and (need_x or need_k):
        n = grad.shape[0]
        gx = xp.empty((n, *x_hw, k_shape[3]), dtype=grad.dtype) if need_x else None

        def work(lo, hi):  # one part of the batch per thread; the kernel gradients are summed
            g = grad[lo:hi] if relu_out is None else relu_grad(xp, grad[lo:hi], relu_out[lo:hi])
            gpad = pad_input(xp, g, ((top, 0), (left, 0)), shape=padded_hw)
            dx, dk = tile_transpose_backward(xp, gpad, x[lo:hi] if need_k else None,
                                             kernel, x_hw, k_shape, need_x, need_k)
            if need_x:
                gx[lo:hi] = dx
            return dk, (bias_grad(xp, g) if need_b else None)

        parts = parallel_for(work, n)
        gk = xp.ascontiguousarray(sum(p[0] for p in parts)) if need_k else None
        gb = sum(p[1] for p in parts) if need_b else None
        return gx, gk, gb
    if relu_out is not None:
        grad = relu_grad(xp, grad, relu_out)
    gpad = pad_input(xp, grad, ((top, 0), (left, 0)), shape=padded_hw)
    if need_x:
        w2 = kernel.reshape(-1, k_shape[3])
        gx = conv_forward(xp, gpad, w2, x_hw, k_shape[:2], strides, dilation)
    if need_k:
        gw, _ = conv_kernel_grad(xp, gpad, x, k_shape[:2], strides, dilation, False)
        gk = gw.reshape(k_shape)
    if need_b:
        gb = bias_grad(xp, grad)
    return gx, gk, gb

