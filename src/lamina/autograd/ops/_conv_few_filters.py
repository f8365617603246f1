"""The 'few_filters' path of a stride-1 conv2d with a few filters (ESPCN's last convolution,
48 channels to the 4 of a 2x sub-pixel shuffle): forward, input and kernel gradient, chosen by
``plans.conv2d_few_filters``.

im2col copies every window (kh*kw*C values per output pixel) to multiply it by a kernel
matrix of O columns; with O = 4 the copy costs more than the product, and a product four
columns wide runs far below the BLAS's speed. Here no window is copied. On the flattened
padded grid of a chunk of images (column ``q = (n*Hp + y)*Wp + x``), kernel offset ``(i, j)``
is the shift ``off = i*dh*Wp + j*dw``, and with ``K2[(i, j, o), c] = kernel[i, j, c, o]``
((kh*kw*O, C): the kernel with its channel axes swapped)::

    Z = K2 @ xpad^T                       (kh*kw*O, P): every offset's filters, every pixel
    out^T[o, q] = sum over (i, j) of Z[(i, j, o), q + off]        kh*kw adds of (O, L) rows
    S[(i, j, o), q] = g^T[o, q - off]     the output gradient on the grid, shifted per offset
    dK2 = S @ xpad                        (kh*kw*O, C): the kernel gradient
    dxpad = S^T @ K2                      (P, C): the input gradient on the padded grid

Three products of kh*kw*O x C x P multiply-adds (the grid's P pixels, a few more than the
output's), each with C or kh*kw*O on its short side instead of O; the adds and copies touch
O or kh*kw*O values per pixel, not kh*kw*C. Every value is the reference's sum in another
order: the forward sums over the channels in the product, then over the offsets; the kernel
gradient sums over the pixels in one product; the input gradient over (offset, filter) pairs.
Tested against ``_conv_reference`` in ``tests/autograd/ops/test_conv_few_filters.py``.
"""

from __future__ import annotations

from lamina.autograd.ops import plans
from lamina.autograd.ops._conv_cpu_kernels import pad_input, padded_shape
from lamina.parallel import parallel_for


def _swapped(xp, kernel):
    """``K2`` (kh*kw*O, C): ``kernel`` (kh, kw, C, O) with its channel axes swapped."""
    kh, kw, c, o = kernel.shape
    return xp.ascontiguousarray(kernel.transpose(0, 1, 3, 2)).reshape(kh * kw * o, c)


def _offsets(ksize, dilation, wp):
    """The grid shift of each kernel offset ``(i, j)``, in ``K2``'s row order."""
    (kh, kw), (dh, dw) = ksize, dilation
    return [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]


def _images_per_chunk(n, plane, rows):
    """Images per chunk: about ``plans.CHUNK_BYTES`` of (rows, grid) float32 values."""
    return max(1, min(n, plans.CHUNK_BYTES // max(1, 4 * rows * plane)))


def forward(xp, x, kernel, pads, dilation, out, finish):
    """``out`` (N, Ho, Wo, O) = the stride-1 correlation of ``x`` (N, H, W, C) padded by
    ``pads`` with ``kernel`` (kh, kw, C, O), dilated by ``dilation``; ``finish(lo, hi)`` gives
    the epilogue of images ``lo:hi`` (``_conv_epilogue.epilogue``: the bias, ReLU), run on
    each chunk. Returns the padded input (N, Hp, Wp, C), which :func:`backward` takes."""
    kh, kw, c, o = kernel.shape
    n, ho, wo = out.shape[:3]
    xpad = xp.empty(padded_shape(x.shape, pads), dtype=out.dtype)
    hp, wp = xpad.shape[1:3]
    plane = hp * wp
    k2 = _swapped(xp, kernel).astype(out.dtype, copy=False)
    offsets = _offsets((kh, kw), dilation, wp)
    step = _images_per_chunk(n, plane, kh * kw * o + o)

    def work(lo, hi):
        pad_input(xp, x[lo:hi], pads, out=xpad[lo:hi])
        end = finish(lo, hi)
        most = min(step, hi - lo) * plane
        z_buf = xp.empty(kh * kw * o * most, dtype=out.dtype)
        acc_buf = xp.empty(o * most, dtype=out.dtype)
        for n0 in range(lo, hi, step):
            n1 = min(hi, n0 + step)
            p = (n1 - n0) * plane
            z, acc = z_buf[:kh * kw * o * p].reshape(-1, p), acc_buf[:o * p].reshape(o, p)
            length = p - offsets[-1]  # every output pixel's column, and no column past p
            xp.matmul(k2, xpad[n0:n1].reshape(p, c).T, out=z)
            xp.copyto(acc[:, :length], z[:o, offsets[0]:offsets[0] + length])
            for r, off in enumerate(offsets[1:], 1):
                xp.add(acc[:, :length], z[r * o:(r + 1) * o, off:off + length],
                       out=acc[:, :length])
            grid = acc.reshape(o, n1 - n0, hp, wp)[:, :, :ho, :wo]
            xp.copyto(out[n0:n1], grid.transpose(1, 2, 3, 0))
            if end is not None:
                end(out[n0:n1].reshape(-1, o), (n0 - lo) * ho * wo)

    parallel_for(work, n)
    return xpad


def backward(xp, grad, xpad, kernel, k_shape, x_shape, pads, dilation, need, relu_out=None):
    """The gradients ``(dx, dkernel, dbias)`` of :func:`forward` for ``grad`` (N, Ho, Wo, O),
    each None unless ``need`` (three bools) asks for it. ``xpad`` (the padded input,
    :func:`forward`'s) is needed for the kernel gradient and ``kernel`` for the input
    gradient; ``relu_out``, the fused op's output, masks ``grad`` (ReLU's backward)."""
    need_x, need_k, need_b = need
    kh, kw, c, o = k_shape
    n, ho, wo = grad.shape[:3]
    hp, wp = x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1])
    plane = hp * wp
    offsets = _offsets((kh, kw), dilation, wp)
    k2 = _swapped(xp, kernel).astype(grad.dtype, copy=False) if need_x else None
    full = xp.empty((n, hp, wp, c), dtype=grad.dtype) if need_x else None
    step = _images_per_chunk(n, plane, kh * kw * o + o)

    def work(lo, hi):  # one part of the batch per thread; kernel and bias gradients summed
        most = min(step, hi - lo) * plane
        gt_buf = xp.empty(o * most, dtype=grad.dtype)
        s_buf = xp.empty(kh * kw * o * most, dtype=grad.dtype)
        dk = xp.zeros((kh * kw * o, c), dtype=grad.dtype) if need_k else None
        db = xp.zeros(o, dtype=grad.dtype) if need_b else None
        for n0 in range(lo, hi, step):
            n1 = min(hi, n0 + step)
            p = (n1 - n0) * plane
            gt, s = gt_buf[:o * p].reshape(o, p), s_buf[:kh * kw * o * p].reshape(-1, p)
            gt[...] = 0  # zeros off the output pixels
            inner = gt.reshape(o, n1 - n0, hp, wp)[:, :, :ho, :wo]
            g = grad[n0:n1].transpose(3, 0, 1, 2)
            if relu_out is None:
                xp.copyto(inner, g)
            else:
                xp.multiply(g, relu_out[n0:n1].transpose(3, 0, 1, 2) > 0, out=inner)
            if need_b:
                db += gt.sum(axis=1)
            for r, off in enumerate(offsets):
                s[r * o:(r + 1) * o, :off] = 0
                xp.copyto(s[r * o:(r + 1) * o, off:], gt[:, :p - off])
            if need_k:
                dk += s @ xpad[n0:n1, :hp, :wp].reshape(p, c)
            if need_x:
                xp.matmul(s.T, k2, out=full[n0:n1].reshape(p, c))
        return dk, db

    parts = parallel_for(work, n) if need_x or need_k or need_b else []
    gx = gk = gb = None
    if need_x:
        (top, _), (left, _) = pads
        gx = full[:, top:top + x_shape[1], left:left + x_shape[2]]
    if need_k:
        gk = sum(part[0] for part in parts).reshape(kh, kw, o, c).transpose(0, 1, 3, 2)
        gk = xp.ascontiguousarray(gk)
    if need_b:
        gb = sum(part[1] for part in parts)
    return gx, gk, gb
