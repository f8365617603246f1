"""Winograd's F(m x m, 3x3) on the training paths of a 3x3 stride-1 conv2d: the forward, the
input gradient and the kernel gradient (chosen by ``plans.conv2d_winograd``).

The forward is ``_conv_inference``'s (read its docstring first): the padded input cut into
t x t tiles (t = m + 2), ``Y = A^T [sum over c of U_c * V_c] A`` with ``U = G g G^T`` and ``V =
B^T d B``. Training keeps the padded input, laid out on the tiles' grid (whole tiles, zeros
beyond the padding), for the kernel gradient.

* Input gradient. For stride 1, ``dx`` is the correlation of the gradient, zero-padded by
  ``kh - 1 - top`` rows above (``kw - 1 - left`` columns left), with the kernel flipped in
  space and its channel axes swapped: the same 3x3 stride-1 correlation, so the same
  Winograd forward, with O channels in and C out.
* Kernel gradient. ``Y`` is linear in ``U``, so summed over the tiles ``dU = sum V (x) W``
  with ``W = A dY A^T`` (the output gradient of a tile taken back through ``A``; zero where
  the tile runs past the output), i.e. for each of the t*t cells one product ``V_cell^T @
  W_cell`` of (tiles, C) and (tiles, O): long products over the tiles, t*t of them per tile
  instead of 9*m*m; then ``dg = G^T dU G`` (one small product for all (c, o)).

The backward (:func:`backward`) runs both gradients and the bias's in one
``parallel_for`` over the batch (one hand-off per backward); the fused op's ReLU mask is
applied on the way (one pass per thread's part for the input gradient, inside the numba
gradient transform for the kernel's), and the bias gradient is W's cell (1, 1) summed over
the tiles (A's row 1 is all ones): no masked copy of the gradient and no separate sum.

Every sum is the reference's sum in another order; F(2x2, 3x3) rounds like im2col, F(4x4,
3x3) about 10x more (its transforms have coefficients up to 8). The transforms of the
input run as numba kernels when ``lamina.accel`` has them (``_winograd_kernels``), else as
NumPy passes; the gradient's transform ``A dY A^T`` runs as a numba kernel
(``_winograd_grad_kernels``, the NumPy passes' bits) when loaded, else as NumPy passes.
Tested against ``_conv_reference`` in ``tests/autograd/ops/test_conv_winograd_training.py``.
"""

from __future__ import annotations

from lamina import accel
from lamina.autograd.ops import plans
from lamina.autograd.ops._conv_cpu_kernels import _chunks, pad_input
from lamina.autograd.ops._conv_inference import (
    KERNELS,
    TRANSFORMS,
    _combine,
    _compiled,
    input_transform,
    winograd_forward,
)
from lamina.parallel import matmul, parallel_for

#: the numba kernel of the gradient's transform (lamina[fast], see lamina.accel)
GRAD_KERNELS = "lamina.autograd.ops._winograd_grad_kernels"


def grid(out_hw, size):
    """(Hg, Wg): the padded input of whole ``size`` x ``size`` output tiles covering
    ``out_hw`` (a 3x3 window adds 2)."""
    return tuple(size * -(-n // size) + 2 for n in out_hw)


def forward(xp, x, kernel, pads, out, size, finish):
    """``out`` (N, Ho, Wo, O) = the 3x3 stride-1 correlation of ``x`` (N, H, W, C) padded by
    ``pads``, by F(size x size, 3x3); ``finish(lo, hi)`` gives the epilogue of images
    ``lo:hi`` (``_conv_epilogue.epilogue``). Returns the padded input on the tiles' grid, which
    :func:`backward` takes."""
    (top, _), (left, _) = pads
    hg, wg = grid(out.shape[1:3], size)
    xpad = xp.empty((x.shape[0], hg, wg, x.shape[3]), dtype=out.dtype)
    u = kernel_transform(xp, kernel, size)

    def work(lo, hi):
        pad_input(xp, x[lo:hi], ((top, 0), (left, 0)), shape=(hg, wg), out=xpad[lo:hi])
        winograd_forward(xp, xpad[lo:hi], u, out[lo:hi], size, finish(lo, hi))

    parallel_for(work, x.shape[0])
    return xpad


def backward(xp, grad, relu_out, xpad, kernel, pads, x_hw, need, size):
    """``(dx, dkernel, dbias)`` of :func:`forward` (each None unless ``need``, three bools,
    asks for it) for ``grad`` (N, Ho, Wo, O); ``relu_out``: the fused op's output (its mask is
    applied to ``grad`` first), else None. One :func:`lamina.parallel.parallel_for` over the
    batch: each thread masks its part of the gradient once (while it is in the cache) and
    takes it through the input gradient's correlation (:func:`_correlate_back`), the kernel
    gradient's tile sums (:func:`_tile_sums`) and the bias sum; the kernel and bias parts are
    summed after, then the kernel's taken back through G (:func:`_kernel_back`). One
    hand-off to the other thread per backward instead of three or four."""
    need_x, need_k, need_b = need
    n = grad.shape[0]
    u = kernel_transform(xp, kernel, size, flipped=True) if need_x else None
    dx = xp.empty((n, *x_hw, kernel.shape[2]), dtype=grad.dtype) if need_x else None

    def work(lo, hi):
        mask = None if relu_out is None else relu_out[lo:hi]
        if need_x:
            _correlate_back(xp, grad[lo:hi], mask, u, pads, dx[lo:hi], size)
        if need_k or need_b:
            return _tile_sums(xp, xpad[lo:hi], grad[lo:hi], size, mask, need_k, need_b)
        return None, None

    parts = parallel_for(work, n) if any(need) else []
    gk = _kernel_back(xp, _total([p[0] for p in parts]), size) if need_k else None
    gb = _total([p[1] for p in parts]) if need_b else None
    return dx, gk, gb


def _masked(xp, grad, mask, out=None):
    """``grad`` times ReLU's mask ``mask > 0`` (``relu_grad``'s bits) into ``out`` (or a
    new array), or ``grad`` itself when ``mask`` is None."""
    if mask is None:
        return grad
    out = xp.greater(mask, 0, out=xp.empty(grad.shape, dtype=grad.dtype) if out is None
                     else out)
    out *= grad
    return out


def _total(parts):
    total = parts[0]
    for part in parts[1:]:
        total += part
    return total


def kernel_transform(xp, kernel, size, flipped=False):
    """``U`` (t*t, C, O) = ``G g G^T`` of every 3x3 kernel ``g`` of ``kernel`` (3, 3, C, O),
    as ``_conv_inference.winograd_kernel``; ``flipped``: that of the input gradient's kernel,
    flipped in space with its channel axes swapped, as a (t*t, O, C) view. One product
    ``kron(G, G) @ kernel`` (its columns reversed when flipped), the constant cached."""
    _, _, c, o = kernel.shape
    key = (size, xp.dtype(kernel.dtype).str, flipped)
    both = _KRON.get(key)
    if both is None:
        g = xp.asarray(TRANSFORMS[size][1], dtype=xp.float64)
        both = xp.einsum("ai,bj->abij", g, g).reshape((size + 2) ** 2, 9)
        both = _KRON[key] = xp.ascontiguousarray(both[:, ::-1] if flipped else both,
                                                 dtype=kernel.dtype)
    u = matmul(xp, both, xp.ascontiguousarray(kernel).reshape(9, c * o)).reshape(-1, c, o)
    return u.transpose(0, 2, 1) if flipped else u


#: (size, dtype, flipped) -> kron(G, G) (t*t, 9) for :func:`kernel_transform`
_KRON = {}


def _correlate_back(xp, grad, mask, u, pads, dx, size):
    """The input gradient ``dx`` (n, H, W, C) of one part of the batch, for ``pads`` (each
    before-pad at most 2) and ``grad`` (n, Ho, Wo, O) times ReLU's ``mask`` (or None): the
    gradient padded so that it lines up with the input, correlated with the flipped,
    transposed kernel whose transform is ``u`` (Winograd's forward, reading the unpadded
    gradient as padded)."""
    # read as padded (by the numba kernels: the padded gradient is not written)
    winograd_forward(xp, _masked(xp, grad, mask), u, dx, size,
                     pads=(2 - pads[0][0], 2 - pads[1][0]))


def _kernel_back(xp, total, size):
    """The kernel gradient (3, 3, C, O) of the tile sums ``total`` (t*t, C, O): ``G^T dU G``
    (one product, the constant cached)."""
    t, (_, c, o) = size + 2, total.shape
    key = (size, xp.dtype(total.dtype).str, "back")
    back = _KRON.get(key)
    if back is None:
        g = xp.asarray(TRANSFORMS[size][1], dtype=xp.float64)
        back = _KRON[key] = xp.einsum("ai,bj->ijab", g, g).reshape(9, t * t).astype(
            total.dtype)
    return matmul(xp, back, total.reshape(t * t, c * o)).reshape(3, 3, c, o)


def _tile_sums(xp, xpad, grad, size, mask=None, products=True, bias=False):
    """``(dU, db)`` of one part of the batch (``xpad`` at least the padded size, e.g.
    :func:`forward`'s grid; ``grad`` times ReLU's ``mask`` unless None). ``dU`` (t*t, C, O),
    when ``products``: for each cell of the tile, the sum over the tiles of ``V_cell^T @
    W_cell``, chunk by chunk of tiles (``plans.WINOGRAD_GRAD_TILES`` per product at least,
    so the products are long). ``db`` (O,), when ``bias``: the sum of W's cell (1, 1) over
    the tiles, as A's row 1 is all ones (each tile's cell is the sum of its m x m gradient,
    zeros past the output)."""
    bt, _, at = TRANSFORMS[size]
    a = tuple(zip(*at))  # A (t x m): W = A dY A^T
    t = size + 2
    n, ho, wo, o = grad.shape
    c = xpad.shape[3]
    th, tw = -(-ho // size), -(-wo // size)
    hg, wg = size * th + 2, size * tw + 2
    if xpad.shape[1:3] != (hg, wg):  # another grid: the same values on this one
        xpad = pad_input(xp, xpad[:, :hg, :wg], ((0, 0), (0, 0)), shape=(hg, wg))
    fast = accel.kernels(xp, KERNELS, xpad) if products else None
    fast_grad = accel.kernels(xp, GRAD_KERNELS, grad)
    dy = None  # the NumPy path's gradient on whole tiles, (N, th, m, tw, m, O)
    grad_consts = () if fast_grad is None or size == 2 else (fast_grad.constants(grad.dtype),)
    consts = () if fast is None or size == 2 else fast.constants(xpad.dtype, size)
    s0, s1, s2, s3 = xpad.strides
    tiles = xp.lib.stride_tricks.as_strided(
        xpad, (n, th, tw, t, t, c), (s0, size * s1, size * s2, s1, s2, s3), writeable=False)
    wide = t * t * (c + o) * xpad.itemsize
    chunks = _chunks(n, th, tw * wide, max(plans.WINOGRAD_BYTES,
                                           plans.WINOGRAD_GRAD_TILES * wide))
    most = max((n1 - n0) * (h1 - h0) for n0, n1, h0, h1 in chunks) * tw
    v = xp.empty((t, t, most, c), dtype=xpad.dtype)
    w = xp.empty((t, t, most, o), dtype=grad.dtype)
    rows_in = None  # the NumPy path's buffer for B^T along the rows
    rows = xp.empty((t, most, size, o), dtype=grad.dtype)
    scratch = xp.empty(t * most * max(t * c, size * o), dtype=grad.dtype)
    total = xp.zeros((t * t, c, o), dtype=grad.dtype) if products else None
    part = xp.empty_like(total) if products else None
    db = xp.zeros(o, dtype=grad.dtype) if bias else None
    ones = xp.ones(most, dtype=grad.dtype) if bias else None
    for n0, n1, h0, h1 in chunks:
        nn, hh = n1 - n0, h1 - h0
        k = nn * hh * tw
        vk, wk = v[:, :, :k], w[:, :, :k]
        if products and fast is not None:
            fast = _compiled(fast, f"input_{size}x{size}", xpad, n0, h0, nn, hh, tw, vk,
                             *consts[:1])
        if products and fast is None:  # V = B^T d B: along the tile's rows, then its columns
            if rows_in is None:
                rows_in = xp.empty((t, most, t, c), dtype=xpad.dtype)
            input_transform(xp, bt, tiles[n0:n1, h0:h1], rows_in, vk, scratch)
        # W = A dY A^T: along the tile's rows (dY's rows i), then its columns
        if fast_grad is not None:
            fast_grad = _grad_kernel(fast_grad, f"grad_{size}x{size}", grad, n0, h0, nn, hh,
                                     tw, wk, *grad_consts,
                                     grad if mask is None else mask, mask is not None)
        if fast_grad is None:
            if dy is None:
                dy = pad_input(xp, _masked(xp, grad, mask), ((0, 0), (0, 0)),
                               shape=(size * th, size * tw)).reshape(n, th, size, tw, size, o)
            _grad_transform(xp, a, dy[n0:n1, h0:h1], rows[:, :k], wk, scratch)
        if products:
            xp.matmul(vk.reshape(t * t, k, c).transpose(0, 2, 1), wk.reshape(t * t, k, o),
                      out=part)
            total += part
        if bias:
            db += ones[:k] @ wk[1, 1]
    return total, db


def _grad_transform(xp, a, d, rows, wk, scratch):
    """``wk`` (t, t, k, O) = ``A dY A^T`` of the tiles ``d`` (nn, hh, m, tw, m, O) by NumPy
    passes (``_combine``): along the tiles' rows into ``rows`` (t, k, m, O), then along
    their columns."""
    nn, hh, size, tw, _, o = d.shape
    t, k = len(a), nn * hh * tw
    _combine(xp, a, [d[:, :, i] for i in range(size)],
             list(rows.reshape(t, nn, hh, tw, size, o)),
             scratch[:k * size * o].reshape(nn, hh, tw, size, o))
    _combine(xp, a, [rows[:, :, j] for j in range(size)], [wk[:, j] for j in range(t)],
             scratch[:t * k * o].reshape(t, k, o))


def _grad_kernel(kernels, name, *args):
    """Run the numba gradient transform; returns the module, or None (after a warning, for
    the rest of the process) when numba cannot compile it: the caller then uses NumPy."""
    try:
        getattr(kernels, name)(*args)
        return kernels
    except kernels.COMPILE_ERRORS as error:
        return accel.failed(GRAD_KERNELS, error)
