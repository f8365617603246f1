"""Run a worker script of tests/distributed/workers under ``mpiexec -n N`` (MPICH's, from the
``mpich`` wheel of the dev extra, or one on PATH); skip when MPI is not installed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lamina

WORKERS = Path(__file__).parent / "workers"


def mpiexec_path():
    local = Path(sys.executable).parent / "mpiexec"
    found = str(local) if local.exists() else shutil.which("mpiexec")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None
    return found


def run_worker(script, *args, ranks=None, timeout=180, extra_env=None):
    """``(returncode, stdout, stderr)`` of the worker, alone (ranks=None) or on ``ranks``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_LOCAL"))}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(lamina.__file__).parents[1]), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["LAMINA_NUM_THREADS"] = "1"  # the ranks share the machine's cores
    env.update(extra_env or {})
    command = [sys.executable, str(WORKERS / script), *map(str, args)]  # or an absolute path
    if ranks is not None:
        launcher = mpiexec_path()
        if launcher is None:
            pytest.skip("MPI is not installed (pip install 'lamina[mpi]')")
        command = [launcher, "-n", str(ranks), *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    return done.returncode, done.stdout, done.stderr
