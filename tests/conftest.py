"""Shared test setup."""

import pytest

from lamina import accel, parallel


@pytest.fixture(autouse=True)
def fresh_product_mode():
    """Each test starts as a fresh process does: lamina has split no work yet, so products
    run on BLAS's threads until a test's first conv or pooling (lamina.parallel.matmul).
    The flag is process-wide; without this, a test's path would depend on the tests before.
    (Set by hand, not with monkeypatch: that would tie monkeypatch's undo to this fixture's
    order and break fixtures that tear down with monkeypatch's changes still in place.)"""
    before = parallel._split_elsewhere
    parallel._split_elsewhere = False
    yield
    parallel._split_elsewhere = before


@pytest.fixture(params=["numpy", "numba"])
def kernel_path(request):
    """Run the test on the NumPy path and again on the numba kernels (lamina.accel); the
    numba run skips when numba is not installed."""
    if request.param == "numba" and not accel.available():
        pytest.skip("numba is not installed (pip install 'lamina[fast]')")
    with accel.using(request.param == "numba"):
        yield request.param
    assert None not in accel._modules.values(), "a numba kernel failed: NumPy ran instead"
