"""Issue 15 §4: one definition of the cross-entropy of probabilities, in training, in
evaluation and when a loss object is called directly. On a batch whose softmax (sigmoid)
outputs saturate, all three give Keras-torch's number, and one SGD step lands on
Keras-torch's weights (fixture: scripts/keras_fixtures/losses.py)."""

import json
import pathlib

import numpy as np
import pytest

from lamina import layers, losses, models, optimizers

CASES = json.loads((pathlib.Path(__file__).parent / "data" / "keras_losses.json")
                   .read_text())["saturated"]


@pytest.mark.parametrize("kind", ["softmax", "sigmoid"])
def test_train_evaluate_and_direct_losses_agree_with_keras_torch(kind):
    case = CASES[kind]
    x, y = np.array(case["x"], dtype="float32"), np.array(case["y"], dtype="float32")
    kernel = np.array(case["kernel"], dtype="float32")
    model = models.Sequential([layers.Input((2,)),
                               layers.Dense(kernel.shape[1], activation=kind)])
    model.set_weights([kernel, np.zeros(kernel.shape[1], dtype="float32")])
    model.compile(optimizer=optimizers.SGD(0.1), loss=case["loss"])
    evaluated = model.evaluate(x, y, verbose=0)
    direct = float(losses.get(case["loss"])(y, model.predict(x, verbose=0)).data)
    trained = model.train_on_batch(x, y)
    # the same float32 arithmetic on one batch of 4: equal to a few ulps of values ~10
    assert evaluated == pytest.approx(case["evaluate"], rel=1e-6)
    assert direct == pytest.approx(evaluated, rel=1e-6)
    assert trained == pytest.approx(evaluated, rel=1e-6)
    assert evaluated > 5  # saturated indeed: the clip at 1e-7 decides the value
    for got, want in zip(model.get_weights(), case["weights"]):
        np.testing.assert_allclose(got, np.array(want), rtol=1e-6, atol=1e-6)
