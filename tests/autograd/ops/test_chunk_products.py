"""chunk_products: a copy and one product per chunk of output rows, then the chunk's finish."""

import numpy as np
import pytest

from lamina.autograd.ops._chunk_products import chunk_products
from lamina.autograd.ops._conv_cpu_kernels import _chunks
from tests.tolerance import assert_matmul_close


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("budget", [1, 200, 1 << 20])  # row blocks, whole images, all at once
def test_equals_one_product_and_finishes_every_row_once(budget, dtype):
    rng = np.random.default_rng(budget)
    n, ho, wo, kw, c, o = 3, 5, 4, 2, 3, 6
    source = rng.standard_normal((n, 2 * ho, wo, kw, c)).astype(dtype)
    view = source[:, ::2]  # a strided view, as the picked pixels of a strided 1x1
    w = rng.standard_normal((kw * c + 1, o)).astype(dtype)  # the last row: a bias
    chunks = _chunks(n, ho, wo * kw * c * source.itemsize, budget)
    rows = max((n1 - n0) * (h1 - h0) for n0, n1, h0, h1 in chunks) * wo
    buf = np.empty((rows, kw * c + 1), dtype=dtype)
    buf[:, -1] = 1  # left as it is by the copies
    out2 = np.full((n * ho * wo, o), np.nan, dtype=dtype)
    seen = np.zeros(n * ho * wo, int)

    def finish(result, start):
        seen[start:start + result.shape[0]] += 1
        np.testing.assert_array_equal(result, out2[start:start + result.shape[0]])

    chunk_products(np, view, chunks, buf, w, out2, finish)
    a = np.concatenate([view.reshape(n * ho * wo, kw * c), np.ones((n * ho * wo, 1), dtype)], 1)
    assert_matmul_close(out2, a, w, dtype=dtype)
    np.testing.assert_array_equal(seen, 1)
