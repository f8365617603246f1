"""Synchronized batch normalization: the statistics of each channel over the global batch.

With ``BatchNormalization(synchronized=True)`` in a job of several ranks, each rank's
per-channel sum (and sample count) is summed over the ranks, then the sum of squared
deviations from the global mean: two small all-reduces per layer and step, so every
rank normalizes with the mean and (biased) variance of the whole global batch, exactly
as one process training on that batch would. Built from autograd ops only; the gradient
through the cross-rank sums is the ``all_sum`` op's (lamina.autograd.ops.collective).
"""

from __future__ import annotations

import math

from lamina.autograd import ops as F
from lamina.autograd.ops.collective import all_sum
from lamina.autograd.tensor import Tensor
from lamina.distributed import _world

__all__ = ["synchronized_batch_norm"]


def synchronized_batch_norm(x, gamma, beta, moving_mean, moving_variance, momentum, epsilon,
                            axis, reduce=None):
    """Batch norm in training with statistics over every rank's batch (module docstring).

    ``moving_mean`` / ``moving_variance`` (arrays or Variables) are updated in place with the
    global statistics, as ``F.batch_norm`` does with the local ones. ``reduce`` defaults to
    the MPI sum over the job's ranks.
    """
    reduce = reduce or _world.all_sum
    x = x if isinstance(x, Tensor) else Tensor(x)
    ch = axis % x.ndim
    axes = tuple(a for a in range(x.ndim) if a != ch)
    c = x.shape[ch]
    bshape = tuple(c if a == ch else 1 for a in range(x.ndim))
    # the statistics accumulate in float64 (as the fused single-process op does), so that a
    # float32 job's result does not depend on how the batch is split over ranks
    wide = F.cast(x, "float64") if x.dtype == "float32" else x
    local_count = Tensor([math.prod(x.shape[a] for a in axes)], dtype=wide.dtype)
    sums = all_sum(F.concatenate([F.sum(wide, axis=axes), local_count]), reduce)
    count = float(sums.data[c])
    if count == 0:
        raise ValueError("BatchNormalization(synchronized=True): every rank's batch is empty")
    mean = sums[:c] * (1.0 / count)
    wide_centered = wide - F.reshape(mean, bshape)
    var = all_sum(F.sum(wide_centered * wide_centered, axis=axes), reduce) * (1.0 / count)
    centered = F.cast(wide_centered, x.dtype) if wide is not x else wide_centered
    var = F.cast(var, x.dtype) if wide is not x else var
    out = centered * (1.0 / F.sqrt(F.reshape(var, bshape) + epsilon))
    if gamma is not None:
        out = out * F.reshape(gamma, bshape)
    if beta is not None:
        out = out + F.reshape(beta, bshape)
    for state, value in ((moving_mean, mean.data), (moving_variance, var.data)):
        data = state.data if hasattr(state, "requires_grad") else state
        data *= momentum
        data += value.astype(data.dtype) * (1.0 - momentum)
    return out
