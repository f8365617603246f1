"""Shared test setup."""

import pytest

from lamina import accel


@pytest.fixture(params=["numpy", "numba"])
def kernel_path(request):
    """Run the test on the NumPy path and again on the numba kernels (lamina.accel); the
    numba run skips when numba is not installed."""
    if request.param == "numba" and not accel.available():
        pytest.skip("numba is not installed (pip install 'lamina[fast]')")
    with accel.using(request.param == "numba"):
        yield request.param
    assert None not in accel._modules.values(), "a numba kernel failed: NumPy ran instead"
