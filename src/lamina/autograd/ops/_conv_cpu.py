"""The fast CPU paths of the convolution ops: the batch cut over lamina's threads, each part
run by the kernel ``plans.py`` picks (``_conv_cpu_kernels.py``).

Each function computes what its namesake in ``_conv_reference.py`` computes, and is tested
against it for every path (``tests/autograd/ops/test_conv_paths.py``). The ``path`` arguments
exist for those tests; callers leave them to the plan.
"""

from __future__ import annotations

from lamina.autograd.ops import _conv_few_filters as few_filters
from lamina.autograd.ops import _conv_winograd_training as winograd_training
from lamina.autograd.ops import plans
from lamina.autograd.ops._conv_cpu_kernels import (
    bias_grad,
    col2im,
    conv_forward,
    conv_kernel_grad,
    pad_input,
    padded_shape,
    small_c_kernel_grad,
    stride1_backward,
    stride1_input_grad,
)
from lamina.autograd.ops._conv_epilogue import epilogue
from lamina.autograd.ops._conv_inference import (
    one_product_forward,
    pointwise_forward,
    winograd_forward,
    winograd_kernel,
)
from lamina.autograd.ops.activation import relu_grad
from lamina.parallel import parallel_for


def conv2d_forward(xp, x, kernel, bias, pads, strides, dilation, out_hw, relu=False,
                   path=None, inference=False, scale=None, shift=None, residual=None):
    """``x`` (N, H, W, C) correlated with ``kernel`` (kh, kw, C, O) plus ``bias`` (or None),
    clipped at 0 when ``relu`` (the fused op). Returns ``(out, xpad)``: the padded input is
    what the backward needs.

    ``inference``: no gradient will be asked for, so ``plans.conv2d_inference`` may pick a
    path of ``_conv_inference`` (then ``xpad`` is None). Else ``plans.conv2d_winograd`` may
    pick a path of ``_conv_winograd_training`` (then ``xpad`` is on its tiles' grid).
    ``scale``, ``shift`` (O,) and ``residual`` (N, Ho, Wo, O) make the epilogue of a fused
    op, run on each chunk of the output while it is in the cache:
    ``relu(scale * (conv + bias) + shift + residual)``.
    """
    kh, kw, c, o = kernel.shape
    needs_pad = any(p for pair in pads for p in pair)
    out = xp.empty((x.shape[0], *out_hw, o), dtype=xp.result_type(x, kernel))
    if path is None and inference:
        path = plans.conv2d_inference(c, (kh, kw), strides, dilation, needs_pad, out_hw,
                                      x.shape[0])
    elif path is None:
        path = (plans.conv2d_winograd(c, o, (kh, kw), strides, dilation, pads, out_hw)
                or plans.conv2d_few_filters(c, o, (kh, kw), strides) or plans.conv2d_forward(c))
    if path in plans.CONV_INFERENCE or path in plans.CONV_TRAINING_WINOGRAD \
            or path in plans.CONV_FEW_FILTERS:
        add = bias if bias is None or scale is None else bias * scale
        if shift is not None:
            add = shift if add is None else add + shift
        finish = epilogue(xp, scale, add, residual, relu)
        if path == "one_product":  # the whole batch: the product is cut over the threads
            xpad = pad_input(xp, x, pads) if needs_pad else x
            return one_product_forward(xp, xpad, kernel.reshape(kh * kw * c, o), (kh, kw),
                                       strides, dilation, out, finish(0, x.shape[0])), None
        if path in plans.CONV_FEW_FILTERS:  # kept for training too: backward takes xpad
            return out, few_filters.forward(xp, x, kernel, pads, dilation, out, finish)
        if inference:
            return _inference_forward(xp, x, kernel, pads, strides, out, path, finish), None
        size = int(path[-1])  # 'winograd_2x2', 'winograd_4x4': the output tile
        return out, winograd_training.forward(xp, x, kernel, pads, out, size, finish)
    w = kernel.reshape(kh * kw * c, o)
    if bias is not None:  # the bias as one more row of the weights (a column of ones in cols)
        w = xp.concatenate([w, bias.reshape(1, o)])
    xpad = xp.empty(padded_shape(x.shape, pads), dtype=x.dtype) if needs_pad else x
    finish = epilogue(xp, scale, shift, residual, relu)

    def work(lo, hi):  # one part of the batch per thread
        if needs_pad:
            pad_input(xp, x[lo:hi], pads, out=xpad[lo:hi])
        conv_forward(xp, xpad[lo:hi], w, out_hw, (kh, kw), strides, dilation, out=out[lo:hi],
                     path=path, finish=finish(lo, hi))

    parallel_for(work, x.shape[0])
    return out, xpad


def _inference_forward(xp, x, kernel, pads, strides, out, path, finish):
    """``out`` of a path of ``plans.CONV_INFERENCE``, the batch cut over lamina's threads."""
    kh, kw, c, o = kernel.shape
    if path.startswith("winograd"):
        size = int(path[-1])  # 'winograd_2x2', 'winograd_4x4': the output tile
        u = winograd_kernel(xp, kernel, size)
        (top, _), (left, _) = pads
        grid = tuple(size * -(-n // size) + 2 for n in out.shape[1:3])  # whole tiles
    else:
        w = kernel.reshape(c, o)

    def work(lo, hi):
        if path.startswith("winograd"):
            xpad = pad_input(xp, x[lo:hi], ((top, 0), (left, 0)), shape=grid)
            winograd_forward(xp, xpad, u, out[lo:hi], size, finish(lo, hi))
        else:
            pointwise_forward(xp, x[lo:hi], w, strides, out[lo:hi], finish(lo, hi))

    parallel_for(work, x.shape[0])
    return out


def conv2d_backward(xp, grad, xpad, kernel, k_shape, x_shape, pads, strides, dilation, need,
                    relu_out=None, path=None):
    """The gradients ``(dx, dkernel, dbias)`` of :func:`conv2d_forward`, each None unless
    ``need`` (three bools) asks for it. ``xpad`` (the padded input) is needed for the kernel
    gradient and ``kernel`` for the input gradient; ``relu_out`` is the fused op's output."""
    need_x, need_k, need_b = need
    n, c, o = x_shape[0], k_shape[2], k_shape[3]
    padded = (x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1]))
    path = path or plans.conv2d_winograd(c, o, k_shape[:2], strides, dilation, pads,
                                         grad.shape[1:3]) or plans.conv2d_few_filters(
        c, o, k_shape[:2], strides) or plans.conv2d_backward(c, o, strides, need_x, need_k)
    if path in plans.CONV_TRAINING_WINOGRAD:
        return _winograd_backward(xp, grad, xpad, kernel, x_shape, pads, need, relu_out,
                                  int(path[-1]))
    if xpad is not None and xpad.shape[1:3] != padded:  # a Winograd forward's grid
        xpad = xp.ascontiguousarray(xpad[:, :padded[0], :padded[1]])
    if path in plans.CONV_FEW_FILTERS:
        return few_filters.backward(xp, grad, xpad, kernel, k_shape, x_shape, pads, dilation,
                                    need, relu_out)
    full = xp.empty((n, *padded, c), dtype=grad.dtype) if need_x else None

    def work(lo, hi):  # one part of the batch per thread; kernel and bias gradients are summed
        part = None if full is None else full[lo:hi]
        xs = None if xpad is None else xpad[lo:hi]
        mask = None if relu_out is None else relu_out[lo:hi]
        if path == "small_c_kernel_grad":
            return small_c_kernel_grad(xp, xs, grad[lo:hi], k_shape[:2], strides, dilation,
                                       need_b, relu_out=mask)
        if path == "stride1_fused" and (need_x or need_k):  # the mask and bias on the way
            return stride1_backward(xp, xs if need_k else None, grad[lo:hi],
                                    kernel if need_x else None, padded, dilation, dx_out=part,
                                    relu_out=mask, bias=need_b)[1:]
        g = grad[lo:hi] if mask is None else relu_grad(xp, grad[lo:hi], mask)
        if need_x and path == "stride1_products":
            stride1_input_grad(xp, g, kernel, dilation, out=part)
        elif need_x:
            col2im(xp, g, kernel, padded, strides, dilation, out=part)
        if need_k:  # the bias gradient comes out of the same product (a ones column)
            return conv_kernel_grad(xp, xs, g, k_shape[:2], strides, dilation, need_b)
        if need_b:
            return None, bias_grad(xp, g)
        return None, None

    gx = gk = gb = None
    if need_x or need_k or need_b:
        parts = parallel_for(work, n)
        if need_k:
            gk = sum(p[0] for p in parts).reshape(k_shape)
        if need_b:
            gb = sum(p[1] for p in parts)
    if need_x:
        (top, _), (left, _) = pads
        gx = full[:, top:top + x_shape[1], left:left + x_shape[2]]
    return gx, gk, gb


def _winograd_backward(xp, grad, xpad, kernel, x_shape, pads, need, relu_out, size):
    """:func:`conv2d_backward` on a path of ``plans.CONV_TRAINING_WINOGRAD``."""
    return winograd_training.backward(xp, grad, relu_out, xpad, kernel, pads, x_shape[1:3],
                                      need, size)
