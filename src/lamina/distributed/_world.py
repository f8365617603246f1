"""The process group: which rank this is, how many there are, and the few collectives lamina
uses (sum in place, broadcast), each with a watchdog so that a failed rank ends the job.

mpi4py is imported only by :func:`init` when the program was started by an MPI launcher
(``mpiexec``, ``srun``): importing lamina, or calling ``init()`` in a plain ``python`` run,
never loads MPI. Without a launcher everything here is the one-process identity.

Faults. A rank that raises an exception nobody catches reports it to rank 0 (a short
message with tag ``_ERROR``); rank 0 watches for such reports whenever it waits in a
collective, prints ``lamina.distributed: rank k of n failed ...`` with the traceback and
aborts the job (``MPI_Abort`` ends every rank). If rank 0 does not answer within a few
seconds (it is not in a collective), the failing rank prints the message and aborts itself.
A rank that dies outright (killed, segfault) is seen by the launcher, which ends the job.
A collective that does not complete within ``timeout`` seconds (a rank stuck, or one that
left the training loop early) ends the job with a message naming the collective.
"""

from __future__ import annotations

import os
import sys
import time
import traceback

#: environment variables that MPI launchers set (MPICH/Hydra and Slurm's PMI, Open MPI, PMIx)
_LAUNCHER_VARIABLES = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                       "MPI_LOCALNRANKS")
_ERROR, _ACK = 0x4C31, 0x4C32   # message tags of the fault channel
_DEFAULT_TIMEOUT = 300.0


class _World:
    comm = None            # mpi4py's COMM_WORLD when there are several ranks
    rank, size, local_rank, local_size = 0, 1, 0, 1
    timeout = _DEFAULT_TIMEOUT
    initialized = False
    comm_seconds = 0.0     # time spent inside collectives since init (see comm_stats)
    comm_calls = 0
    comm_bytes = 0


WORLD = _World()


def launched_by_mpi() -> bool:
    """True when an MPI launcher started this process (its environment variables are set)."""
    return any(name in os.environ for name in _LAUNCHER_VARIABLES)


def init(timeout: float | None = None) -> None:
    """Join the job's process group; a no-op in a one-process run.

    Under ``mpiexec -n N python train.py`` (or ``srun``) this imports mpi4py, learns the
    rank and the number of ranks, gives each rank ``cores / ranks on this machine`` lamina
    threads (unless ``LAMINA_NUM_THREADS`` is set) and installs the fault handler (see the
    module docstring). ``timeout`` (seconds, default ``LAMINA_DISTRIBUTED_TIMEOUT`` or 300)
    bounds every wait for the other ranks. Calling ``init`` again only updates ``timeout``
    (when given).
    """
    if timeout is None:
        if WORLD.initialized:
            return
        timeout = float(os.environ.get("LAMINA_DISTRIBUTED_TIMEOUT", _DEFAULT_TIMEOUT))
    if not timeout > 0:
        raise ValueError(f"lamina.distributed.init: timeout must be a positive number of "
                         f"seconds; received timeout={timeout!r}")
    WORLD.timeout = float(timeout)
    if WORLD.initialized:
        return
    WORLD.initialized = True
    if not launched_by_mpi():
        return
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ImportError(
            "lamina.distributed.init: this process was started by an MPI launcher but mpi4py is "
            "not installed; install it with `pip install 'lamina[mpi]'` (mpi4py and the MPICH "
            "wheel), or `pip install mpi4py` on a cluster whose MPI is already installed") \
            from err
    comm = MPI.COMM_WORLD
    if comm.Get_size() == 1:
        return
    WORLD.comm, WORLD.rank, WORLD.size = comm, comm.Get_rank(), comm.Get_size()
    local = comm.Split_type(MPI.COMM_TYPE_SHARED)
    WORLD.local_rank, WORLD.local_size = local.Get_rank(), local.Get_size()
    local.Free()
    if not os.environ.get("LAMINA_NUM_THREADS"):
        from lamina import parallel

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
            (os.cpu_count() or 1)
        parallel.set_num_threads(max(1, cores // WORLD.local_size))
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        fail("".join(traceback.format_exception(kind, value, tb)))
        previous(kind, value, tb)  # pragma: no cover - fail() does not return

    sys.excepthook = excepthook


def rank() -> int:
    """This process's rank, 0 .. size() - 1 (0 in a one-process run)."""
    return WORLD.rank


def size() -> int:
    """The number of ranks in the job (1 in a one-process run)."""
    return WORLD.size


def local_rank() -> int:
    """This process's rank among the ranks on the same machine (for pinning, device choice)."""
    return WORLD.local_rank


def comm_stats() -> dict:
    """Seconds spent in collectives, their number and the bytes reduced or broadcast, since
    :func:`init` (or the last ``reset=True`` call)."""
    return {"seconds": WORLD.comm_seconds, "calls": WORLD.comm_calls,
            "bytes": WORLD.comm_bytes}


def reset_comm_stats() -> None:
    WORLD.comm_seconds, WORLD.comm_calls, WORLD.comm_bytes = 0.0, 0, 0


# ---------------------------------------------------------------------------- collectives
def allreduce_(array, what: str = "allreduce"):
    """Sum ``array`` (contiguous) over all ranks, in place; returns it. Identity on one rank."""
    if WORLD.comm is None:
        return array
    from mpi4py import MPI

    start = time.perf_counter()
    _wait(WORLD.comm.Iallreduce(MPI.IN_PLACE, array, op=MPI.SUM), what)
    _count(start, array.nbytes)
    return array


def reduce_scatter_(send, recv, what: str = "reduce-scatter"):
    """``recv`` (``send.size / size()`` elements) = the sum over the ranks of this rank's
    block of ``send`` (``Reduce_scatter_block``); returns ``recv``. A nonblocking barrier
    (watched, see :func:`_wait`) then the blocking collective: MPICH's nonblocking
    reduce-scatter runs a slower schedule (measured 1.1-1.5 ms of CPU for 1 MB on 2 ranks
    against 0.2-0.3 blocking), and once every rank is in, the collective cannot hang."""
    if WORLD.comm is None:
        recv[...] = send.reshape(recv.shape)
        return recv
    from mpi4py import MPI

    start = time.perf_counter()
    _wait(WORLD.comm.Ibarrier(), what)
    WORLD.comm.Reduce_scatter_block(send, recv, op=MPI.SUM)
    _count(start, send.nbytes)
    return recv


def allgather_(array, what: str = "all-gather"):
    """Every rank's block ``r`` of ``array`` (r = its rank, ``array.size / size()`` elements)
    to every rank, in place; returns ``array``."""
    if WORLD.comm is None:
        return array
    from mpi4py import MPI

    start = time.perf_counter()
    _wait(WORLD.comm.Iallgather(MPI.IN_PLACE, array), what)
    _count(start, array.nbytes)
    return array


def barrier_(what: str = "barrier", nbytes: int = 0):
    """Wait until every rank is here (watched, see :func:`_wait`); counted in
    :func:`comm_stats` with ``nbytes`` (what the ranks exchange through shared memory)."""
    if WORLD.comm is None:
        return
    start = time.perf_counter()
    _wait(WORLD.comm.Ibarrier(), what)
    _count(start, nbytes)


def all_sum(array):
    """A new array: the sum of ``array`` over all ranks (the reduction of the ``all_sum`` op)."""
    return allreduce_(array.copy(order="C"), "all_sum")


def broadcast_(array, root: int = 0, what: str = "broadcast"):
    """Overwrite ``array`` (contiguous) with rank ``root``'s, in place; returns it."""
    if WORLD.comm is None:
        return array
    start = time.perf_counter()
    _wait(WORLD.comm.Ibcast(array, root=root), what)
    _count(start, array.nbytes)
    return array


def _count(start, nbytes):
    WORLD.comm_seconds += time.perf_counter() - start
    WORLD.comm_calls += 1
    WORLD.comm_bytes += nbytes


def _wait(request, what):
    """Complete ``request``; meanwhile rank 0 relays fault reports, and past ``timeout`` the
    job ends. Polls, handing the core to any other runnable process between polls
    (``sched_yield``: a rank waiting for a slower one on the same core lets it run, and
    still answers within microseconds when its turn in the transfer comes, where a sleep
    adds 50 us or more to each round of a transfer); after ``_SPIN_SECONDS`` of waiting (a
    stuck or much slower rank) it sleeps 1 ms between polls."""
    start = time.perf_counter()
    while not request.Test():
        if WORLD.rank == 0:
            _relay_faults()
        waited = time.perf_counter() - start
        if waited > WORLD.timeout:
            _abort(f"rank {WORLD.rank} of {WORLD.size} waited {waited:.0f} s (the timeout) "
                   f"for the other ranks in {what}: a rank is stuck, died, or left the "
                   "training loop early (every rank must run the same steps); ending the job")
        if waited > _SPIN_SECONDS:
            time.sleep(1e-3)
        else:
            _yield()


_SPIN_SECONDS = 0.05
_PROBE = [None, None]  # the fault probe's MPI.Status and MPI.ANY_SOURCE
_yield = getattr(os, "sched_yield", lambda: None)


def _relay_faults():
    if _PROBE[0] is None:  # made once: this runs at every poll of rank 0's waits
        from mpi4py import MPI

        _PROBE[:] = [MPI.Status(), MPI.ANY_SOURCE]
    status, any_source = _PROBE
    if not WORLD.comm.Iprobe(source=any_source, tag=_ERROR, status=status):
        return
    source = status.Get_source()
    message = WORLD.comm.recv(source=source, tag=_ERROR)
    WORLD.comm.send(True, dest=source, tag=_ACK)
    _abort(f"rank {source} of {WORLD.size} failed; ending the job:\n{message}")


def fail(message: str):
    """End the whole job because of ``message`` (a traceback): on rank 0 directly, on another
    rank through rank 0 (so the report appears there), or by itself when rank 0 is not
    listening within 5 s."""
    if WORLD.comm is None:
        return
    if WORLD.rank == 0:
        _abort(f"rank {WORLD.rank} of {WORLD.size} failed; ending the job:\n{message}")
    WORLD.comm.isend(message, dest=0, tag=_ERROR)
    ack = WORLD.comm.irecv(source=0, tag=_ACK)
    deadline = time.perf_counter() + 5.0
    while time.perf_counter() < deadline:
        done, _ = ack.test()
        if done:
            time.sleep(5.0)  # rank 0 prints and aborts the job, this process included
            break
        time.sleep(1e-3)
    _abort(f"rank {WORLD.rank} of {WORLD.size} failed (rank 0 did not answer); ending the "
           f"job:\n{message}")


_REPORT_SECONDS = 0.5


def _abort(text: str):
    sys.stderr.write(f"lamina.distributed: {text}")
    if not text.endswith("\n"):
        sys.stderr.write("\n")
    sys.stderr.flush()
    # MPI_Abort makes mpiexec kill every rank at once, and what a rank wrote to its stderr
    # pipe but mpiexec had not yet forwarded is lost with it (1 run in 8 here); a moment's
    # wait lets the report reach the user's terminal
    time.sleep(_REPORT_SECONDS)
    WORLD.comm.Abort(1)
