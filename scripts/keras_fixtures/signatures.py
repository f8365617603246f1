"""Write tests/layers/data/keras_signatures.json: the constructor signatures (argument
names and defaults) of the Keras 3.15.1 layers, metrics and losses of issue 15 §2.

    KERAS_BACKEND=torch /work/kerasenv-layers/bin/python scripts/keras_fixtures/signatures.py
"""

import inspect
import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "layers", "data",
                   "keras_signatures.json")
NAMES = {
    "layers": ["Lambda", "SeparableConv2D", "DepthwiseConv2D", "Rescaling", "Resizing",
               "Normalization", "RandomFlip", "RandomRotation", "RandomZoom",
               "RandomTranslation", "RandomContrast", "RandomErasing", "Permute",
               "UpSampling1D", "PReLU"],
    "metrics": ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
                "Precision", "Recall", "AUC", "F1Score", "FBetaScore"],
    "losses": ["Loss", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence",
               "CategoricalFocalCrossentropy", "BinaryCrossentropy", "CategoricalCrossentropy",
               "SparseCategoricalCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
               "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber",
               "LogCosh", "Poisson", "Dice"],
    "loss_functions": ["binary_crossentropy", "categorical_crossentropy",
                       "sparse_categorical_crossentropy", "categorical_focal_crossentropy",
                       "hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
                       "mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
                       "poisson", "mean_absolute_percentage_error",
                       "mean_squared_logarithmic_error"],
}


def describe(fn):
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        default = None if p.default is p.empty else repr(p.default)
        out.append([p.name, p.default is p.empty, default])
    return out


result = {}
for module, names in NAMES.items():
    source = getattr(keras, "losses" if module == "loss_functions" else module)
    for name in names:
        obj = getattr(source, name)
        result[f"{module}.{name}"] = describe(obj.__init__ if isinstance(obj, type) else obj)
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(result, f, indent=1, sort_keys=True)
print("wrote", os.path.abspath(OUT), len(result))
