"""The names a Keras program reaches from ``import lamina as keras``, and a light import."""

import subprocess
import sys

import lamina

TOP = ["Sequential", "Model", "Input", "Layer", "Loss", "Metric", "Optimizer", "InputSpec",
       "Initializer", "Regularizer", "Variable"]
NAMESPACES = ["activations", "applications", "backend", "callbacks", "constraints", "datasets",
              "initializers", "layers", "losses", "metrics", "models", "ops", "optimizers",
              "random", "regularizers", "saving"]


def test_top_level_names_are_the_namespace_objects():
    assert lamina.Sequential is lamina.models.Sequential
    assert lamina.Model is lamina.models.Model
    assert lamina.Input is lamina.layers.Input
    assert lamina.Layer is lamina.layers.Layer
    assert lamina.Loss is lamina.losses.Loss
    assert lamina.Metric is lamina.metrics.Metric
    assert lamina.Optimizer is lamina.optimizers.Optimizer
    assert isinstance(lamina.__version__, str)
    for name in TOP:
        assert name in lamina.__all__ and getattr(lamina, name) is not None
    for name in NAMESPACES:
        assert getattr(lamina, name).__name__ == f"lamina.{name}"


def test_import_lamina_loads_no_submodule_and_not_numpy():
    code = ("import sys, lamina; print(sorted(m for m in sys.modules "
            "if m.startswith('lamina.') or m == 'numpy'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
