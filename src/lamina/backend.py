"""The array module behind every op.

lamina computes with NumPy today. Op code never names ``numpy`` directly: a
:class:`~lamina.autograd.function.Function` receives ``self.xp``, the module
that owns its input arrays, so a CuPy backend can run the same code later
(the approach Chainer took with ``get_array_module``).
"""

from __future__ import annotations

import numpy

_default_float = numpy.dtype("float32")


def get_array_module(*arrays):
    """Return the array module (``numpy`` or ``cupy``) that owns ``arrays``."""
    for a in arrays:
        module = type(a).__module__
        if module.startswith("cupy"):
            import cupy  # noqa: PLC0415  (only imported when a CuPy array is seen)

            return cupy
    return numpy


def floatx() -> numpy.dtype:
    """The default float dtype for new tensors and weights (float32, as in Keras)."""
    return _default_float


def set_floatx(dtype) -> None:
    """Set the default float dtype: ``'float32'`` or ``'float64'``."""
    global _default_float
    dt = numpy.dtype(dtype)
    if dt not in (numpy.dtype("float32"), numpy.dtype("float64")):
        raise ValueError(f"set_floatx: expected 'float32' or 'float64', received dtype={dtype!r}")
    _default_float = dt
