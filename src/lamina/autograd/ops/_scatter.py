"""The backward of a lookup ``table[rows]`` (getitem with one integer array, e.g. Embedding):
each looked-up row's gradient added back into its row of the table, repeats adding up.

The reference is NumPy's ``np.add.at(table, rows, values)``, which adds ``values[i]`` into
``table[rows[i]]`` for each ``i`` in order. With whole rows as its items it runs a short
inner loop per row; given one flat index per element instead (``rows[i] * D + j`` for an
element ``j`` of a row of ``D`` elements) it runs 2-3x faster (64-wide rows of an
Embedding: 3.6 -> 1.8 ms for 6,400 rows, benchmarks/README.md). Every table cell receives
the same values in the same order either way, so both give the same bits.
"""

from __future__ import annotations

import math

from lamina.autograd.ops import plans


def scatter_add_rows(xp, table, rows, values, path=None):
    """``table[rows[i]] += values[i]`` for every ``i`` (``np.add.at``), in place.

    Args:
        table: (V, ...) array, C-contiguous.
        rows: integer array of any shape (negative entries count from the end, as NumPy's).
        values: ``rows.shape + table.shape[1:]``.
        path: one of ``plans.SCATTER_ROWS`` (default: ``plans.scatter_rows``'s choice).
    Returns ``table``.
    """
    size = math.prod(table.shape[1:])
    if (path or plans.scatter_rows(size)) == "add_at":
        xp.add.at(table, rows, values)
        return table
    flat = (rows.reshape(-1, 1) * size + xp.arange(size)).reshape(-1)
    xp.add.at(table.reshape(-1), flat, values.reshape(-1))
    return table


def scatter_add(xp, table, index, values):
    """``np.add.at(table, index, values)`` for getitem's backward (``index``: a tuple of
    items); a lookup of whole rows (one integer array) goes to :func:`scatter_add_rows`."""
    if len(index) == 1 and getattr(index[0], "dtype", None) is not None \
            and index[0].dtype.kind in "iu":
        return scatter_add_rows(xp, table, index[0], values)
    xp.add.at(table, index, values)
    return table
