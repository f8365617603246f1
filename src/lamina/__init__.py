"""lamina: deep learning from first principles on NumPy.

Every gradient is readable: ``lamina.autograd`` holds the engine and the
derivative of each op; ``lamina.functional`` exposes the ops by name. The Keras
API lives in ``lamina.layers``, ``lamina.models``, ``lamina.optimizers``,
``lamina.losses``, ``lamina.metrics`` and ``lamina.callbacks``; those submodules
load on first use, so ``import lamina`` stays fast: even NumPy is imported only when
the first name is looked up (``lamina.Tensor``, ``lamina.layers``, ...).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "activations", "applications", "backend", "callbacks", "constraints", "data", "datasets",
    "explain", "export", "ops", "preprocessing", "utils",
    "functional",
    "initializers",
    "layers", "losses", "metrics", "models", "optimizers", "parallel", "random", "regularizers",
    "saving",
    "viz", "wrappers",
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
    "export_onnx",
    # Keras 3's top level: ``keras.Sequential is keras.models.Sequential``
    "Input", "InputSpec", "Layer", "Loss", "Metric", "Model", "Optimizer", "Sequential",
    "Initializer", "Regularizer",
    *sorted(_SUBMODULES),
]


_LAZY_NAMES = {
    "Tensor": "lamina.autograd", "Variable": "lamina.autograd", "enable_grad": "lamina.autograd",
    "is_grad_enabled": "lamina.autograd", "no_grad": "lamina.autograd",
    "floatx": "lamina.backend", "set_floatx": "lamina.backend",
    "Perceptron": "lamina.perceptron",
    "export_onnx": "lamina.export",
    "Input": "lamina.layers", "InputSpec": "lamina.layers", "Layer": "lamina.layers",
    "Loss": "lamina.losses", "Metric": "lamina.metrics", "Model": "lamina.models",
    "Optimizer": "lamina.optimizers", "Sequential": "lamina.models",
    "Initializer": "lamina.initializers", "Regularizer": "lamina.regularizers",
}


def __getattr__(name):
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"lamina.{name}")
    raise AttributeError(f"module 'lamina' has no attribute {name!r}")
