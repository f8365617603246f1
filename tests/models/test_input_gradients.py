"""Gradients with respect to a model's input: a Tensor (or Variable) with requires_grad
flows through ``Model.__call__``, so an image can be optimized with any optimizer while
the network stays fixed (style transfer, feature visualization)."""

import numpy as np
import pytest

from lamina.autograd import Variable
from lamina.autograd import ops as F
from lamina.initializers import GlorotUniform
from lamina.layers import AveragePooling2D, Conv2D, Dense, Flatten, Input
from lamina.models import Model
from lamina.optimizers import SGD, Adam
from tests.gradcheck import check_grad


def feature_extractor(dtype=None):
    """Two outputs at two scales, as a style network has."""
    image = Input(shape=(6, 6, 2), dtype=dtype)
    c1 = Conv2D(3, 3, padding="same", activation="tanh", name="c1", dtype=dtype,
                kernel_initializer=GlorotUniform(0))(image)
    c2 = Conv2D(2, 3, activation="tanh", name="c2", dtype=dtype,
                kernel_initializer=GlorotUniform(1))(AveragePooling2D(2, dtype=dtype)(c1))
    return Model(image, [c1, c2])


def test_gradient_of_both_outputs_wrt_the_input_matches_central_differences():
    model = feature_extractor("float64")
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 2))

    def both(t):
        c1, c2 = model(t)
        return F.concatenate([F.reshape(c1, (2, -1)), F.reshape(c2, (2, -1))], axis=1)

    (grad,) = check_grad(both, x)
    assert np.abs(grad).sum() > 0
    for v in model.weights:
        assert v.grad is not None  # the weights got theirs too; the optimizer below skips them


def test_optimizing_an_image_matches_the_features_of_another():
    model = feature_extractor()
    weights = [w.copy() for w in model.get_weights()]
    rng = np.random.default_rng(1)
    target = [t for t in model.predict(rng.random((1, 6, 6, 2)), verbose=0)]
    start = rng.random((1, 6, 6, 2)).astype("float32")

    def loss_value():
        c1, c2 = model(image)
        return F.mean((c1 - target[0]) ** 2) + F.mean((c2 - target[1]) ** 2)

    for optimizer in (Adam(0.05), SGD(0.5, momentum=0.9)):
        image = Variable(start.copy(), name="image")
        first = float(loss_value().data)
        for _ in range(60):
            image.grad = None
            loss = loss_value()
            loss.backward()
            optimizer.apply_gradients([(image.grad, image)])
        last = float(loss_value().data)
        assert last < 0.2 * first, (type(optimizer).__name__, first, last)
        assert not np.array_equal(image.data, start)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)  # only the image moved


def test_input_gradient_through_a_one_output_model_by_hand():
    x = Input(shape=(3,))
    model = Model(x, Dense(1, use_bias=False, kernel_initializer=GlorotUniform(2))(
        Flatten()(x)))
    t = Variable(np.array([[1.0, 2.0, 3.0]], "float32"), name="x")
    F.sum(model(t) ** 2).backward()
    k = model.layers[-1].kernel.data[:, 0]
    np.testing.assert_allclose(t.grad[0], 2 * float(t.data[0] @ k) * k, rtol=1e-6)
    with pytest.raises(ValueError, match="expected shape"):
        model(Variable(np.ones((1, 4), "float32")))
