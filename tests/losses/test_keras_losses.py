"""Every loss function and class against Keras 3.15.1 (torch backend) on the same inputs
(fixture written by scripts/keras_fixtures/losses.py), float64 gradients of the losses
built here from engine ops, and NumPy inputs accepted everywhere (issue 15 §2)."""

import json
import pathlib

import numpy as np
import pytest

from lamina import losses
from lamina.autograd import Tensor
from tests.gradcheck import check_grad

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "keras_losses.json").read_text())
# Keras computes in float32: a few float32 ulps of values of order 1-10, summed over 4 entries
RTOL, ATOL = 2e-6, 2e-6


@pytest.mark.parametrize("name", sorted(DATA["functions"]))
def test_function_matches_keras_per_sample(name):
    case = DATA["functions"][name]
    y_true = np.array(case["y_true"], dtype="float32")
    y_pred = np.array(case["y_pred"], dtype="float32")
    got = getattr(losses, name)(y_true, y_pred)  # plain NumPy arrays in
    assert got.shape == (len(y_pred),)
    np.testing.assert_allclose(got.data, case["values"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cls_name", sorted(DATA["classes"]))
def test_class_matches_keras_for_every_reduction(cls_name):
    case = DATA["classes"][cls_name]
    fn = DATA["functions"][case["function"]]
    y_true, y_pred = np.array(fn["y_true"]), np.array(fn["y_pred"], dtype="float32")
    sw = np.array(DATA["sample_weight"], dtype="float32")
    cls = getattr(losses, cls_name)
    assert float(cls()(y_true, y_pred).data) == pytest.approx(case["mean"], rel=RTOL, abs=ATOL)
    assert float(cls()(y_true, y_pred, sample_weight=sw).data) == pytest.approx(
        case["weighted"], rel=RTOL, abs=ATOL)
    assert float(cls(reduction="sum")(y_true, y_pred).data) == pytest.approx(
        case["sum"], rel=RTOL, abs=ATOL)
    value = cls(reduction="mean_with_sample_weight")(y_true, y_pred, sample_weight=sw)
    assert float(value.data) == pytest.approx(case["mean_with_sample_weight"], rel=RTOL,
                                              abs=ATOL)
    assert losses.get(case["function"]).name == cls().name
    config = cls().get_config()
    assert losses.deserialize(losses.serialize(cls())).get_config() == config


def test_options_match_keras():
    opt = DATA["options"]
    t = np.array(DATA["functions"]["categorical_crossentropy"]["y_true"], dtype="float32")
    p = np.array(DATA["functions"]["categorical_crossentropy"]["y_pred"], dtype="float32")
    logits = np.array(DATA["functions"]["hinge"]["y_pred"], dtype="float32")
    focal = losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, label_smoothing=0.1)
    assert float(focal(t, p).data) == pytest.approx(opt["focal_gamma_alpha_smoothing"],
                                                    rel=RTOL)
    focal = losses.CategoricalFocalCrossentropy(from_logits=True)
    assert float(focal(t, logits).data) == pytest.approx(opt["focal_from_logits"], rel=RTOL)
    binary = np.array(DATA["functions"]["binary_crossentropy"]["y_true"], dtype="float32")
    probs = np.array(DATA["functions"]["binary_crossentropy"]["y_pred"], dtype="float32")
    # labels (N,) against an (N, 1) output, as from Dense(1, activation="sigmoid")
    value = losses.BinaryCrossentropy()(binary[:, 0], probs[:, :1])
    assert float(value.data) == pytest.approx(opt["bce_labels_n_vs_n1"], rel=RTOL)
    scce = losses.SparseCategoricalCrossentropy(ignore_class=2)
    assert float(scce(np.array(opt["labels"]), p).data) == pytest.approx(
        opt["scce_ignore_class"], rel=RTOL)


def test_function_names_give_the_class_in_compile():
    assert losses.get(losses.mse).name == "mean_squared_error"
    assert losses.get(losses.binary_crossentropy).name == "binary_crossentropy"
    assert losses.mse is losses.mean_squared_error and losses.mae is losses.mean_absolute_error
    assert isinstance(losses.get(losses.Hinge), losses.Hinge)


@pytest.mark.parametrize("name", ["hinge", "squared_hinge", "categorical_hinge",
                                  "kl_divergence", "poisson", "log_cosh",
                                  "mean_squared_logarithmic_error",
                                  "mean_absolute_percentage_error",
                                  "categorical_focal_crossentropy"])
def test_gradients_of_the_composed_losses_in_float64(name):
    rng = np.random.default_rng(3)
    t = rng.dirichlet(np.ones(3), 4)  # in (0, 1): valid for every loss here
    p = rng.dirichlet(np.ones(3), 4) * 0.8 + 0.1
    if name in ("hinge", "squared_hinge"):
        t = np.sign(rng.standard_normal((4, 3)))
    if name == "categorical_hinge":
        t = np.eye(3)[[0, 2, 1, 1]]
    fn = getattr(losses, name)
    check_grad(lambda pred: fn(Tensor(t), pred), p)


def test_a_loss_object_accepts_lists_and_returns_a_scalar_tensor():
    value = losses.MeanSquaredError()([[1.0, 2.0]], [[1.5, 2.5]])
    assert isinstance(value, Tensor) and value.shape == ()
    assert float(value) == float(value.data) == pytest.approx(0.25)  # as Keras tensors
