"""Run a worker script of tests/distributed/workers under ``mpiexec -n N`` (MPICH's, from the
``mpich`` wheel of the dev extra, or one on PATH); skip when MPI is not installed.

One MPI job at a time in a test session: ``make test`` runs the suite on two pytest-xdist
workers (``--dist worksteal``, which may hand tests of one module to both), and two jobs of
2-4 ranks each at once would put up to 8 busy ranks on the 2 cores, every collective then
waiting for descheduled ranks (the fault tests' and the equality runs' timeouts). A job
takes a file lock in the directory the session's workers share (tests/distributed/
conftest.py sets it); the time a job waits for the lock is not part of its timeout.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lamina

WORKERS = Path(__file__).parent / "workers"

#: the directory that the session's pytest-xdist workers share (conftest.py); None: no lock
SHARED = None


def mpiexec_path():
    local = Path(sys.executable).parent / "mpiexec"
    found = str(local) if local.exists() else shutil.which("mpiexec")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None
    return found


@contextlib.contextmanager
def locked(path):
    """Hold an exclusive ``flock`` on the file ``path`` (made if missing) meanwhile: one
    holder at a time among the session's processes."""
    import fcntl

    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def one_job_at_a_time():
    """The session's MPI lock (a file in :data:`SHARED`); no lock outside a session."""
    return locked(Path(SHARED) / "mpi.lock") if SHARED is not None else contextlib.nullcontext()


def run_worker(script, *args, ranks=None, timeout=180, extra_env=None):
    """``(returncode, stdout, stderr)`` of the worker, alone (ranks=None) or on ``ranks``."""
    return run_worker_timed(script, *args, ranks=ranks, timeout=timeout,
                            extra_env=extra_env)[:3]


def run_worker_timed(script, *args, ranks=None, timeout=180, extra_env=None):
    """:func:`run_worker` and the seconds the job ran (not counting the wait for the lock)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_LOCAL"))}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(lamina.__file__).parents[1]), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["LAMINA_NUM_THREADS"] = "1"  # the ranks share the machine's cores
    env.update(extra_env or {})
    command = [sys.executable, str(WORKERS / script), *map(str, args)]  # or an absolute path
    if ranks is None:
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        return done.returncode, done.stdout, done.stderr, time.perf_counter() - start
    launcher = mpiexec_path()
    if launcher is None:
        pytest.skip("MPI is not installed (pip install 'lamina[mpi]')")
    command = [launcher, "-n", str(ranks), *command]
    with one_job_at_a_time():
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        return done.returncode, done.stdout, done.stderr, time.perf_counter() - start
