"""The epilogue of a fused convolution: ``relu(result * scale + shift + residual)`` on each
chunk of output rows while it is in the cache.

A fused op (``conv2d_batch_norm``: batch norm's moving statistics, a residual block's
shortcut, ReLU) hands the convolution paths of ``_conv_cpu`` a ``finish(result, start)``
made here, which they run on each chunk ``result`` (rows ``start:`` of the output seen as
(N*Ho*Wo, O)). NumPy applies the steps as up to four passes over the chunk; with numba
(``lamina.accel``) one compiled pass does the same operations in the same order
(``_epilogue_kernels``, the same bits).
"""

from __future__ import annotations

from lamina import accel

#: the numba kernel of the epilogue (lamina[fast], see lamina.accel)
KERNELS = "lamina.autograd.ops._epilogue_kernels"


def epilogue(xp, scale, shift, residual, relu):
    """``part(lo, hi)``: the ``finish(result, start)`` of the images ``lo:hi`` (None when
    there is nothing to do): ``relu(result * scale + shift + residual)`` on a chunk of output
    rows, each step only when given (``scale``, ``shift``: (O,); ``residual``: (N, Ho, Wo,
    O))."""
    if scale is None and shift is None and residual is None and not relu:
        return lambda lo, hi: None
    if residual is not None:
        residual = xp.ascontiguousarray(residual)
    given = [a for a in (scale, shift, residual) if a is not None]
    state = {"fast": accel.kernels(xp, KERNELS, *given)}

    def part(lo, hi):
        res = None if residual is None else residual[lo:hi].reshape(-1, residual.shape[-1])

        def finish(result, start):
            more = None if res is None else res[start:start + result.shape[0]]
            fast = state["fast"]
            if fast is not None and result.flags.c_contiguous and result.dtype.char in "fd" \
                    and all(a.dtype == result.dtype for a in given):
                try:
                    fast.finish(result, scale, shift, more, bool(relu))
                    return
                except fast.COMPILE_ERRORS as error:
                    state["fast"] = accel.failed(KERNELS, error)
            if scale is not None:
                xp.multiply(result, scale, out=result)
            if shift is not None:
                xp.add(result, shift, out=result)
            if more is not None:
                xp.add(result, more, out=result)
            if relu:
                xp.maximum(result, 0, out=result)

        return finish

    return part
