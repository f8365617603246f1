"""Data-parallel training over MPI, the way Horovod does it (extra ``lamina[mpi]``).

Launch the same program on N processes (``mpiexec -n 4 python train.py``, or ``srun`` on a
Slurm cluster); in it::

    import lamina.distributed as dist
    dist.init()                                   # a no-op in a plain one-process run
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=256, epochs=5, distributed=True)   # 256 = the global batch

``fit(distributed=True)`` (lamina.distributed.fit) shards every global batch over the
ranks, averages the gradients once per step (a reduce-scatter, each rank updating its 1/n
of the weights, an all-gather; or one Allreduce) and the logs at each epoch end,
and lets rank 0 alone print and write files. For your own loops, wrap the optimizer in
:func:`DistributedOptimizer` and start from :func:`broadcast_weights`.
``BatchNormalization(synchronized=True)`` normalizes with the global batch's statistics.

Importing this package does not import mpi4py; :func:`init` does, only when an MPI launcher
started the process. See docs/distributed.md for the launch recipes and measurements.
"""

from lamina.distributed._world import (
    comm_stats,
    init,
    local_rank,
    rank,
    reset_comm_stats,
    size,
)
from lamina.distributed.broadcast import broadcast_weights
from lamina.distributed.optimizer import DistributedOptimizer

__all__ = ["DistributedOptimizer", "allreduce", "broadcast_weights", "comm_stats", "init",
           "local_rank", "rank", "reset_comm_stats", "size"]


def allreduce(array, average: bool = False):
    """The sum (or the mean, ``average=True``) of a NumPy array over all ranks, as a new
    array (the array itself in a one-process run)."""
    import numpy

    from lamina.distributed._world import allreduce_

    out = numpy.array(array, dtype=numpy.result_type(array, numpy.float32), order="C")
    allreduce_(out, "allreduce")
    if average and size() > 1:
        out /= size()
    return out
