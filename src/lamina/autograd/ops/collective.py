"""``all_sum``: the sum of a tensor over the ranks of a data-parallel job, as a graph op.

Each rank holds its own ``x_r``; every rank gets ``y = sum_r x_r``. The job's objective is
the sum of the ranks' losses ``J = sum_r L_r``, and every ``L_r`` depends on ``y``, so

    dJ / dx_r = sum_r' dL_r' / dy,

the sum over ranks of the gradients arriving at ``y``: the backward of an all-sum is an
all-sum. (Gradients averaged afterwards over ranks scale both sides alike.) Synchronized
batch normalization is built on it (lamina.distributed.batch_norm): the batch statistics
are all-sums, and this is the only place their gradient is written.

The reduction itself is a parameter (``reduce``: array -> new array holding the sum over
ranks; ``lamina.distributed`` passes MPI's), so the op holds no communication code and a
one-process ``reduce`` (the identity) makes it the identity.
"""

from __future__ import annotations

from lamina.autograd.function import Function

__all__ = ["all_sum"]


class AllSum(Function):
    name = "all_sum"

    def forward(self, x, *, reduce):
        self.reduce = reduce
        out = reduce(x)
        if out.shape != x.shape:
            raise ValueError(f"{self.name}: the reduction returned shape {out.shape} for an "
                             f"input of shape {x.shape}; expected the same shape")
        return out

    def backward(self, grad):
        # every rank runs this node's backward in the same order (same graph on every rank)
        return self.reduce(self.xp.ascontiguousarray(grad))


def all_sum(x, reduce):
    """``reduce(x)``: the sum of ``x`` over the ranks (``reduce`` does the communication);
    its gradient is the sum over the ranks of the incoming gradients (module docstring)."""
    if not callable(reduce):
        raise TypeError(f"all_sum: reduce must be a callable array -> array; received "
                        f"{reduce!r}")
    return AllSum.apply(x, reduce=reduce)
