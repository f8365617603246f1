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


def test_predict_calls_the_predict_hooks_of_callbacks():
    import numpy as np

    seen = []

    class Spy(lamina.callbacks.Callback):
        def on_predict_begin(self, logs=None):
            seen.append(("begin", dict(logs)))

        def on_predict_batch_end(self, batch, logs=None):
            seen.append((batch, logs["outputs"].shape))

        def on_predict_end(self, logs=None):
            seen.append(("end", dict(logs)))

    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.predict(np.ones((5, 3), "float32"), batch_size=4, callbacks=[Spy()], verbose=0)
    assert seen == [("begin", {}), (0, (4, 2)), (1, (1, 2)), ("end", {})]


def test_input_refuses_what_lamina_does_not_have():
    import pytest

    for flag in ("sparse", "ragged", "optional"):
        with pytest.raises(ValueError, match=f"no {flag} inputs; received {flag}=True"):
            lamina.Input((3,), **{flag: True})
    with pytest.raises(ValueError, match="cannot wrap an existing tensor"):
        lamina.Input(tensor=lamina.ops.ones((2, 3)))
    assert lamina.Input(batch_shape=(4, 3), name="x").shape == (4, 3)
