"""getitem's backward for a lookup of rows (``_scatter.py``) against ``np.add.at``: both
paths add the same values into each cell in the same order, so the bits are equal."""

import numpy as np
import pytest

from lamina.autograd.ops import _scatter, plans


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("path", plans.SCATTER_ROWS)
@pytest.mark.parametrize("shape, rows_shape", [((7,), (12,)), ((7, 5), (12,)),
                                               ((9, 4), (3, 6)), ((6, 2, 3), (5, 4)),
                                               ((3, 8), (0,))])
def test_both_paths_equal_add_at(shape, rows_shape, path, dtype):
    rng = np.random.default_rng(len(shape) * 10 + len(rows_shape))
    rows = rng.integers(-shape[0], shape[0], rows_shape)  # repeats and negative indices
    values = rng.standard_normal(rows_shape + shape[1:]).astype(dtype)
    want = rng.standard_normal(shape).astype(dtype)
    got = want.copy()
    np.add.at(want, rows, values)
    assert _scatter.scatter_add_rows(np, got, rows, values, path=path) is got
    np.testing.assert_array_equal(got, want)


def test_other_indices_go_to_add_at():
    table = np.zeros((3, 4))
    index = (np.array([0, 0, 2]), np.array([1, 1, 3]))
    _scatter.scatter_add(np, table, index, np.ones(3))
    assert table[0, 1] == 2 and table[2, 3] == 1 and table.sum() == 3


def test_the_plan():
    assert plans.scatter_rows(64) == "flat_add_at"
    assert plans.scatter_rows(1) == "add_at"
