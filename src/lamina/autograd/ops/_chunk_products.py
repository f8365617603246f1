"""One product per chunk of output rows, from a copy of the pixels it reads.

Both im2col (``_conv_cpu_kernels.conv_forward``: the window view of the padded input) and
the strided 1x1 convolution of inference (``_conv_inference.pointwise_forward``: the pixels
the stride picks) copy a view of the input into a reused buffer chunk by chunk, so that the
copy and the product reading it stay in the cache, and then finish each chunk's result.
"""

from __future__ import annotations

import math


def chunk_products(xp, view, chunks, buf, w, out2, finish=None):
    """For each chunk ``(n0, n1, h0, h1)`` of (image, output row) of ``view`` (N, Ho, Wo,
    ...): copy ``view[n0:n1, h0:h1]`` into the first columns of ``buf``'s first rows (its
    other columns, e.g. a column of ones for a bias row of ``w``, are left as they are), then
    ``buf[:rows] @ w`` into those rows of ``out2`` (N*Ho*Wo, O), then ``finish(result,
    start)`` on them (``start``: the chunk's first row of ``out2``)."""
    ho, wo = view.shape[1:3]
    width = math.prod(view.shape[3:])
    for n0, n1, h0, h1 in chunks:
        part = view[n0:n1, h0:h1]
        rows = (n1 - n0) * (h1 - h0) * wo
        xp.copyto(buf[:rows, :width].reshape(part.shape), part)
        start = (n0 * ho + h0) * wo
        result = out2[start:start + rows]
        xp.matmul(buf[:rows], w, out=result)
        if finish is not None:
            finish(result, start)
