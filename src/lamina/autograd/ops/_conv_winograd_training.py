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
    winograd_kernel,
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
    :func:`kernel_grad` takes."""
    (top, _), (left, _) = pads
    hg, wg = grid(out.shape[1:3], size)
    xpad = xp.empty((x.shape[0], hg, wg, x.shape[3]), dtype=out.dtype)
    u = winograd_kernel(xp, kernel, size)

    def work(lo, hi):
        pad_input(xp, x[lo:hi], ((top, 0), (left, 0)), shape=(hg, wg), out=xpad[lo:hi])
        winograd_forward(xp, xpad[lo:hi], u, out[lo:hi], size, finish(lo, hi))

    parallel_for(work, x.shape[0])
    return xpad


def input_grad(xp, grad, kernel, pads, x_hw, size):
    """The input gradient (N, H, W, C) of the 3x3 stride-1 conv with ``kernel`` (3, 3, C, O)
    and ``pads`` (each before-pad at most 2) for ``grad`` (N, Ho, Wo, O): the gradient padded
    so that it lines up with the input, correlated with the flipped, transposed kernel."""
    (top, _), (left, _) = pads
    n, c = grad.shape[0], kernel.shape[2]
    flipped = xp.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2))
    u = winograd_kernel(xp, flipped, size)
    dx = xp.empty((n, *x_hw, c), dtype=grad.dtype)

    def work(lo, hi):  # the gradient read as padded (by the numba kernels: not written)
        winograd_forward(xp, grad[lo:hi], u, dx[lo:hi], size, pads=(2 - top, 2 - left))

    parallel_for(work, n)
    return dx


def kernel_grad(xp, xpad, grad, size):
    """The kernel gradient (3, 3, C, O) of the 3x3 stride-1 conv whose padded input is
    ``xpad`` (N, Hp, Wp, C; at least the padded size, e.g. :func:`forward`'s grid), for
    ``grad`` (N, Ho, Wo, O): ``dU = sum over tiles of V (x) (A dY A^T)`` on each thread's part
    of the batch, the parts summed, then ``G^T dU G``."""
    c, o, t = xpad.shape[3], grad.shape[3], size + 2
    parts = parallel_for(lambda lo, hi: _tile_sums(xp, xpad[lo:hi], grad[lo:hi], size),
                         grad.shape[0])
    total = parts[0]
    for part in parts[1:]:
        total += part
    g = xp.asarray(TRANSFORMS[size][1], dtype=xp.float64)
    back = xp.einsum("ai,bj->ijab", g, g).reshape(9, t * t).astype(grad.dtype)
    return matmul(xp, back, total.reshape(t * t, c * o)).reshape(3, 3, c, o)


def _tile_sums(xp, xpad, grad, size):
    """``dU`` (t*t, C, O) of one part of the batch: for each cell of the tile, the sum over
    the tiles of ``V_cell^T @ W_cell``, chunk by chunk of tiles (``plans.WINOGRAD_GRAD_TILES``
    per product at least, so the products are long)."""
    bt, _, at = TRANSFORMS[size]
    a = tuple(zip(*at))  # A (t x m): W = A dY A^T
    t = size + 2
    n, ho, wo, o = grad.shape
    c = xpad.shape[3]
    th, tw = -(-ho // size), -(-wo // size)
    hg, wg = size * th + 2, size * tw + 2
    if xpad.shape[1:3] != (hg, wg):  # another grid: the same values on this one
        xpad = pad_input(xp, xpad[:, :hg, :wg], ((0, 0), (0, 0)), shape=(hg, wg))
    fast = accel.kernels(xp, KERNELS, xpad)
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
    total = xp.zeros((t * t, c, o), dtype=grad.dtype)
    part = xp.empty_like(total)
    for n0, n1, h0, h1 in chunks:
        nn, hh = n1 - n0, h1 - h0
        k = nn * hh * tw
        vk, wk = v[:, :, :k], w[:, :, :k]
        if fast is not None:
            fast = _compiled(fast, f"input_{size}x{size}", xpad, n0, h0, nn, hh, tw, vk,
                             *consts[:1])
        if fast is None:  # V = B^T d B: along the tile's rows, then its columns
            if rows_in is None:
                rows_in = xp.empty((t, most, t, c), dtype=xpad.dtype)
            input_transform(xp, bt, tiles[n0:n1, h0:h1], rows_in, vk, scratch)
        # W = A dY A^T: along the tile's rows (dY's rows i), then its columns
        if fast_grad is not None:
            fast_grad = _grad_kernel(fast_grad, f"grad_{size}x{size}", grad, n0, h0, nn, hh,
                                     tw, wk, *grad_consts)
        if fast_grad is None:
            if dy is None:
                dy = pad_input(xp, grad, ((0, 0), (0, 0)), shape=(size * th, size * tw)
                               ).reshape(n, th, size, tw, size, o)
            _grad_transform(xp, a, dy[n0:n1, h0:h1], rows[:, :k], wk, scratch)
        xp.matmul(vk.reshape(t * t, k, c).transpose(0, 2, 1), wk.reshape(t * t, k, o),
                  out=part)
        total += part
    return total


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
