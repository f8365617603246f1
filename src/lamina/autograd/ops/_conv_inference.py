"""The inference forward paths of conv2d: Winograd's F(m x m, 3x3), and 1x1 as products.

When no gradient is recorded (``predict``, ``evaluate``), a conv2d's forward keeps nothing
for a backward, and ``plans.conv2d_inference`` may send it here instead of im2col. These
paths compute what ``_conv_reference.conv2d_forward`` computes, in another order of the sums
(tested against it, ``tests/autograd/ops/test_conv_inference_paths.py``). Training takes
only the Winograd forward and kernel transform, through ``_conv_winograd_training`` when
``plans.conv2d_winograd`` chooses it; the 1x1 and one-product paths are inference's alone.

* ``'winograd_2x2'`` / ``'winograd_4x4'`` (3x3, stride 1, no dilation; Lavin & Gray 2016,
  "Fast Algorithms for Convolutional Neural Networks"). The padded input is cut into t x t
  tiles (t = m + 2) overlapping by 2; each gives an m x m block of the output as

      Y = A^T [ sum over c of (G g_c G^T) * (B^T d_c B) ] A

  with ``d_c`` the tile of channel c, ``g_c`` the 3x3 kernel of channel c and one filter,
  ``*`` elementwise, and the constant matrices of :data:`TRANSFORMS`. The sum over channels
  is then t*t matrix products (tiles, C) @ (C, O), one per cell of the transformed tile:
  t*t multiply-adds per block and (channel, filter) pair instead of 9*m*m (2.25x fewer for
  m = 2, 4x for m = 4). The transforms are a few adds per value, run over a chunk of tiles
  that stays in the cache (``plans.WINOGRAD_BYTES``): as NumPy passes (:func:`_combine`), or
  with numba as one compiled pass each way (``_winograd_kernels``, the same bits).
  F(2x2, 3x3) rounds as im2col does; F(4x4, 3x3) about 10x more (its transforms have
  coefficients up to 8; 2e-6 relative in float32 on random 3x3x512 convolutions).
* ``'pointwise'`` (1x1 kernels, no padding): the input is already im2col's matrix. Stride 1
  is one product per chunk of rows with no copy; a strided 1x1 first copies the pixels it
  reads (a slice) into a buffer (``_chunk_products``, as im2col's chunks).
* ``'one_product'`` (small maps: few output pixels in the whole batch, fewer than the kernel
  matrix has rows): im2col of the whole batch and one product cut over the threads, so the
  kernel matrix is read once (ResNet50's 7x7 stage), not once per thread's part.

Each chunk's result gets the op's epilogue (``finish``: bias, batch norm's scale and
shift, a residual, ReLU; ``_conv_epilogue``) while it is in the cache.
"""

from __future__ import annotations

from lamina import accel
from lamina.autograd.ops import plans
from lamina.autograd.ops._chunk_products import chunk_products
from lamina.autograd.ops._conv_cpu_kernels import _chunks, _patches, pad_input
from lamina.parallel import matmul, parallel_for

#: the numba kernels of the Winograd transforms (lamina[fast], see lamina.accel)
KERNELS = "lamina.autograd.ops._winograd_kernels"

#: F(m x m, 3x3) for output tiles of m = 2 and m = 4 (Lavin & Gray 2016): (B^T, G, A^T)
TRANSFORMS = {
    2: (((1, 0, -1, 0), (0, 1, 1, 0), (0, -1, 1, 0), (0, 1, 0, -1)),
        ((1, 0, 0), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5), (0, 0, 1)),
        ((1, 1, 1, 0), (0, 1, -1, -1))),
    4: (((4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0),
         (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1)),
        ((1 / 4, 0, 0), (-1 / 6, -1 / 6, -1 / 6), (-1 / 6, 1 / 6, -1 / 6),
         (1 / 24, 1 / 12, 1 / 6), (1 / 24, -1 / 12, 1 / 6), (0, 0, 1)),
        ((1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0), (0, 1, 1, 4, 4, 0),
         (0, 1, -1, 8, -8, 1))),
}


def _combine(xp, matrix, src, dst, tmp):
    """``dst[r] = sum over a of matrix[r][a] * src[a]`` for each row of a small constant
    matrix, by whole-array passes (``src``, ``dst``: lists of arrays of one shape; ``tmp``: a
    scratch array of that shape, for coefficients other than +-1)."""
    for r, row in enumerate(matrix):
        terms = [(coef, src[a]) for a, coef in enumerate(row) if coef]
        out = dst[r]
        (c0, a0), rest = terms[0], terms[1:]
        if rest and abs(c0) == 1 and abs(rest[0][0]) == 1:  # +-a0 +-a1 in one pass
            c1, a1 = rest.pop(0)
            if c0 == 1:
                (xp.add if c1 == 1 else xp.subtract)(a0, a1, out=out)
            elif c1 == 1:
                xp.subtract(a1, a0, out=out)
            else:
                xp.add(a0, a1, out=out)
                xp.negative(out, out=out)
        elif c0 == 1:
            xp.copyto(out, a0)
        else:
            xp.multiply(a0, out.dtype.type(c0), out=out)
        for coef, a in rest:
            if abs(coef) != 1:
                a = xp.multiply(a, out.dtype.type(abs(coef)), out=tmp)
            (xp.add if coef > 0 else xp.subtract)(out, a, out=out)


def input_transform(xp, bt, d, rows_in, vk, scratch):
    """``vk`` (t, t, k, C) = ``B^T d B`` of the tiles ``d`` (nn, hh, tw, t, t, C; k = nn*hh*tw)
    by NumPy passes (:func:`_combine`): along the tiles' rows into ``rows_in`` (t, >= k, t,
    C), then along their columns; ``scratch``: at least k*t*C values."""
    nn, hh, tw, t, _, c = d.shape
    k = nn * hh * tw
    _combine(xp, bt, [d[..., a, :, :] for a in range(t)],
             list(rows_in[:, :k].reshape(t, nn, hh, tw, t, c)),
             scratch[:k * t * c].reshape(nn, hh, tw, t, c))
    _combine(xp, bt, [rows_in[:, :k, b] for b in range(t)], [vk[:, b] for b in range(t)],
             scratch[:t * k * c].reshape(t, k, c))


def winograd_kernel(xp, kernel, size=2):
    """``U`` (t*t, C, O), t = size + 2: ``G g G^T`` for every (channel, filter) 3x3 kernel
    ``g`` of ``kernel`` (3, 3, C, O), cell ``(a, b)`` of the t x t result at ``U[t*a + b]``.

    One product ``kron(G, G) @ kernel`` seen as (9, C*O), its columns cut over lamina's
    threads (:func:`lamina.parallel.matmul`): ``U[ta + b] = sum over (i, j) of G[a, i] *
    G[b, j] * g[i, j]``."""
    _, _, c, o = kernel.shape
    g = xp.asarray(TRANSFORMS[size][1], dtype=xp.float64)
    both = xp.einsum("ai,bj->abij", g, g).reshape((size + 2) ** 2, 9).astype(kernel.dtype)
    flat = matmul(xp, both, xp.ascontiguousarray(kernel).reshape(9, c * o))
    return flat.reshape((size + 2) ** 2, c, o)


def winograd_forward(xp, xpad, u, out, size=2, finish=None, pads=None):
    """The 3x3 stride-1 correlation of ``xpad`` (N, Hp, Wp, C) with the kernel whose
    :func:`winograd_kernel` is ``u``, into ``out`` (N, Hp - 2, Wp - 2, O), by output tiles of
    ``size`` x ``size``; ``finish(result, start)`` runs on each chunk of output rows as
    :func:`conv_forward`'s does. With numba (``lamina.accel``), the transforms run as one
    compiled pass each (``_winograd_kernels``, the same bits).

    ``pads`` (top, left): ``xpad`` is the input itself, to be read as padded by that many
    rows and columns of zeros before it (and zeros after it, as far as the tiles reach);
    the numba kernels read it so, without writing the padded array, and the NumPy path pads
    it first (``pad_input``)."""
    fast = accel.kernels(xp, KERNELS, xpad)
    consts = () if fast is None or size == 2 else fast.constants(xpad.dtype, size)
    bt, _, at = TRANSFORMS[size]
    t = size + 2
    n, c = xpad.shape[0], xpad.shape[3]
    _, ho, wo, o = out.shape
    th, tw = -(-ho // size), -(-wo // size)
    grid = (size * th + 2, size * tw + 2)
    x, (above, before) = xpad, pads or (0, 0)  # zero rows above, columns before
    tiles = None
    if pads is not None:  # the padded array only for the NumPy path, when it runs
        xpad = None
        if fast is not None:
            x = xp.ascontiguousarray(x)
    elif xpad.shape[1:3] != grid:  # whole tiles: more zero rows / columns
        xpad = x = pad_input(xp, xpad, ((0, 0), (0, 0)), shape=grid)
    if xpad is not None:
        tiles = _tiles(xp, xpad, size)
    even = (ho, wo) == (size * th, size * tw)
    out2 = out.reshape(n * ho * wo, o)
    wide = t * t * max(c, o) * x.itemsize  # bytes per tile of the transformed arrays
    chunks = _chunks(n, th, tw * wide, max(plans.WINOGRAD_BYTES, plans.WINOGRAD_TILES * wide))
    most = max((n1 - n0) * (h1 - h0) for n0, n1, h0, h1 in chunks) * tw
    rows_in = None  # the NumPy path's buffer for B^T along the rows
    v = xp.empty((t, t, most, c), dtype=x.dtype)
    m = xp.empty((t * t, most, o), dtype=out.dtype)
    rows_out = xp.empty((size, t, most, o), dtype=out.dtype)
    scratch = xp.empty(t * most * max(c, o), dtype=out.dtype)
    spare = None  # the NumPy path's whole blocks where the map is not a multiple of size
    for n0, n1, h0, h1 in chunks:
        nn, hh = n1 - n0, h1 - h0
        k = nn * hh * tw
        # V = B^T d B: along the tile's rows, then its columns
        vk = v[:, :, :k]
        if fast is not None and pads is None:
            fast = _compiled(fast, f"input_{size}x{size}", xpad, n0, h0, nn, hh, tw, vk,
                             *consts[:1])
        elif fast is not None:
            fast = _compiled(fast, f"input_{size}x{size}_padded", x, above, before, n0, h0,
                             nn, hh, tw, vk, *consts[:1])
        if fast is None:
            if tiles is None:
                xpad = pad_input(xp, x, ((above, 0), (before, 0)), shape=grid)
                tiles = _tiles(xp, xpad, size)
            if rows_in is None:
                rows_in = xp.empty((t, most, t, c), dtype=x.dtype)
            input_transform(xp, bt, tiles[n0:n1, h0:h1], rows_in, vk, scratch)
        xp.matmul(vk.reshape(t * t, k, c), u, out=m[:, :k])
        # Y = A^T M A into the output rows of the chunk
        top, bottom = size * h0, min(size * h1, ho)
        dest = out[n0:n1, top:bottom]
        m4 = m[:, :k].reshape(t, t, k, o)
        if fast is not None:  # blocks clipped to the map: straight into the output
            fast = _compiled(fast, f"output_{size}x{size}", m4, nn, hh, tw, dest, *consts[1:])
        if fast is None:
            if not even:
                if spare is None:
                    spare = xp.empty((most * size * size, o), dtype=out.dtype)
                dest = spare[:k * size * size].reshape(nn, size * hh, size * tw, o)
            s = rows_out[:, :, :k]
            _combine(xp, at, list(m4), list(s), scratch[:t * k * o].reshape(t, k, o))
            y = dest.reshape(nn, hh, size, tw, size, o).transpose(2, 4, 0, 1, 3, 5)
            _combine(xp, at, [s[:, b].reshape(size, nn, hh, tw, o) for b in range(t)],
                     [y[:, j] for j in range(size)],
                     scratch[:size * k * o].reshape(size, nn, hh, tw, o))
            if not even:
                out[n0:n1, top:bottom] = dest[:, :bottom - top, :wo]
        start = (n0 * ho + top) * wo
        if finish is not None:
            finish(out2[start:start + nn * (bottom - top) * wo], start)
    return out


def _tiles(xp, xpad, size):
    """The t x t tiles (N, th, tw, t, t, C) of ``xpad`` (N, Hp, Wp, C) on the tiles' grid,
    overlapping by 2: a read-only view."""
    n, hp, wp, c = xpad.shape
    s0, s1, s2, s3 = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad, (n, (hp - 2) // size, (wp - 2) // size, size + 2, size + 2, c),
        (s0, size * s1, size * s2, s1, s2, s3), writeable=False)


def _compiled(kernels, name, *args):
    """Run the numba kernel ``name``; returns the module, or None (after a warning, for the
    rest of the process) when numba cannot compile it: the caller then uses NumPy."""
    try:
        getattr(kernels, name)(*args)
        return kernels
    except kernels.COMPILE_ERRORS as error:
        return accel.failed(KERNELS, error)


def pointwise_forward(xp, x, w, strides, out, finish=None):
    """A 1x1 convolution of ``x`` (N, H, W, C) (no padding) with ``w`` (C, O), with
    ``strides``, into ``out`` (N, Ho, Wo, O): one product per chunk of output rows."""
    n, _, _, c = x.shape
    _, ho, wo, o = out.shape
    sh, sw = strides
    out2 = out.reshape(n * ho * wo, o)
    row_bytes = max(c, o) * x.itemsize
    if (sh, sw) == (1, 1):
        x2 = x.reshape(n * ho * wo, c)
        step = max(1, plans.POINTWISE_BYTES // row_bytes)
        for start in range(0, n * ho * wo, step):
            result = out2[start:start + step]
            xp.matmul(x2[start:start + step], w, out=result)
            if finish is not None:
                finish(result, start)
        return out
    picked = x[:, :(ho - 1) * sh + 1:sh, :(wo - 1) * sw + 1:sw]
    chunks = _chunks(n, ho, wo * row_bytes, plans.POINTWISE_BYTES)
    buf = xp.empty((max((n1 - n0) * (h1 - h0) for n0, n1, h0, h1 in chunks) * wo, c),
                   dtype=x.dtype)
    chunk_products(xp, picked, chunks, buf, w, out2, finish)
    return out


def one_product_forward(xp, xpad, w, ksize, strides, dilation, out, finish=None):
    """The correlation of the whole batch ``xpad`` (N, Hp, Wp, C) with ``w`` (kh*kw*C, O)
    into ``out`` (N, Ho, Wo, O) as one product: im2col of every image into one buffer (the
    images cut over lamina's threads), the product cut over them by
    :func:`lamina.parallel.matmul` (by filters when there are fewer rows than filters), then
    ``finish(result, start)`` on the output's rows, cut over the threads too.

    For small maps (ResNet's 7x7 last stage), where a part of the batch per thread reads the
    whole kernel matrix for a few hundred rows and Winograd pads 7 to 8 and reads a kernel
    matrix 16/9 as large: one read of the kernel for all rows."""
    n, ho, wo, o = out.shape
    view = _patches(xp, xpad, ksize, (ho, wo), strides, dilation)
    cols = xp.empty((n, ho, wo, w.shape[0]), dtype=xpad.dtype)

    def copy(lo, hi):
        xp.copyto(cols[lo:hi].reshape(view[lo:hi].shape), view[lo:hi])

    parallel_for(copy, n)
    out2 = out.reshape(n * ho * wo, o)
    matmul(xp, cols.reshape(n * ho * wo, w.shape[0]), w, out=out2)
    if finish is not None:
        parallel_for(lambda lo, hi: finish(out2[lo:hi], lo), n * ho * wo)
    return out
