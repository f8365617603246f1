"""Which fast CPU path each op takes: every choice lamina makes for speed, in one place.

An op's reference implementation says what it computes (``_conv_reference.py``, the
window-offset loops of ``pooling.py``, the formulas of ``lamina/optimizers``); its fast CPU
paths compute the same numbers faster for some shapes. The functions here pick the path from
the sizes alone (and, where it matters, the thread count), never from timing or from what ran
before, so the same call always takes the same path and gives the same bits. Every path is
tested against the reference on random shapes (``tests/autograd/ops/test_conv_paths.py``).

The constants are where measurements put the crossover on the 2-core machines we benchmark
on; the measurements are in ``benchmarks/README.md`` ("Where the fast paths cross over").
"""

from __future__ import annotations

from lamina.parallel import MATMUL_SPLIT_MIN

#: a convolution whose input has fewer channels than this copies its columns transposed
#: (one long copy per kernel offset reading whole image rows), not row by row
SMALL_C = 4
#: from this many input channels a stride-1 backward runs as two im2col products
BIG_C = 32
#: ... and so does one with at most this many output channels
SMALL_O = 16
#: bytes of im2col columns per chunk: the copy and the product that reads it stay in cache
CHUNK_BYTES = 1 << 20
#: output pixels per chunk of the transposed column copy (few, large NumPy calls)
SMALL_C_ROWS = 65536
#: padded-input bytes per chunk of the fused stride-1 backward
FUSED_BYTES = 1 << 17
#: input bytes per batch chunk of the pooling loops (their repeated reads hit the cache)
POOL_CHUNK_BYTES = 1 << 20

#: bytes of input (or output) rows per product of the 1x1 inference path: large products
#: run faster than cache-sized ones plus their epilogue in the cache
POINTWISE_BYTES = 16 << 20
#: bytes of transformed tiles per chunk of the Winograd path (``_conv_inference``) ...
WINOGRAD_BYTES = 1 << 20
#: ... but at least this many tiles, so that each of its 16 products reads its (C, O)
#: kernel matrix for enough rows
WINOGRAD_TILES = 128
#: F(4x4, 3x3) for outputs at least this high and wide, else F(2x2, 3x3): on small maps the
#: 4x4 tiles' padding and transforms cost more than their products save
WINOGRAD_4X4_FROM = 16
#: the Winograd path from this many input channels (below, the transforms cost more than
#: the products save)
WINOGRAD_MIN_C = 16
#: tiles per chunk of the Winograd kernel gradient at least: each of its t*t products sums
#: over the chunk's tiles, so long chunks make long products
WINOGRAD_GRAD_TILES = 256
#: training's Winograd paths (``_conv_winograd_training``): F(4x4, 3x3) from outputs this
#: high and wide, else F(2x2, 3x3)
WINOGRAD_TRAIN_4X4_FROM = 6
#: ... and from this many channels in and filters out (training sums over both): at 16 the
#: transforms cost more than the products save (one thread, forward + both gradients, b128:
#: 16->16 on 13x13 12.6 ms against 8.1 without, on 28x28 37.1 against 35.9; 32->32 on
#: 32x32 at b32 19.2 against 29.6; 32->64 on 14x14 31.8 against 37.7)
WINOGRAD_TRAIN_MIN_C = 32
#: Winograd for 3x3 outputs at least this high and wide: a 7x7 map pads to 8x8 (30% more
#: tiles) and few tiles per kernel matrix read; smaller maps take 'one_product'
WINOGRAD_MIN_HW = 8
#: a convolution with at most this many output pixels in the whole batch, fewer than its
#: kernel matrix has rows (kh*kw*C), runs as one product for the batch ('one_product'):
#: ResNet50's 7x7 stage at batch 8, 392 rows (3x3 on 512 channels, one core: 16.0 ms
#: against 17.5 for F(2x2, 3x3); on two threads the kernel matrix is read once, not per part)
ONE_PRODUCT_ROWS = 1024
#: in inference, a few-channel convolution whose kernel row spans at least this many values
#: (kw * C: 21 for ResNet's 7x7 stem on RGB) copies its columns row by row after all: the
#: window's row is one contiguous run. Batch 4 at 224x224, one core: 7x7/2 on 3 channels
#: 12.0 ms against 19.8 transposed, 5x5 on 3 channels 29.4 against 35.2, 3x3 on 3 17 / 18;
#: runs of 3-7 values (1 channel) tie
WIDE_WINDOW_ROW = 8
#: a stride-1 conv1d with at least this many input channels runs as shifted products (one
#: product per kernel offset, K = channels: measured at 64 only, the bound follows SMALL_C)
CONV1D_MIN_C = SMALL_C
#: bytes of (rows, filters) blocks per chunk of the shifted-product conv1d: 5 sequences of
#: 128 x 100 float32 (chunks of 1, 2 and 25 measured no faster on the text CNN)
CONV1D_CHUNK_BYTES = 1 << 18
#: 'few_filters' for a stride-1 conv with at most this many filters (ESPCN's last conv, 48
#: channels to 4) ... One thread, b32, forward + both gradients, against the im2col paths:
#: 48->4 on 16x16 2.2 ms / 2.9, 32->1 on 32x32 3.0 / 6.2, 32->8 on 16x16 2.3 / 3.6, 8->4
#: 0.76 / 1.06; at 16 filters a tie (64->16 on 16x16 7.5 / 7.4, 32->16 on 32x32 18.3 / 17.8)
FEW_FILTERS = 8
#: ... and at least this many input channels (measured down to 8)
FEW_FILTERS_MIN_C = 8

#: elementwise passes over at least this many elements are cut over lamina's threads
ROWS_SPLIT_ELEMENTS = 1 << 16

#: the conv2d forward paths (``_conv_cpu_kernels``)
CONV_FORWARD = ("column_chunks", "transposed_columns")
#: the conv2d forward paths taken when no gradient is recorded (``_conv_inference``; the two
#: Winograd ones serve training too, see ``CONV_TRAINING_WINOGRAD``)
CONV_INFERENCE = ("winograd_2x2", "winograd_4x4", "pointwise", "one_product")
#: the conv2d backward paths (``_conv_cpu_kernels``)
CONV_BACKWARD = ("im2col_col2im", "stride1_fused", "stride1_products", "small_c_kernel_grad")
#: the 3x3 stride-1 forward and backward paths of training (``_conv_winograd_training``)
CONV_TRAINING_WINOGRAD = ("winograd_2x2", "winograd_4x4")
#: the stride-1 conv2d path for few filters, forward and backward (``_conv_few_filters``)
CONV_FEW_FILTERS = ("few_filters",)
#: the conv1d paths: its own (``_conv1d_cpu``), or conv2d's on a height-1 image
CONV1D = ("shifted_products", "as_conv2d")
#: how getitem's backward scatters the rows of a lookup (``_scatter``)
SCATTER_ROWS = ("add_at", "flat_add_at")
#: the conv2d_transpose paths, forward and backward (``_conv_cpu_kernels``)
CONV_TRANSPOSE = ("col2im", "tiles")
#: batch norm in training: the NumPy reference (``normalization``) or the numba kernels of
#: ``_batch_norm_cpu`` (channels last, lamina[fast])
BATCH_NORM = ("reference", "channels_last")


def conv2d_forward(channels: int) -> str:
    """``'transposed_columns'`` for inputs with few channels (e.g. images: C = 1 or 3), where
    a row of the im2col matrix is too short to copy at speed; else ``'column_chunks'``."""
    return "transposed_columns" if channels < SMALL_C else "column_chunks"


def conv2d_inference(channels: int, ksize, strides, dilation, padded: bool, out_hw=(0, 0),
                     batch: int = 1) -> str:
    """The forward path of a conv2d that records no gradient (``predict``, ``evaluate``):

    * ``'winograd_4x4'`` / ``'winograd_2x2'``: 3x3, stride 1, no dilation, at least
      ``WINOGRAD_MIN_C`` channels, outputs from ``WINOGRAD_MIN_HW`` pixels high and wide:
      Winograd's F(4x4, 3x3) (4x fewer multiply-adds than im2col) for outputs from
      ``WINOGRAD_4X4_FROM`` pixels, else F(2x2, 3x3) (2.25x fewer);
    * ``'one_product'``: the ``batch``'s output pixels are at most ``ONE_PRODUCT_ROWS`` and
      fewer than the kernel matrix's rows: im2col of the whole batch, one product;
    * ``'pointwise'``: 1x1 kernels without padding (the input is the im2col matrix);
    * ``'column_chunks'`` for a few-channel input whose kernel rows are ``WIDE_WINDOW_ROW``
      values or longer (the stem of an RGB network);
    * else :func:`conv2d_forward`'s path.
    """
    one = tuple(dilation) == (1, 1)
    if tuple(ksize) == (3, 3) and tuple(strides) == (1, 1) and one and \
            channels >= WINOGRAD_MIN_C and min(out_hw) >= WINOGRAD_MIN_HW:
        return "winograd_4x4" if min(out_hw) >= WINOGRAD_4X4_FROM else "winograd_2x2"
    rows = batch * out_hw[0] * out_hw[1]
    if 0 < rows <= ONE_PRODUCT_ROWS and rows < ksize[0] * ksize[1] * channels:
        return "one_product"
    if tuple(ksize) == (1, 1) and not padded:
        return "pointwise"
    if ksize[1] * channels >= WIDE_WINDOW_ROW:
        return "column_chunks"
    return conv2d_forward(channels)


def conv2d_winograd(channels: int, filters: int, ksize, strides, dilation, pads,
                    out_hw) -> str | None:
    """The Winograd path of a conv2d that records its gradient (training), or None: 3x3,
    stride 1, no dilation, before-pads of at most 2 (the input gradient is then the same
    correlation), at least ``WINOGRAD_TRAIN_MIN_C`` channels in and filters out (both are the
    channels a product sums over, forward and backward). ``'winograd_4x4'`` for outputs from
    ``WINOGRAD_TRAIN_4X4_FROM`` pixels high and wide, else ``'winograd_2x2'``. The forward,
    the input gradient and the kernel gradient then all take it."""
    if (tuple(ksize) != (3, 3) or tuple(strides) != (1, 1) or tuple(dilation) != (1, 1)
            or min(channels, filters) < WINOGRAD_TRAIN_MIN_C or pads[0][0] > 2
            or pads[1][0] > 2):
        return None
    return "winograd_4x4" if min(out_hw) >= WINOGRAD_TRAIN_4X4_FROM else "winograd_2x2"


def conv2d_few_filters(channels: int, filters: int, ksize, strides) -> str | None:
    """``'few_filters'`` (``_conv_few_filters``) for a stride-1 conv with at most
    ``FEW_FILTERS`` filters and at least ``FEW_FILTERS_MIN_C`` input channels and a kernel
    larger than 1x1, in training (forward and both gradients), else None. im2col copies
    kh*kw*C values per output pixel for a product only O columns wide; this path's products
    are kh*kw*O rows by C, and it copies kh*kw*O values per pixel."""
    if (tuple(strides) != (1, 1) or filters > FEW_FILTERS or channels < FEW_FILTERS_MIN_C
            or ksize[0] * ksize[1] == 1):
        return None
    return "few_filters"


def conv2d_backward(channels: int, filters: int, strides, need_input: bool,
                    need_kernel: bool) -> str:
    """The backward path of a conv2d with ``channels`` in and ``filters`` out (when
    :func:`conv2d_winograd` gives none).

    * ``'small_c_kernel_grad'``: only the kernel gradient of a few-channel input (the first
      layer on images): transposed columns times the gradient;
    * ``'stride1_products'``: stride 1 with many input channels or few filters: the kernel
      gradient ``cols.T @ g`` and the input gradient as a convolution of the padded gradient
      with the flipped kernel;
    * ``'stride1_fused'``: other stride-1 convs: both gradients in one pass over the
      flattened padded grid, where a kernel offset is a row shift (no im2col copy);
    * ``'im2col_col2im'``: strided convs: ``cols.T @ g`` and col2im of ``g @ K.T``.
    """
    if need_kernel and not need_input and channels < SMALL_C:
        return "small_c_kernel_grad"
    if tuple(strides) != (1, 1):
        return "im2col_col2im"
    if channels >= BIG_C or filters <= SMALL_O:
        return "stride1_products"
    return "stride1_fused"


def conv2d_transpose(x_hw, ksize, padded_hw, strides, dilation) -> str:
    """``'tiles'`` when the windows of a conv2d_transpose tile its output (kernel size ==
    strides, no dilation, no extra rows from output_padding; U-Net's 2x2 stride-2 up-sampling):
    one wide product and one copy; else ``'col2im'`` (``kh*kw`` narrow products and adds)."""
    tiled = (tuple(ksize) == tuple(strides) and tuple(dilation) == (1, 1)
             and tuple(padded_hw) == (x_hw[0] * ksize[0], x_hw[1] * ksize[1]))
    return "tiles" if tiled else "col2im"


def linear_backward(m: int, k: int, n: int, threads: int) -> str:
    """How a linear op's two backward products, ``dx = g @ K.T`` and ``dK = x.T @ g`` (x
    ``(m, k)``, K ``(k, n)``; the same ``m*k*n`` multiply-adds each), run when both are
    needed:

    * ``'pair'`` (2 threads, products of at least ``MATMUL_SPLIT_MIN`` multiply-adds): one
      product on each thread, each a whole BLAS call: one hand-off instead of two, and the
      bits of one thread;
    * ``'each'``: one after the other, each cut over the threads by :func:`lamina.parallel.matmul`.
    """
    return "pair" if threads == 2 and m * k * n >= MATMUL_SPLIT_MIN else "each"


def conv1d(stride: int, channels: int) -> str:
    """``'shifted_products'`` for stride 1 with ``CONV1D_MIN_C`` input channels or more: the
    sequence is flattened over the batch and each kernel offset is one product on shifted
    rows, no im2col copy; else ``'as_conv2d'`` (strided windows, or rows too narrow for a
    product per offset: conv2d's paths above on a height-1 image)."""
    return "shifted_products" if stride == 1 and channels >= CONV1D_MIN_C else "as_conv2d"


def scatter_rows(row_size: int) -> str:
    """How getitem's backward adds the gradients of looked-up rows into the table
    (``_scatter.py``): ``'flat_add_at'`` (one index per element) for rows of more than one
    element, where it measured 2-3x faster with the same bits; else ``'add_at'``."""
    return "flat_add_at" if row_size > 1 else "add_at"


def batch_norm(inner: int) -> str:
    """How batch norm (and ``batch_norm_relu``) trains: ``'channels_last'`` when the channel
    axis is the last one (``inner``, the size of the axes after it, is 1: a (rows, C) array,
    one pass per sum and one for the output); else ``'reference'``. The kernels need
    lamina[fast]; without numba the reference runs."""
    return "channels_last" if inner == 1 else "reference"


def split_rows(size: int) -> bool:
    """Whether an elementwise pass over ``size`` elements is cut over lamina's threads
    (``_rows.py``): below ``ROWS_SPLIT_ELEMENTS`` a thread hand-off costs more than the pass."""
    return size >= ROWS_SPLIT_ELEMENTS


def pool_batch_chunk(n: int, h: int, w: int, c: int, itemsize: int) -> int:
    """Images per batch chunk of a pooling loop: about ``POOL_CHUNK_BYTES`` of input."""
    return min(n, max(1, POOL_CHUNK_BYTES // max(1, h * w * c * itemsize)))
