"""Optional compiled kernels (numba) for the ops whose NumPy form cannot be fused.

lamina's reference path is NumPy, and it always works. When numba is installed
(``pip install "lamina[fast]"``), the few ops listed below run a compiled single-pass
kernel instead, behind the same op and with the same results, bit for bit (the tests run
both paths and compare them; only the sign of a max-pool output where -0.0 and +0.0 tie can
differ):

* max pooling, forward: NumPy needs four whole-array passes per window offset (compare,
  flag, winning offset, running max); the kernel reads each input cell once. Backward:
  one scatter of each window's gradient to its winner instead of a compare and a multiply
  per offset.
* the Adam (and AdamW) update: eleven NumPy passes over each variable and its two slots
  become one. (Timings: benchmarks/CROSSOVERS.md.)
* the transforms of Winograd's F(2x2, 3x3) and F(4x4, 3x3), the inference paths of 3x3
  convolutions (``_conv_inference``): 8-56 NumPy passes over a chunk of tiles become one
  each way.

A kernel that numba cannot load or compile hands over to the NumPy path with a warning.
Each kernel runs on one part of the batch per thread of :func:`lamina.parallel.parallel_for`
(the kernels release the GIL); numba's own thread pool is not used.

numba is never imported by ``import lamina``: ``Model.compile`` loads the kernels that the
model's layers and optimizer use (:func:`preload`), and an op called outside a compiled
model loads its kernels on first call. Compiled kernels are cached on disk (numba's
``cache=True``), so only the first process pays for compiling them (a few seconds); later
ones load them in ~0.2 s, plus ~0.2 s to import numba (and ~0.25 s more when SciPy is
installed: numba imports ``scipy.linalg`` to find a BLAS).

Turn the kernels off with ``LAMINA_NUMBA=0`` in the environment or
``lamina.accel.set_enabled(False)``; :func:`using` switches them for a block.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import warnings

__all__ = ["available", "enabled", "loaded", "preload", "set_enabled", "using"]

_enabled: bool | None = None  # None: decided on first use (environment, numba installed)
_modules: dict = {}  # kernel module name -> module, or None when it failed to load


def available() -> bool:
    """Whether numba is installed (it is not imported here)."""
    return importlib.util.find_spec("numba") is not None


def _from_environment() -> bool:
    value = os.environ.get("LAMINA_NUMBA", "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False
    if value not in ("", "1", "true", "yes", "on"):
        raise ValueError(f"LAMINA_NUMBA must be 0 or 1; received {value!r}")
    return True


def enabled() -> bool:
    """Whether accelerated ops run their numba kernels."""
    global _enabled
    if _enabled is None:
        _enabled = _from_environment() and available()
    return _enabled


def set_enabled(flag: bool) -> bool:
    """Turn the numba kernels on or off; returns the previous setting.

    Turning them on without numba installed raises an ImportError that says how to
    install it.
    """
    global _enabled
    if not isinstance(flag, bool):
        raise TypeError(f"set_enabled: flag must be True or False; received {flag!r}")
    if flag and not available():
        raise ImportError('lamina.accel: numba is not installed; install it with '
                          'pip install "lamina[fast]" (or pip install numba)')
    try:
        previous = enabled()
    except ValueError:  # a bad LAMINA_NUMBA: this call overrides it
        previous = False
    _enabled = flag
    return previous


@contextlib.contextmanager
def using(flag: bool):
    """``with lamina.accel.using(False): ...`` runs the block on the NumPy path (or, with
    True, on the numba kernels) and restores the previous setting."""
    previous = set_enabled(flag)
    try:
        yield
    finally:
        set_enabled(previous)


def kernels(xp, name: str, *arrays):
    """The kernel module ``name`` (e.g. ``"lamina.autograd.ops._pool_kernels"``) when the
    numba path applies to ``arrays`` (NumPy arrays of float32 or float64), else None (use
    the NumPy path).

    The module is imported (and numba with it) on first use. If that fails, a warning
    says why and the NumPy path is used from then on.
    """
    if not enabled() or xp.__name__ != "numpy":
        return None
    if any(a.dtype.char not in "fd" for a in arrays):
        return None
    return _load(name)


def _load(name: str):
    if name not in _modules:
        try:
            _modules[name] = importlib.import_module(name)
        except Exception as error:  # a broken numba install must not break training
            _modules[name] = None
            warnings.warn(f"lamina.accel: the numba kernels in {name} could not be loaded "
                          f"({type(error).__name__}: {error}); using the NumPy path",
                          RuntimeWarning, stacklevel=4)
    return _modules[name]


def failed(name: str, error: Exception) -> None:
    """Record that the kernels of ``name`` could not be compiled (``error``), warn, and
    return None: from now on the ops use the NumPy path."""
    _modules[name] = None
    warnings.warn(f"lamina.accel: the numba kernels in {name} failed to compile "
                  f"({type(error).__name__}: {error}); using the NumPy path",
                  RuntimeWarning, stacklevel=3)


def loaded() -> list[str]:
    """The kernel modules loaded and working in this process (for reports)."""
    return sorted(name for name, module in _modules.items() if module is not None)


def preload(*names: str, dtype=None) -> None:
    """Load the kernel modules ``names`` now, with their code for ``dtype`` (default
    ``lamina.floatx()``), instead of at their first call. ``Model.compile`` calls it for
    the kernels the model's layers and optimizer use, so that the one-time cost (importing
    numba, loading the cached machine code, ~0.5 s) is paid when compiling, as Keras
    compiles there, and not inside the first training step. Does nothing when disabled."""
    if not enabled():
        return
    from lamina.backend import floatx

    for name in names:
        module = _load(name)
        if module is None or not hasattr(module, "warm"):
            continue
        try:
            module.warm(floatx() if dtype is None else dtype)
        except Exception as error:  # e.g. numba cannot compile on this machine
            failed(name, error)
