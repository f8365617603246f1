"""The array module behind every op.

lamina computes with NumPy today. Op code never names ``numpy`` directly: a
:class:`~lamina.autograd.function.Function` receives ``self.xp``, the module
that owns its input arrays, so a CuPy backend can run the same code later
(the approach Chainer took with ``get_array_module``).

It is also ``keras.backend`` as a Keras program reaches it: ``floatx``, ``epsilon``,
``image_data_format``, ``clear_session``, ``backend()``.
"""

from __future__ import annotations

import numpy

_default_float = numpy.dtype("float32")
_ndarray = numpy.ndarray


def get_array_module(*arrays):
    """Return the array module (``numpy`` or ``cupy``) that owns ``arrays``."""
    for a in arrays:
        kind = type(a)
        if kind is not _ndarray and kind.__module__.startswith("cupy"):
            import cupy  # noqa: PLC0415  (only imported when a CuPy array is seen)

            return cupy
    return numpy


def floatx() -> numpy.dtype:
    """The default float dtype for new tensors and weights (float32, as in Keras)."""
    return _default_float


def set_floatx(value) -> None:
    """Set the default float dtype: ``'float32'`` or ``'float64'``."""
    global _default_float
    dt = numpy.dtype(value)
    if dt not in (numpy.dtype("float32"), numpy.dtype("float64")):
        raise ValueError(f"set_floatx: expected 'float32' or 'float64', received value={value!r}")
    _default_float = dt


def epsilon() -> float:
    """The fuzz factor of Keras's ``backend.epsilon()``: 1e-7, the bound lamina's
    probability losses clip to (``[epsilon, 1 - epsilon]``) and constraints divide with."""
    return 1e-7


def image_data_format() -> str:
    """``'channels_last'``: lamina's images are ``(batch, height, width, channels)``."""
    return "channels_last"


def set_image_data_format(data_format) -> None:
    """Keras's setter; lamina computes channels_last only, so anything else is refused."""
    if data_format != "channels_last":
        raise ValueError("set_image_data_format: lamina computes in 'channels_last' only "
                         f"(batch, height, width, channels); received data_format={data_format!r}")


def backend() -> str:
    """The name of the array library lamina computes with (Keras answers 'tensorflow',
    'jax' or 'torch')."""
    return "numpy"


def clear_session(free_memory=True) -> None:
    """Start layer names afresh (``dense``, ``dense_1``... count from 0 again), as Keras's
    ``clear_session``; with ``free_memory`` also run the garbage collector."""
    from lamina.layers import naming  # noqa: PLC0415  (layers load on first use)

    naming.reset()
    if free_memory:
        import gc  # noqa: PLC0415

        gc.collect()
