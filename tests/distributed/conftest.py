"""The directory that the session's pytest-xdist workers share, for the MPI lock and the
equality runs (tests/distributed/launch.py, test_mpi.py)."""

import os

import pytest

from tests.distributed import launch


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory):
    """pytest-xdist gives each worker its own base directory inside the session's; without
    xdist the session's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _one_mpi_job_at_a_time(shared_dir):
    launch.SHARED = shared_dir
    yield
    launch.SHARED = None
