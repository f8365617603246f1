"""examples/fashion_mnist_cnn.py and examples/iris_mlp.py run end to end on small slices.

The full runs (>= 93% on Fashion-MNIST, >= 96% on Iris) take minutes and are reported in
the issue's closing note; here each example trains briefly and must clearly beat chance.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.examples import child_env
from tests.examples.data import needs_fashion_mnist

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"



def _have_sklearn() -> bool:
    try:
        import sklearn.datasets  # noqa: F401
    except ImportError:
        return False
    return True


def run(args, tmp_path):
    done = subprocess.run([sys.executable, *map(str, args)], cwd=tmp_path, env=child_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def number_after(text, label):
    return float(text.split(label)[1].split()[0])


@needs_fashion_mnist
def test_fashion_mnist_cnn_quick_trains_and_saves(tmp_path):
    out = run([EXAMPLES / "fashion_mnist_cnn.py", "--quick", "--out", tmp_path / "run"],
              tmp_path)
    assert "train (1024, 28, 28, 1), validation (256, 28, 28, 1), test (500, 28, 28, 1)" in out
    accuracy = number_after(out, "test accuracy:")
    assert accuracy > 0.6  # one epoch on 1,024 images; chance is 0.10
    assert "wall time:" in out and "images/s" in out
    record = json.loads((tmp_path / "run" / "history.json").read_text())
    assert record["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)
    assert record["epochs"] == 1 and record["batch_size"] == 16 and record["quick"] is True
    assert len(record["history"]["val_accuracy"]) == 1
    assert record["history"]["val_accuracy"][0] > 0.5  # batch norm's moving stats caught up

    import numpy as np

    from lamina.models import load_model

    model = load_model(str(tmp_path / "run" / "model.lamina"))
    assert model.count_params() == 1_702_570
    probabilities = model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0)
    assert probabilities.shape == (2, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.skipif(not _have_sklearn(), reason="Iris comes from scikit-learn "
                    "(pip install 'lamina[interop]')")
def test_iris_mlp_stratified_split_and_accuracy(tmp_path):
    out = run([EXAMPLES / "iris_mlp.py"], tmp_path)
    assert "train (120, 4), test (30, 4); test flowers per class: [10, 10, 10]" in out
    accuracy = number_after(out, "test accuracy:")
    assert accuracy >= 0.96  # seed 0's split; the full script reports the same number
    matrix = [line.split()[1:] for line in out.splitlines()
              if line.startswith(("setosa", "versicolor", "virginica"))]
    assert len(matrix) == 3
    counts = [[int(c) for c in row] for row in matrix]
    assert [sum(row) for row in counts] == [10, 10, 10]
    assert sum(counts[i][i] for i in range(3)) == round(accuracy * 30)
