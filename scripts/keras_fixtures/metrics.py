"""Write tests/metrics/data/keras_confusion_metrics.json with Keras 3.15.1 (torch backend).

    KERAS_BACKEND=torch /work/kerasenv-layers/bin/python scripts/keras_fixtures/metrics.py
Two batches of (8, 3) labels and scores, with and without sample weights; the result of
each configured metric after both batches.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "metrics", "data",
                   "keras_confusion_metrics.json")
rng = np.random.default_rng(150)
batches = []
for _ in range(2):
    y_true = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]
    y_true[rng.random(8) > 0.7, 1] = 1.0  # a few samples with two labels
    y_pred = rng.random((8, 3)).astype("float32")
    weight = rng.random(8).astype("float32")
    batches.append({"y_true": y_true.tolist(), "y_pred": y_pred.tolist(),
                    "sample_weight": weight.tolist()})
CONFIGS = [
    ("TruePositives", {}), ("FalsePositives", {}), ("TrueNegatives", {}),
    ("FalseNegatives", {}), ("TruePositives", {"thresholds": [0.2, 0.5, 0.8]}),
    ("FalseNegatives", {"thresholds": [0.3, 0.6]}),
    ("Precision", {}), ("Recall", {"thresholds": 0.3}), ("Precision", {"top_k": 1}),
    ("Recall", {"class_id": 1}), ("AUC", {}), ("AUC", {"num_thresholds": 20}),
    ("AUC", {"curve": "PR"}), ("AUC", {"summation_method": "minoring"}),
    ("AUC", {"label_weights": [1.0, 2.0, 0.5]}),
    ("F1Score", {}), ("F1Score", {"average": "micro"}), ("F1Score", {"average": "macro"}),
    ("F1Score", {"average": "weighted"}), ("F1Score", {"threshold": 0.5}),
    ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.4}),
]
results = []
for name, config in CONFIGS:
    for weighted in (False, True):
        m = getattr(keras.metrics, name)(**config)
        for b in batches:
            m.update_state(np.array(b["y_true"]), np.array(b["y_pred"]),
                           sample_weight=np.array(b["sample_weight"]) if weighted else None)
        value = keras.ops.convert_to_numpy(m.result())
        results.append({"class": name, "config": config, "weighted": weighted,
                        "result": np.asarray(value, dtype="float64").tolist()})
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"batches": batches, "results": results}, f, indent=1)
print("wrote", os.path.abspath(OUT), len(results))
