"""lamina: deep learning from first principles on NumPy.

Every gradient is readable: ``lamina.autograd`` holds the engine and the
derivative of each op; ``lamina.functional`` exposes the ops by name. The Keras
API lives in ``lamina.layers``, ``lamina.models``, ``lamina.optimizers``,
``lamina.losses``, ``lamina.metrics`` and ``lamina.callbacks``; those submodules
load on first use, so ``import lamina`` stays fast.
"""

import importlib

from lamina.autograd import Tensor, Variable, enable_grad, is_grad_enabled, no_grad
from lamina.backend import floatx, set_floatx

__version__ = "0.1.0"

_SUBMODULES = {
    "activations", "callbacks", "constraints", "data", "datasets", "explain", "functional",
    "initializers",
    "layers", "losses", "metrics", "models", "optimizers", "parallel", "random", "regularizers",
    "saving",
    "viz",
}

__all__ = [
    "Tensor",
    "Variable",
    "enable_grad",
    "floatx",
    "is_grad_enabled",
    "no_grad",
    "set_floatx",
    "Perceptron",
    *sorted(_SUBMODULES),
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"lamina.{name}")
    if name == "Perceptron":
        from lamina.perceptron import Perceptron

        return Perceptron
    raise AttributeError(f"module 'lamina' has no attribute {name!r}")
