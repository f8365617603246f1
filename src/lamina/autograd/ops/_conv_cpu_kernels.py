"""The fast CPU kernels behind every convolution (channels_last, 2-D, NumPy).

They compute what ``_conv_reference.py`` computes (im2col, one product, col2im) and are
tested against it; ``plans.py`` says which one runs for a given shape. What makes them fast:

* ``cols`` is an ``as_strided`` view of the padded input (no copy); strides and dilation only
  change the view's steps. It is copied into a reused buffer one batch chunk at a time
  (``plans.CHUNK_BYTES``), so the copy and the product that reads it stay in the CPU cache,
  and each chunk is one BLAS product. Keeping the whole ``cols`` of the forward for the
  backward is slower than recomputing it chunk by chunk, so only the padded input is kept.
* With a bias, the buffer carries an extra column of ones and the weights an extra row
  holding the bias, so the same product adds the bias (forward) and sums the gradient into
  the bias gradient (backward).
* col2im loops over the kh*kw kernel offsets adding strided slices (Chainer's loop), never
  ``np.add.at`` or fancy indexing; with lamina[fast], ``_col2im_kernels.gather`` makes the
  same sums in one pass over the grid (the same bits, no zeroing pass).
* :func:`stride1_backward`: for stride 1, on the flattened padded grid a kernel offset is a
  constant row shift, so each offset's kernel gradient and input gradient are products on
  contiguous slices (no im2col copy, contiguous adds).
* ``relu=`` / ``relu_out=``: the epilogue of the fused op ``conv2d_relu`` (ReLU applied to a
  chunk while it is in the cache; its backward mask applied while the gradient is copied).
"""

from __future__ import annotations

from lamina import accel
from lamina.autograd.ops import plans
from lamina.autograd.ops._chunk_products import chunk_products

#: the numba twin of col2im's add loop (lamina[fast]; the same bits, one pass over the grid)
COL2IM_KERNELS = "lamina.autograd.ops._col2im_kernels"


def pad_input(xp, x, pads, shape=None, out=None):
    """``x`` (N, H, W, C) with ``pads = ((top, bottom), (left, right))`` zeros around it.

    ``shape`` (Hp, Wp) overrides the padded size (bottom/right may then be cut or grown).
    Only the border is zeroed, and ``x`` itself is returned when there is nothing to pad.
    ``out`` is an optional (N, Hp, Wp, C) array to fill.
    """
    (top, bottom), (left, right) = pads
    n, h, w, c = x.shape
    hp, wp = shape if shape is not None else (h + top + bottom, w + left + right)
    if out is None:
        if (top, left) == (0, 0) and (hp, wp) == (h, w):
            return x
        out = xp.empty((n, hp, wp, c), dtype=x.dtype)
    hh, ww = min(h, hp - top), min(w, wp - left)
    out[:, :top] = 0
    out[:, top + hh:] = 0
    out[:, top:top + hh, :left] = 0
    out[:, top:top + hh, left + ww:] = 0
    out[:, top:top + hh, left:left + ww] = x[:, :hh, :ww]
    return out


def padded_shape(x_shape, pads):
    """(N, Hp, Wp, C) of ``x_shape`` padded by ``pads``."""
    (top, bottom), (left, right) = pads
    n, h, w, c = x_shape
    return (n, h + top + bottom, w + left + right, c)


def _patches(xp, xpad, ksize, out_hw, strides, dilation):
    """The im2col view (N, Ho, Wo, kh, kw, C) of ``xpad``: no data is copied."""
    s0, s1, s2, s3 = xpad.strides
    (sh, sw), (dh, dw) = strides, dilation
    shape = (xpad.shape[0], *out_hw, *ksize, xpad.shape[3])
    return xp.lib.stride_tricks.as_strided(
        xpad, shape, (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3), writeable=False)


def _chunks(n, ho, row_bytes, budget=None):
    """(n0, n1, h0, h1) blocks of (image, output row) of about ``budget`` bytes each (default
    ``plans.CHUNK_BYTES``): whole images when one image is smaller than that, else row blocks
    of one image."""
    rows = max(1, (budget or plans.CHUNK_BYTES) // max(row_bytes, 1))
    if rows >= ho:
        step = rows // ho
        return [(a, min(a + step, n), 0, ho) for a in range(0, n, step)]
    return [(a, a + 1, h, min(h + rows, ho)) for a in range(n) for h in range(0, ho, rows)]


def _column_buffer(xp, chunks, wo, width, ones, dtype):
    """A reused (rows, width [+ 1]) buffer for the largest chunk; the last column is 1."""
    rows = max((n1 - n0) * (h1 - h0) for n0, n1, h0, h1 in chunks) * wo
    buf = xp.empty((rows, width + ones), dtype=dtype)
    if ones:
        buf[:, width] = 1
    return buf


def _columns_t(xp, view, n0, n1, ksize, buf):
    """The transposed im2col of images ``n0:n1`` into ``buf`` (kh*kw*C [+1], rows): one copy
    per kernel offset, each reading whole image rows (for few channels)."""
    (kh, kw), c = ksize, view.shape[5]
    rows = (n1 - n0) * view.shape[1] * view.shape[2]
    for i in range(kh):
        for j in range(kw):
            block = buf[(i * kw + j) * c:(i * kw + j + 1) * c, :rows]
            xp.copyto(block.reshape(c, n1 - n0, *view.shape[1:3]),
                      view[n0:n1, :, :, i, j, :].transpose(3, 0, 1, 2))
    return buf[:, :rows]


def conv_forward(xp, xpad, w, out_hw, ksize, strides, dilation, out=None, relu=False,
                 path=None, finish=None):
    """Valid correlation of ``xpad`` (N, Hp, Wp, C) with ``w`` (kh*kw*C [+1], O).

    A ``w`` with one extra row holds the bias (added through a column of ones). With
    ``relu``, each chunk's result is clipped at 0 while it is still in the cache; a
    ``finish(result, start)`` runs instead on each chunk ``result`` (rows ``start:`` of the
    output seen as (N*Ho*Wo, O)), e.g. a fused op's epilogue. ``path`` is one of
    ``plans.CONV_FORWARD`` (default: ``plans.conv2d_forward``'s choice).
    Returns (N, Ho, Wo, O), written into ``out`` when given.
    """
    if relu and finish is None:
        def finish(result, start):
            xp.maximum(result, 0, out=result)
    n, c = xpad.shape[0], xpad.shape[3]
    (ho, wo), width = out_hw, ksize[0] * ksize[1] * c
    ones = w.shape[0] - width
    view = _patches(xp, xpad, ksize, out_hw, strides, dilation)
    if out is None:
        out = xp.empty((n, ho, wo, w.shape[1]), dtype=w.dtype)
    out2 = out.reshape(n * ho * wo, w.shape[1])
    if (path or plans.conv2d_forward(c)) == "transposed_columns":
        step = max(1, plans.SMALL_C_ROWS // (ho * wo))
        buf = xp.empty((w.shape[0], min(step, n) * ho * wo), dtype=xpad.dtype)
        if ones:
            buf[width] = 1
        for n0 in range(0, n, step):
            n1 = min(n, n0 + step)
            cols_t = _columns_t(xp, view, n0, n1, ksize, buf)
            result = out2[n0 * ho * wo:n1 * ho * wo]
            xp.matmul(cols_t.T, w, out=result)
            if finish is not None:
                finish(result, n0 * ho * wo)
        return out
    chunks = _chunks(n, ho, wo * width * xpad.itemsize)
    buf = _column_buffer(xp, chunks, wo, width, ones, xpad.dtype)
    chunk_products(xp, view, chunks, buf, w, out2, finish)
    return out


def bias_grad(xp, grad):
    """The bias gradient (O,) of ``grad`` (..., O): ``ones @ grad`` seen as (rows, O), a
    product, several times faster than ``grad.sum(axis=0)``."""
    g2 = grad.reshape(-1, grad.shape[-1])
    return xp.ones(g2.shape[0], dtype=g2.dtype) @ g2


def conv_kernel_grad(xp, xpad, grad, ksize, strides, dilation, with_bias):
    """``cols.T @ grad``: the kernel gradient (kh*kw*C, O) and, when ``with_bias``, the bias
    gradient (O,) as the last row of the same GEMM (a column of ones in ``cols``)."""
    n, ho, wo, o = grad.shape
    c = xpad.shape[3]
    width = ksize[0] * ksize[1] * c
    view = _patches(xp, xpad, ksize, (ho, wo), strides, dilation)
    g2 = xp.ascontiguousarray(grad).reshape(n * ho * wo, o)
    chunks = _chunks(n, ho, wo * width * xpad.itemsize)
    buf = _column_buffer(xp, chunks, wo, width, int(with_bias), xpad.dtype)
    total = xp.zeros((buf.shape[1], o), dtype=grad.dtype)
    part = xp.empty_like(total)
    for n0, n1, h0, h1 in chunks:
        rows = (n1 - n0) * (h1 - h0) * wo
        xp.copyto(buf[:rows, :width].reshape(view[n0:n1, h0:h1].shape), view[n0:n1, h0:h1])
        start = (n0 * ho + h0) * wo
        xp.matmul(buf[:rows].T, g2[start:start + rows], out=part)
        total += part
    return total[:width], (total[width] if with_bias else None)


def small_c_kernel_grad(xp, xpad, grad, ksize, strides, dilation, with_bias, relu_out=None):
    """:func:`conv_kernel_grad` for inputs with few channels: ``cols_t @ grad`` per chunk of
    images, from the transposed im2col. ``relu_out`` masks the gradient chunk by chunk.
    Returns (dK (kh*kw*C, O), db (O,) or None)."""
    n, ho, wo, o = grad.shape
    width = ksize[0] * ksize[1] * xpad.shape[3]
    view = _patches(xp, xpad, ksize, (ho, wo), strides, dilation)
    g2 = xp.ascontiguousarray(grad).reshape(n * ho * wo, o)
    mask2 = None if relu_out is None else relu_out.reshape(n * ho * wo, o)
    step = max(1, plans.SMALL_C_ROWS // (ho * wo))
    buf = xp.empty((width + int(with_bias), min(step, n) * ho * wo), dtype=xpad.dtype)
    if with_bias:
        buf[width] = 1
    masked = xp.empty((buf.shape[1], o), dtype=grad.dtype) if mask2 is not None else None
    total = xp.zeros((buf.shape[0], o), dtype=grad.dtype)
    for n0 in range(0, n, step):
        n1 = min(n, n0 + step)
        rows = slice(n0 * ho * wo, n1 * ho * wo)
        g = g2[rows]
        if mask2 is not None:
            g = xp.multiply(g, mask2[rows] > 0, out=masked[:g.shape[0]])
        total += _long_product(xp, _columns_t(xp, view, n0, n1, ksize, buf), g)
    return total[:width], (total[width] if with_bias else None)


def _long_product(xp, a, b, blocks=8):
    """``a @ b`` for a short, very long ``a`` (m, K) with rows contiguous and ``b`` (K, n):
    as ``blocks`` products over slices of K (one batched GEMM) and their sum: OpenBLAS runs
    such a batched product faster than the single long one (benchmarks/README.md)."""
    m, k = a.shape
    step = k // blocks
    if step < 1024:
        return a @ b
    kk = step * blocks
    out = (a[:, :kk].reshape(m, blocks, step).transpose(1, 0, 2)
           @ b[:kk].reshape(blocks, step, b.shape[1])).sum(axis=0)
    if kk < k:
        out += a[:, kk:] @ b[kk:]
    return out


def stride1_input_grad(xp, grad, kernel, dilation, out=None):
    """The input gradient of a stride-1 conv as a convolution: the gradient zero-padded by
    the kernel's reach on every side, correlated with the kernel flipped in space and with
    its channel axes swapped. Returns the gradient of the padded input (N, Hp, Wp, C)."""
    n, ho, wo, o = grad.shape
    kh, kw, c, _ = kernel.shape
    (dh, dw) = dilation
    reach = ((kh - 1) * dh, (kw - 1) * dw)
    gpad = pad_input(xp, grad, ((reach[0],) * 2, (reach[1],) * 2))
    flipped = xp.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(-1, c)
    out_hw = (ho + reach[0], wo + reach[1])
    return conv_forward(xp, gpad, flipped, out_hw, (kh, kw), (1, 1), dilation, out=out)


def col2im(xp, grad, kernel, padded_hw, strides, dilation, out=None):
    """Add ``grad @ kernel.T`` back into the windows: the adjoint of :func:`conv_forward`.

    Args:
        grad: (N, Ho, Wo, O); kernel: (kh, kw, C, O); padded_hw: (Hp, Wp) of the result.
        out: optional (N, Hp, Wp, C) array to write into.
    Returns (N, Hp, Wp, C); cells no window covers stay 0.
    """
    n, ho, wo, o = grad.shape
    kh, kw, c, _ = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    # (kh*kw, O, C): one (rows, O) @ (O, C) product per kernel offset, each result contiguous
    kt = xp.ascontiguousarray(kernel.reshape(kh * kw, c, o).transpose(0, 2, 1))
    g2 = xp.ascontiguousarray(grad).reshape(n * ho * wo, o)
    chunks = _chunks(n, ho, wo * kh * kw * c * grad.itemsize)
    # the numba gather writes every cell of whole images (row blocks' windows overlap)
    fast = _col2im_kernel(xp, grad) if chunks[0][2:] == (0, ho) else None
    if out is None:
        out = xp.empty((n, *padded_hw, c), dtype=grad.dtype)
    if fast is None or not out.flags.c_contiguous:
        fast = None
        out[...] = 0
    rows_max = max((n1 - n0) * (h1 - h0) for n0, n1, h0, h1 in chunks) * wo
    buf = xp.empty((kh * kw, rows_max, c), dtype=grad.dtype)
    for n0, n1, h0, h1 in chunks:
        nn, hh = n1 - n0, h1 - h0
        rows, start = nn * hh * wo, (n0 * ho + h0) * wo
        z = buf[:, :rows]
        xp.matmul(g2[start:start + rows], kt, out=z)
        if fast is not None:
            fast.gather(buf, out[n0:n1], ho, wo, kh, kw, sh, sw, dh, dw)
            continue
        for i in range(kh):
            top = h0 * sh + i * dh
            rows_slice = slice(top, top + (hh - 1) * sh + 1, sh)
            for j in range(kw):
                cols_slice = slice(j * dw, j * dw + (wo - 1) * sw + 1, sw)
                out[n0:n1, rows_slice, cols_slice] += z[i * kw + j].reshape(nn, hh, wo, c)
    return out


def _col2im_kernel(xp, grad):
    """The module of :func:`col2im`'s numba gather, compiled for ``grad``'s dtype, or None
    (numba off or missing, or it failed to compile: then with a warning, once)."""
    fast = accel.kernels(xp, COL2IM_KERNELS, grad)
    if fast is None or grad.dtype.char in _COL2IM_READY:
        return fast
    try:
        fast.warm(grad.dtype)
    except fast.COMPILE_ERRORS as error:
        return accel.failed(COL2IM_KERNELS, error)
    _COL2IM_READY.add(grad.dtype.char)
    return fast


_COL2IM_READY = set()  # the dtypes whose gather is compiled


def stride1_backward(xp, xpad, grad, kernel, padded_hw, dilation, dx_out=None, relu_out=None,
                     bias=False):
    """Both gradients of a stride-1 conv in one pass over the batch, with no im2col copy.

    On the flattened padded grid (row ``q = (n*Hp + h)*Wp + w``) kernel offset ``(i, j)`` is a
    constant row shift ``off = i*dh*Wp + j*dw``, so with the gradient ``gp`` placed on that grid
    (zeros where no output pixel is), each offset is a contiguous slice:

        dK[i, j]              = xpad_flat[off:off+L].T @ gp[:L]
        dxpad_flat[off:off+L] += gp[:L] @ kernel[i, j].T

    Args:
        xpad: the padded input (N, Hp, Wp, C), or None when no kernel gradient is wanted.
        kernel: (kh, kw, C, O), or None when no input gradient is wanted.
        dx_out: optional (N, Hp, Wp, C) array for the input gradient.
        relu_out: for a conv fused with ReLU, its output (N, Ho, Wo, O): the gradient is
            masked with ``relu_out > 0`` as it is copied onto the grid (ReLU's backward).
        bias: also return the bias gradient, ``ones @ gp`` per chunk while it is in cache.
    Returns (dxpad (N, Hp, Wp, C) or None, dK (kh, kw, C, O) or None, db (O,) or None).
    """
    need_x, need_k = kernel is not None, xpad is not None
    n, ho, wo, o = grad.shape
    hp, wp = padded_hw
    kh, kw = (hp - ho) // dilation[0] + 1, (wp - wo) // dilation[1] + 1  # Ho = Hp - (kh-1)*dh
    c = kernel.shape[2] if need_x else xpad.shape[3]
    plane = hp * wp
    step = max(1, min(n, plans.FUSED_BYTES // (plane * c * grad.itemsize)))
    xflat = xpad.reshape(n * plane, c) if need_k else None
    gp = xp.zeros((step * plane, o), dtype=grad.dtype)
    gp_inner = gp.reshape(step, hp, wp, o)[:, :ho, :wo]
    dxflat = None
    if need_x:
        dxflat = (xp.empty((n * plane, c), dtype=grad.dtype) if dx_out is None
                  else dx_out.reshape(n * plane, c))
    kt = xp.ascontiguousarray(kernel.transpose(0, 1, 3, 2)) if need_x else None  # (kh,kw,O,C)
    dk = xp.zeros((kh, kw, c, o), dtype=grad.dtype) if need_k else None
    part = xp.empty((c, o), dtype=grad.dtype)
    z = xp.empty((step * plane, c), dtype=grad.dtype)
    db = xp.zeros(o, dtype=grad.dtype) if bias else None
    ones = xp.ones(step * plane, dtype=grad.dtype) if bias else None
    for n0 in range(0, n, step):
        nn = min(step, n - n0)
        rows = nn * plane
        if relu_out is None:
            gp_inner[:nn] = grad[n0:n0 + nn]
        else:
            xp.multiply(grad[n0:n0 + nn], relu_out[n0:n0 + nn] > 0, out=gp_inner[:nn])
        if bias:
            db += ones[:rows] @ gp[:rows]
        x_chunk = xflat[n0 * plane:n0 * plane + rows] if need_k else None
        dx_chunk = dxflat[n0 * plane:n0 * plane + rows] if need_x else None
        for i in range(kh):
            for j in range(kw):
                off = i * dilation[0] * wp + j * dilation[1]
                length = rows - off
                if need_k:
                    xp.matmul(x_chunk[off:].T, gp[:length], out=part)
                    dk[i, j] += part
                if need_x and off == 0:
                    xp.matmul(gp[:rows], kt[0, 0], out=dx_chunk)
                elif need_x:
                    xp.matmul(gp[:length], kt[i, j], out=z[:length])
                    dx_chunk[off:] += z[:length]
    dxpad = dxflat.reshape(n, hp, wp, c) if need_x else None
    return dxpad, dk, db


def tile_transpose_forward(xp, x, kernel, bias, out):
    """conv2d_transpose whose windows tile the output (kernel size == strides, no dilation):
    input pixel ``(y, x)`` alone writes output block ``(y*kh:(y+1)*kh, x*kw:(x+1)*kw)``, so
    col2im's adds become one product ``x @ K`` (K: (C_in, kh*kw*C_out), a wide product, not
    kh*kw narrow ones) and one copy of its blocks into place, with the bias added on the way.

    x: (N, H, W, C_in); kernel: (kh, kw, C_out, C_in); out: (N, H*kh, W*kw, C_out) to fill.
    """
    n, h, w, c_in = x.shape
    kh, kw, c_out, _ = kernel.shape
    kmat = kernel.transpose(3, 0, 1, 2).reshape(c_in, kh * kw * c_out)
    z = (x.reshape(n * h * w, c_in) @ kmat).reshape(n, h, w, kh, kw, c_out)
    blocks = out.reshape(n, h, kh, w, kw, c_out)
    if bias is None:
        xp.copyto(blocks, z.transpose(0, 1, 3, 2, 4, 5))
    else:
        xp.add(z.transpose(0, 1, 3, 2, 4, 5), bias, out=blocks)
    return out


def tile_transpose_backward(xp, grad, x, kernel, x_hw, k_shape, need_x, need_k):
    """The input and kernel gradients of :func:`tile_transpose_forward` for ``grad`` (N, H*kh,
    W*kw, C_out): its blocks as rows ``g`` (N*H*W, kh*kw*C_out), then ``dx = g @ K.T`` and
    ``dK = x.T @ g``. ``x`` is needed for dK and ``kernel`` for dx (else None).
    Returns (dx (N, H, W, C_in) or None, dK (kh, kw, C_out, C_in) or None)."""
    (h, w), (kh, kw, c_out, c_in), n = x_hw, k_shape, grad.shape[0]
    g = xp.ascontiguousarray(grad.reshape(n, h, kh, w, kw, c_out).transpose(0, 1, 3, 2, 4, 5))
    g = g.reshape(n * h * w, kh * kw * c_out)
    dx = dk = None
    if need_x:
        kmat = kernel.transpose(3, 0, 1, 2).reshape(c_in, kh * kw * c_out)
        dx = (g @ kmat.T).reshape(n, h, w, c_in)
    if need_k:
        dk = (x.reshape(n * h * w, c_in).T @ g).reshape(c_in, kh, kw, c_out)
        dk = dk.transpose(1, 2, 3, 0)
    return dx, dk
