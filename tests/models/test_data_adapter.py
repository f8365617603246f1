"""The array adapter's batches, whole and as a data-parallel rank's share (``part``)."""

import numpy as np

from lamina.models.data_adapter import ArrayAdapter


def test_a_part_is_the_kth_slice_of_each_shuffled_batch():
    x = np.arange(23 * 2, dtype=np.float32).reshape(23, 2)
    y = np.arange(23)
    sw = np.linspace(0.5, 1.5, 23)
    adapter = ArrayAdapter(x, y, sw, batch_size=8, shuffle=True, seed=3)
    whole = list(adapter.batches(epoch=1))
    assert [len(b[1]) for b in whole] == [8, 8, 7]
    for n in (2, 4):
        parts = [list(adapter.batches(epoch=1, part=(k, n))) for k in range(n)]
        for b, (xb, yb, swb) in enumerate(whole):
            share = len(yb) // n  # the last batch: 7 // 2 = 3, 7 // 4 = 1 each
            for k in range(n):
                px, py, psw = parts[k][b]
                cut = slice(k * share, (k + 1) * share)
                np.testing.assert_array_equal(px, xb[cut])
                np.testing.assert_array_equal(py, yb[cut])
                np.testing.assert_array_equal(psw, swb[cut])


def test_a_part_of_unshuffled_batches_is_a_view():
    x = np.arange(10, dtype=np.float32)[:, None]
    adapter = ArrayAdapter(x, np.arange(10), batch_size=4)
    xb, yb, _ = list(adapter.batches(part=(1, 2)))[1]
    np.testing.assert_array_equal(yb, [6, 7])
    assert np.shares_memory(xb, adapter.xs[0])
