"""numba kernels for optimizer updates (see :mod:`lamina.accel`); imported only when enabled.

Each kernel does, element by element and in the same order of float operations, what the
NumPy update in the optimizer's ``update_step`` does array by array, so both paths give the
same bits. The scalars come in the arrays' dtype (NumPy casts Python floats to it too).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def adam(w, g, m, v, v_hat, b1, b2, c1, c2, alpha, eps, amsgrad):
    """One Adam step on flat arrays: ``c1 = 1 - b1``, ``c2 = 1 - b2``; ``v_hat`` is used
    (and updated) only with ``amsgrad``. See :class:`lamina.optimizers.Adam`."""
    for i in range(w.size):
        gi = g[i]
        mi = m[i] * b1 + gi * c1
        vi = v[i] * b2 + (gi * gi) * c2
        m[i] = mi
        v[i] = vi
        if amsgrad:
            hi = v_hat[i]
            if vi > hi or vi != vi:  # NumPy's maximum: the larger, or NaN if either is NaN
                hi = vi
            v_hat[i] = hi
            vi = hi
        w[i] = w[i] - (mi / (np.sqrt(vi) + eps)) * alpha


def warm(dtype):
    """Load (or compile) the kernels for ``dtype`` variables (see lamina.accel.preload)."""
    a = np.zeros(1, dtype=dtype)
    one = a.dtype.type(1)
    adam(a, a, a, a, a, one, one, one, one, one, one, False)
