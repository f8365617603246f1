"""One Allreduce per step: every gradient (and a few floats riding along) in one flat buffer.

A call per variable would pay the network's latency once per variable (the seed CNN has 8,
a ResNet a hundred); one buffer pays it once per step and lets MPI use its bandwidth-optimal
algorithm on the whole message. Layout: the gradients one after another, then one "present"
flag per variable (a variable with no gradient on any rank stays without one), then the
extras. The buffer is allocated once and reused.
"""

from __future__ import annotations

import numpy

from lamina.distributed import _world


class FusedAllreduce:
    """Sums gradients over the ranks in one flat buffer and averages them (divides by the
    number of ranks), as Horovod does."""

    def __init__(self):
        self._buffer = None
        self._layout = ((), [], 0)  # the variables' shapes, their sizes and the sizes' sum

    def _flat(self, size, dtype):
        if self._buffer is None or self._buffer.size != size or self._buffer.dtype != dtype:
            self._buffer = numpy.empty(size, dtype=dtype)
        return self._buffer

    def __call__(self, grads, shapes, extras=()):
        """``grads``: arrays or None, one per variable of ``shapes``. Returns the averaged
        gradients (views of the buffer, valid until the next call) and the extras summed.

        Each gradient is divided by the number of ranks n on its way into the buffer (one
        pass instead of a copy and then a pass over the sum); for n a power of two this
        gives the same bits as dividing the sum, since halving is exact in binary."""
        shapes = tuple(shapes)
        if self._layout[0] != shapes:
            sizes = [int(numpy.prod(s)) for s in shapes]
            self._layout = (shapes, sizes, sum(sizes))
        _, sizes, total = self._layout
        present = [g is not None for g in grads]
        dtypes = {numpy.asarray(g).dtype for g in grads if g is not None}
        dtype = dtypes.pop() if len(dtypes) == 1 else numpy.dtype("float64")
        buf = self._flat(total + len(grads) + len(extras), dtype)
        n_ranks = _world.size()
        scale = 1.0 / n_ranks
        lo = 0
        for g, n in zip(grads, sizes):
            part = buf[lo:lo + n]
            if g is None:
                part.fill(0)
            elif n_ranks > 1:
                numpy.multiply(numpy.asarray(g).reshape(-1), scale, out=part)
            else:
                part[...] = numpy.asarray(g).reshape(-1)
            lo += n
        buf[total:total + len(grads)] = present
        buf[total + len(grads):] = extras
        _world.allreduce_(buf, "the gradient allreduce")
        out, lo = [], 0
        for shape, n, flag in zip(shapes, sizes, buf[total:total + len(grads)]):
            out.append(buf[lo:lo + n].reshape(shape) if flag > 0 else None)
            lo += n
        return out, [float(v) for v in buf[total + len(grads):]]
