"""examples/fashion_mnist_resnet.py runs end to end on a slice (the full run's accuracy and
time are the issue's report, not a test)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.examples import child_env
from tests.examples.data import import_example, needs_fashion_mnist

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fashion_mnist_resnet.py"


def test_network_shape_and_cost():
    from lamina.applications.cost import model_cost

    model = import_example("fashion_mnist_resnet").build((8, 16, 32))
    assert model.output_shape == (None, 10)
    c = model_cost(model)
    # 3x3 convolutions without biases: 28x28 1->8; 14x14 8->16, 16->16 twice; 7x7 16->32,
    # 32->32 twice; then 32 -> 10
    macs = (28 * 28 * 9 * 8 + 14 * 14 * 9 * (8 * 16 + 2 * 16 * 16)
            + 7 * 7 * 9 * (16 * 32 + 2 * 32 * 32) + 32 * 10)
    assert c["macs"] == macs
    bn = 4 * (8 + 3 * 16 + 3 * 32)  # gamma, beta and the two moving statistics
    convs = 9 * (8 + 8 * 16 + 2 * 16 * 16 + 16 * 32 + 2 * 32 * 32)
    assert model.count_params() == convs + bn + 32 * 10 + 10


def test_mirror_average_is_symmetric():
    example = import_example("fashion_mnist_resnet")
    model = example.build((4, 4, 4))
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
    a, b = example.predict_with_mirror(model, x), example.predict_with_mirror(model, x[:, :, ::-1])
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a.sum(axis=1), 1, rtol=1e-5)


@needs_fashion_mnist
def test_resnet_quick_run_learns_and_records_the_curve(tmp_path):
    pytest.importorskip("matplotlib")
    done = subprocess.run([sys.executable, str(EXAMPLE), "--quick", "--out",
                           str(tmp_path / "run")], cwd=tmp_path, env=child_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "train (1280, 28, 28, 1), test (500, 28, 28, 1)" in done.stdout
    record = json.loads((tmp_path / "run" / "history.json").read_text())
    assert record["batch_size"] == 32 and record["epochs"] == 1
    assert record["erasing"] == 0.0 and record["erasing_area"] == 0.4  # off by default
    # 40 steps on 1,280 images (chance is 0.10)
    assert record["history"]["accuracy"][0] > 0.35
    assert record["test_accuracy"] > 0.35
    assert len(record["history"]["val_accuracy"]) == len(record["epoch_end_cpu_s"]) == 1
    assert "464,810 parameters" in done.stdout
    assert (tmp_path / "run" / "curve.png").stat().st_size > 10_000
