"""numba kernel for col2im (see :mod:`lamina.accel` and ``_conv_cpu_kernels.col2im``);
imported only when enabled.

col2im adds each kernel offset's product ``z[i*kw + j]`` (rows, C) back into the strided
window cells of the padded grid: on NumPy one zeroing pass and kh*kw read-modify-write passes
over the grid (a stride-2 3x3 convolution's input gradient: 9 strided passes). :func:`gather`
walks the grid once instead: each cell is the sum of the offsets that cover it, added from 0
in the same (i, j) order as the NumPy loop, so the result has the same bits; cells no window
covers are 0. It needs whole images (the NumPy loop also takes row blocks of one image, whose
windows overlap at the blocks' edges).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core.errors import NumbaError

#: what a kernel raises when numba cannot compile it (the caller then uses NumPy)
COMPILE_ERRORS = (NumbaError,)

_JIT = {"nogil": True, "cache": True, "error_model": "numpy"}


@njit(**_JIT)
def gather(z, out, ho, wo, kh, kw, sh, sw, dh, dw):
    """``out`` (nn, Hp, Wp, C): each cell ``(y, x)`` the sum over offsets ``(i, j)`` with
    ``y = oy*sh + i*dh``, ``x = ox*sw + j*dw`` (``0 <= oy < ho``, ``0 <= ox < wo``) of
    ``z[i*kw + j, (b*ho + oy)*wo + ox]``; ``z`` is (kh*kw, nn*ho*wo, C)."""
    nn, hp, wp, c = out.shape
    for b in range(nn):
        for y in range(hp):
            for x in range(wp):
                cell = out[b, y, x]
                for q in range(c):
                    cell[q] = 0.0
                for i in range(kh):
                    ry = y - i * dh
                    if ry < 0 or ry % sh != 0 or ry // sh >= ho:
                        continue
                    oy = ry // sh
                    for j in range(kw):
                        rx = x - j * dw
                        if rx < 0 or rx % sw != 0 or rx // sw >= wo:
                            continue
                        src = z[i * kw + j, (b * ho + oy) * wo + rx // sw]
                        for q in range(c):
                            cell[q] += src[q]
    return out


def warm(dtype):
    """Load (or compile) the kernel for ``dtype`` arrays (see lamina.accel.preload)."""
    gather(np.zeros((1, 1, 1), dtype=dtype), np.empty((1, 1, 1, 1), dtype=dtype),
           1, 1, 1, 1, 1, 1, 1, 1)
