"""numba kernel of the fused convolution's epilogue (see :mod:`lamina.accel`); imported only
when enabled.

``relu(result * scale + shift + residual)`` on a chunk of output rows, each step only when
given, in one pass over the chunk instead of up to four NumPy passes (0.7-1.5 ns per value
for the passes on one core, measured on chunks of 0.1-6 M float32 values). The operations
are NumPy's (``_conv_epilogue``), in the same order, so the bits are the same.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def finish(result, scale, shift, residual, relu):
    """``result`` (rows, O) <- ``relu(result * scale + shift + residual)``; ``scale``,
    ``shift`` (O,) and ``residual`` (rows, O) may each be None (numba compiles one version
    per combination, the branches of an absent one removed)."""
    rows, o = result.shape
    zero = np.zeros(1, result.dtype)[0]
    for i in range(rows):
        r = result[i]
        if residual is not None:
            s = residual[i]
        for q in range(o):
            v = r[q]
            if scale is not None:
                v = v * scale[q]
            if shift is not None:
                v = v + shift[q]
            if residual is not None:
                v = v + s[q]
            if relu and v <= 0:  # +0.0 for negatives and -0.0, NaN kept: NumPy's maximum(v, 0)
                v = zero
            r[q] = v


def warm(dtype):
    """Load (or compile) the kernel for ``dtype`` arrays in the combinations the fused
    ``Conv2D + BatchNormalization [+ Add] [+ ReLU]`` op uses."""
    result = np.zeros((1, 1), dtype=dtype)
    vector = np.zeros(1, dtype=dtype)
    for residual in (None, result.copy()):
        for relu in (False, True):
            finish(result, vector, vector, residual, relu)
