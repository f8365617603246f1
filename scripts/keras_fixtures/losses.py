"""Write tests/losses/data/keras_losses.json with Keras 3.15.1 (torch backend).

Run in a separate environment that has keras==3.15.1 and torch==2.13.0 (never lamina's):
    KERAS_BACKEND=torch /work/kerasenv-layers/bin/python scripts/keras_fixtures/losses.py
Records, for fixed inputs: each loss function's per-sample values, each loss class's
reduced value (with and without sample weights), and the saturated-softmax/sigmoid case of
issue 15 §4 (the loss of one batch in train_on_batch, in evaluate, called directly, and the
weights after one SGD step).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "losses", "data",
                   "keras_losses.json")
rng = np.random.default_rng(15)
probs = rng.dirichlet(np.ones(4), 6).astype("float32")
onehot = np.eye(4, dtype="float32")[rng.integers(0, 4, 6)]
soft = rng.dirichlet(np.ones(4), 6).astype("float32")
labels = rng.integers(0, 4, 6)
reals = rng.standard_normal((6, 4)).astype("float32")
reals2 = rng.standard_normal((6, 4)).astype("float32")
pos = rng.random((6, 4)).astype("float32") + 0.1
binary = (rng.random((6, 4)) > 0.5).astype("float32")
signs = 2 * binary - 1
weights = rng.random(6).astype("float32")
cases = {
    "mean_squared_error": (reals, reals2), "mean_absolute_error": (reals, reals2),
    "mean_absolute_percentage_error": (reals, reals2),
    "mean_squared_logarithmic_error": (pos, pos[::-1].copy()), "huber": (reals, reals2),
    "log_cosh": (reals, reals2), "hinge": (binary, reals), "squared_hinge": (signs, reals),
    "categorical_hinge": (onehot, reals), "kl_divergence": (soft, probs),
    "poisson": (pos, pos[::-1].copy()), "binary_crossentropy": (binary, probs),
    "categorical_crossentropy": (onehot, probs),
    "sparse_categorical_crossentropy": (labels, probs),
    "categorical_focal_crossentropy": (onehot, probs),
}
classes = {"mean_squared_error": "MeanSquaredError", "mean_absolute_error": "MeanAbsoluteError",
           "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
           "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError", "huber": "Huber",
           "log_cosh": "LogCosh", "hinge": "Hinge", "squared_hinge": "SquaredHinge",
           "categorical_hinge": "CategoricalHinge", "kl_divergence": "KLDivergence",
           "poisson": "Poisson", "binary_crossentropy": "BinaryCrossentropy",
           "categorical_crossentropy": "CategoricalCrossentropy",
           "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
           "categorical_focal_crossentropy": "CategoricalFocalCrossentropy"}
out = {"functions": {}, "classes": {}, "sample_weight": weights.tolist()}
for name, (t, p) in cases.items():
    values = keras.ops.convert_to_numpy(getattr(keras.losses, name)(t, p))
    cls = getattr(keras.losses, classes[name])
    out["functions"][name] = {"y_true": t.tolist(), "y_pred": p.tolist(),
                              "values": values.tolist()}
    out["classes"][classes[name]] = {
        "function": name,
        "mean": float(cls()(t, p)),
        "weighted": float(cls()(t, p, sample_weight=weights)),
        "sum": float(cls(reduction="sum")(t, p)),
        "mean_with_sample_weight": float(cls(reduction="mean_with_sample_weight")(
            t, p, sample_weight=weights)),
    }
# options
out["options"] = {
    "focal_gamma_alpha_smoothing": float(keras.losses.CategoricalFocalCrossentropy(
        alpha=0.5, gamma=1.0, label_smoothing=0.1)(onehot, probs)),
    "focal_from_logits": float(keras.losses.CategoricalFocalCrossentropy(from_logits=True)(
        onehot, reals)),
    "bce_labels_n_vs_n1": float(keras.losses.BinaryCrossentropy()(
        binary[:, 0], probs[:, :1])),
    "scce_ignore_class": float(keras.losses.SparseCategoricalCrossentropy(ignore_class=2)(
        labels, probs)),
    "labels": labels.tolist(),
}


def saturated(kind):
    """A batch whose softmax (sigmoid) outputs saturate: the wrong class near 1."""
    x = np.array([[4.0, -3.0], [-5.0, 6.0], [3.0, 3.0], [-4.0, -6.0]], dtype="float32")
    if kind == "softmax":
        kernel = np.array([[9.0, -8.0, 1.0], [-7.0, 8.0, 2.0]], dtype="float32")
        y = np.eye(3, dtype="float32")[[1, 0, 2, 1]]
        loss, units = "categorical_crossentropy", 3
    else:
        kernel = np.array([[9.0], [-8.0]], dtype="float32")
        y = np.array([[0.0], [1.0], [1.0], [1.0]], dtype="float32")
        loss, units = "binary_crossentropy", 1
    bias = np.zeros(units, dtype="float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(units, activation=kind)])
    model.set_weights([kernel, bias])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    before = float(model.evaluate(x, y, verbose=0))
    cls = getattr(keras.losses, classes[loss])
    direct = float(cls()(y, model.predict(x, verbose=0)))
    train = float(model.train_on_batch(x, y))
    after = [w.tolist() for w in model.get_weights()]
    return {"x": x.tolist(), "y": y.tolist(), "kernel": kernel.tolist(), "loss": loss,
            "evaluate": before, "direct": direct, "train_on_batch": train, "weights": after}


out["saturated"] = {"softmax": saturated("softmax"), "sigmoid": saturated("sigmoid")}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.abspath(OUT), json.dumps(out["saturated"]["softmax"]["evaluate"]))
