"""The sharded update's exchange when every rank runs on one machine: shared memory.

MPI's reduce-scatter and all-gather move the bytes through its own shared-memory cells in
several rounds, each a hand-shake between the ranks (measured on this 2-core VM, loaded:
3-4x the CPU of what follows). Ranks on one machine can instead share the arrays
themselves (MPI-3 shared windows, ``MPI_Win_allocate_shared``):

* the **weights** live in one shared buffer, mapped by every rank: each variable's ``data``
  is a view of it, the same memory on every rank;
* each rank's gradient lies in its own row of a shared **gradient** buffer, laid out as the
  weights: the backward pass writes the big ones there itself (the Dense kernel's product,
  through lamina.autograd.function.set_gradient_buffers: no copy), the others are copied;
  its "present" flags and its extras (the loss) follow;
* a barrier; then rank r sums chunk r of every row into a private array and divides it by
  n (its averaged gradients), sums the rows' flags and extras, and updates chunk r of the
  weights in place: the other ranks see it, nothing is gathered;
* a barrier: every rank has updated its chunk, and no one reads a gradient row any more.

Between the two barriers a rank writes only its own chunk of the weights and reads no
weights outside it; outside them every rank only reads the weights (forward, backward,
callbacks), so the shared weights are never read while written. Each barrier is a
nonblocking one watched by the fault handler (lamina.distributed._world), with
``Win.Sync`` on both sides (MPI's rule for seeing the other processes' stores).

The windows exist for one ``fit``: :meth:`NodeExchange.release` copies the weights back into
arrays of each rank's own and frees them (a collective, at the end of training).
"""

from __future__ import annotations

import os

import numpy

from lamina.distributed import _world


def on_one_machine() -> bool:
    """Whether all the job's ranks share this machine's memory (several ranks)."""
    return _world.WORLD.comm is not None and _world.WORLD.local_size == _world.WORLD.size


def fits(chunk, tail, dtype) -> bool:
    """Whether the windows of :class:`NodeExchange` fit twice in the free shared memory
    (``/dev/shm``, 64 MB in a default Docker container), as this rank sees it now (the
    caller lets rank 0's answer decide for all)."""
    n = _world.WORLD.size
    need = (n * chunk + n * (n * chunk + tail)) * numpy.dtype(dtype).itemsize
    try:
        stat = os.statvfs("/dev/shm")
    except OSError:  # not Linux: the MPI library knows where its shared memory is
        return True
    return stat.f_bavail * stat.f_frsize >= 2 * need


class NodeExchange:
    """Shared weights (``weights``, ``n * chunk`` elements) and gradient rows (``rows``, one
    per rank of ``n * chunk + tail`` elements) for :class:`ShardedUpdate`."""

    def __init__(self, chunk, tail, dtype):
        from mpi4py import MPI

        comm, n = _world.WORLD.comm, _world.WORLD.size
        dtype = numpy.dtype(dtype)
        self.chunk, self.tail = chunk, tail
        self._windows = []
        self.weights = self._allocate(MPI, comm, n * chunk, dtype)
        self.rows = self._allocate(MPI, comm, n * (n * chunk + tail), dtype).reshape(n, -1)
        self.rows[_world.WORLD.rank].fill(0)

    def _allocate(self, MPI, comm, size, dtype):  # noqa: N803 - the module's name
        """A zeroed array of ``size`` elements that every rank maps (allocated on rank 0)."""
        mine = size * dtype.itemsize if _world.WORLD.rank == 0 else 0
        window = MPI.Win.Allocate_shared(mine, dtype.itemsize, comm=comm)
        window.Lock_all()
        self._windows.append(window)
        memory, _ = window.Shared_query(0)
        return numpy.frombuffer(memory, dtype=dtype, count=size)

    def barrier(self, what, nbytes=0):
        for window in self._windows:
            window.Sync()
        _world.barrier_(what, nbytes)
        for window in self._windows:
            window.Sync()

    def reduce(self, received, what):
        """After every rank wrote its row: ``received[:chunk]`` = the mean of the rows'
        chunk r (its own row's first, then the others' in rank order, then divided by n:
        for n a power of two the same bits as dividing each row first), then the rows'
        tails (flags, extras) summed into ``received[chunk:]``."""
        rows, chunk, r = self.rows, self.chunk, _world.WORLD.rank
        n = rows.shape[0]
        self.barrier(what, ((n - 1) * chunk + self.tail) * rows.itemsize)
        lo = r * chunk
        mine = received[:chunk]
        others = [i for i in range(n) if i != r]
        numpy.add(rows[r, lo:lo + chunk], rows[others[0], lo:lo + chunk], out=mine)
        for i in others[1:]:
            mine += rows[i, lo:lo + chunk]
        mine *= 1.0 / n
        tails = rows[:, rows.shape[1] - self.tail:]
        received[chunk:] = tails[0]
        for row in tails[1:]:
            received[chunk:] += row
        return received

    def release(self, variables):
        """Give each variable its own copy of its data again and free the shared memory."""
        for v in variables:
            v.data = v.data.copy()
        self.barrier("the release of the shared weights")
        for window in self._windows:
            window.Unlock_all()
            window.Free()
        self._windows = []
