import warnings

import numpy as np
import pytest

from lamina import Tensor
from lamina.autograd import ops
from tests.gradcheck import check_grad

rng = np.random.default_rng(7)
EPS = 1e-7


# ----------------------------------------------------------- plain NumPy references
def ref_mse(t, p):
    return np.mean((p - t) ** 2, axis=-1)


def ref_mae(t, p):
    return np.mean(np.abs(p - t), axis=-1)


def ref_huber(t, p, delta=1.0):
    e = p - t
    return np.mean(np.where(np.abs(e) <= delta, 0.5 * e**2, delta * np.abs(e) - 0.5 * delta**2),
                   axis=-1)


def ref_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), axis=-1)


def ref_bce_logits(t, x):
    return ref_bce(t, 1 / (1 + np.exp(-x)))


def ref_cce(t, p, axis=-1):
    p = np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=axis)


def ref_cce_logits(t, x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return -np.sum(t * np.log(e / e.sum(axis=axis, keepdims=True)), axis=axis)


def onehot(labels, n):
    return np.eye(n)[labels]


def probs(shape):
    return rng.uniform(0.05, 0.95, shape)


SHAPES = [(5,), (4, 3), (2, 3, 4)]


# ------------------------------------------------------- regression losses and BCE
DENSE = {
    "mse": (ops.mse, ref_mse, lambda s: rng.standard_normal(s)),
    "mae": (ops.mae, ref_mae, lambda s: rng.standard_normal(s)),
    "huber": (ops.huber, ref_huber, lambda s: rng.standard_normal(s) * 2),
    "huber_delta": (lambda t, p: ops.huber(t, p, delta=0.3),
                    lambda t, p: ref_huber(t, p, 0.3), lambda s: rng.standard_normal(s)),
    "bce": (ops.binary_crossentropy, ref_bce, probs),
    "bce_logits": (lambda t, p: ops.binary_crossentropy(t, p, from_logits=True),
                   ref_bce_logits, lambda s: rng.standard_normal(s) * 3),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(DENSE))
def test_dense_loss_forward_and_gradient(name, shape):
    loss, ref, make_pred = DENSE[name]
    t = rng.uniform(0, 1, shape) if name.startswith("bce") else rng.standard_normal(shape)
    p = make_pred(shape)
    if name.startswith(("mae", "huber")):  # keep |p - t| away from the kinks 0 and delta
        gap = np.abs(p - t)
        p = np.where(gap < 0.05, t + 0.1, p)
        p = np.where(np.abs(gap - 0.3) < 0.05, t + 0.5, p)
        p = np.where(np.abs(gap - 1.0) < 0.05, t + 1.5, p)
    out = loss(Tensor(t, dtype="float64"), Tensor(p, dtype="float64"))
    assert out.shape == shape[:-1]
    np.testing.assert_allclose(out.data, ref(t, p), rtol=1e-12)
    check_grad(loss, t, p)  # both y_true and y_pred


def test_huber_is_quadratic_inside_delta_and_linear_outside():
    out = ops.huber(np.zeros((1, 4)), Tensor([[0.5, -1.0, 3.0, -2.0]]), delta=1.0)
    np.testing.assert_allclose(out.data, [(0.125 + 0.5 + 2.5 + 1.5) / 4])


def test_bce_clips_probabilities_like_keras():
    t = np.array([[1.0, 0.0, 1.0, 0.0]])
    out = ops.binary_crossentropy(t, Tensor([[0.0, 1.0, 1.0, 0.0]], dtype="float64"))
    np.testing.assert_allclose(out.data, [-np.log(EPS) / 2], rtol=1e-6)  # two clipped misses
    p = Tensor([[0.0, 1.0, 0.5, 0.5]], dtype="float64", requires_grad=True)
    ops.binary_crossentropy(t, p).sum().backward()
    np.testing.assert_allclose(p.grad, [[0, 0, -0.5, 0.5]])  # clipped entries: no gradient


def test_label_smoothing_matches_keras_formula():
    t, p = rng.integers(0, 2, (4, 3)).astype(float), probs((4, 3))
    got = ops.binary_crossentropy(t, Tensor(p, dtype="float64"), label_smoothing=0.2)
    np.testing.assert_allclose(got.data, ref_bce(t * 0.8 + 0.1, p), rtol=1e-12)
    x = rng.standard_normal((4, 3))
    t = onehot(rng.integers(0, 3, 4), 3)
    for logits, ref in [(False, ref_cce), (True, ref_cce_logits)]:
        pred = probs((4, 3)) if not logits else x
        got = ops.categorical_crossentropy(t, Tensor(pred, dtype="float64"), from_logits=logits,
                                           label_smoothing=0.3)
        np.testing.assert_allclose(got.data, ref(t * 0.7 + 0.1, pred), rtol=1e-12)
        check_grad(lambda a, b, lg=logits: ops.categorical_crossentropy(
            a, b, from_logits=lg, label_smoothing=0.3), t, pred)
    check_grad(lambda a, b: ops.binary_crossentropy(a, b, from_logits=True, label_smoothing=0.1),
               t, x)


def test_trailing_axis_of_one_aligns_like_keras():
    t, p = rng.standard_normal(4), rng.standard_normal((4, 1))
    for a, b in [(t, p), (t[:, None], p[:, 0])]:
        out = ops.mse(a, Tensor(b, dtype="float64"))
        assert out.shape == (4,)  # rank-1 side expanded: one loss per sample
        np.testing.assert_allclose(out.data, (t - p[:, 0]) ** 2)
    check_grad(ops.mse, t, p)
    t3, p3 = rng.standard_normal((2, 3, 1)), rng.standard_normal((2, 3))
    assert ops.mae(t3, Tensor(p3)).shape == (2,)  # higher rank: squeezed
    check_grad(ops.binary_crossentropy, t3 * 0 + 0.5, probs((2, 3)))


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "binary_crossentropy",
                                  "categorical_crossentropy"])
def test_shape_mismatch_names_the_loss(name):
    with pytest.raises(ValueError, match=rf"{name}: y_true and y_pred must have the same shape.*"
                                         r"y_true.shape=\(4, 2\) and y_pred.shape=\(4, 3\)"):
        getattr(ops, name)(np.zeros((4, 2)), Tensor(np.full((4, 3), 0.5)))


def test_bad_arguments_name_the_loss():
    with pytest.raises(ValueError, match=r"huber: delta must be a number > 0; received delta=0"):
        ops.huber(np.zeros((2, 2)), Tensor(np.zeros((2, 2))), delta=0)
    with pytest.raises(ValueError, match=r"binary_crossentropy: label_smoothing must be a number"):
        ops.binary_crossentropy(np.zeros(2), Tensor([0.5, 0.5]), label_smoothing=2)
    with pytest.raises(ValueError, match=r"categorical_crossentropy: axis must be an integer"):
        ops.categorical_crossentropy(np.ones((2, 2)), Tensor(np.ones((2, 2))), axis=2)
    with pytest.raises(TypeError, match="mse: expected a float array"):
        ops.mse(np.zeros(3), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="mse: y_pred must have at least one axis"):
        ops.mse(1.0, Tensor(2.0))
    with pytest.warns(UserWarning, match="categorical_crossentropy: y_pred has a single class"):
        ops.categorical_crossentropy(np.ones((3, 1)), Tensor(np.ones((3, 1))))


def test_float32_stays_float32_and_int_targets_are_cast():
    p = Tensor(np.full((3, 2), 0.25, dtype=np.float32), requires_grad=True)
    t = np.array([[1, 0], [0, 1], [1, 0]])  # an int one-hot array, as users have
    for loss in [ops.mse, ops.mae, ops.huber, ops.binary_crossentropy,
                 ops.categorical_crossentropy,
                 lambda a, b: ops.categorical_crossentropy(a, b, from_logits=True),
                 lambda a, b: ops.binary_crossentropy(a, b, from_logits=True)]:
        p.grad = None
        out = loss(t, p)
        assert out.dtype == np.float32
        out.sum().backward()
        assert p.grad.dtype == np.float32
    y = Tensor(t.astype(np.float64), requires_grad=True)  # a float64 target tensor
    ops.categorical_crossentropy(y, p).sum().backward()
    assert y.grad.dtype == np.float64


# ---------------------------------------------------------- categorical cross-entropy
@pytest.mark.parametrize("shape,axis", [((4, 3), -1), ((5,), -1), ((2, 3, 4), -1), ((3, 4), 0),
                                        ((2, 3, 4), 1)])
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_forward_and_gradient(shape, axis, from_logits):
    n = shape[axis]
    others = tuple(np.delete(shape, axis % len(shape)))
    t = np.moveaxis(rng.dirichlet(np.ones(n), others), -1, axis)  # soft targets, sum 1
    t = np.ascontiguousarray(t)  # check_grad perturbs a reshape(-1) view: needs C order
    t[..., 0] *= 1.5  # and one not summing to 1: Keras does not normalise targets
    pred = rng.standard_normal(shape) * 2 if from_logits else probs(shape)
    ref = ref_cce_logits if from_logits else ref_cce
    out = ops.categorical_crossentropy(t, Tensor(pred, dtype="float64"), from_logits=from_logits,
                                       axis=axis)
    np.testing.assert_allclose(out.data, ref(t, pred, axis=axis), rtol=1e-12)
    check_grad(lambda a, b: ops.categorical_crossentropy(a, b, from_logits=from_logits,
                                                         axis=axis), t, pred)


def test_categorical_normalises_probabilities_by_their_sum():
    t = onehot([0, 2], 3)
    p = np.array([[2.0, 1.0, 1.0], [1.0, 1.0, 6.0]])  # rows sum to 4 and 8
    out = ops.categorical_crossentropy(t, Tensor(p, dtype="float64"))
    np.testing.assert_allclose(out.data, [-np.log(0.5), -np.log(0.75)])
    check_grad(ops.categorical_crossentropy, t, p)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label_shape", ["flat", "column"])
def test_sparse_matches_categorical_and_gradients(from_logits, label_shape):
    labels = rng.integers(0, 4, 5)
    y = labels[:, None] if label_shape == "column" else labels
    pred = rng.standard_normal((5, 4)) * 2 if from_logits else probs((5, 4))
    ref = ref_cce_logits if from_logits else ref_cce
    out = ops.sparse_categorical_crossentropy(y, Tensor(pred, dtype="float64"),
                                              from_logits=from_logits)
    assert out.shape == (5,)
    np.testing.assert_allclose(out.data, ref(onehot(labels, 4), pred), rtol=1e-12)
    gs = check_grad(lambda b: ops.sparse_categorical_crossentropy(y, b, from_logits=from_logits),
                    pred)
    gc = check_grad(lambda b: ops.categorical_crossentropy(onehot(labels, 4), b,
                                                           from_logits=from_logits), pred)
    np.testing.assert_allclose(gs[0], gc[0], rtol=1e-12)


def test_sparse_handles_sequences_and_float_labels():
    labels = rng.integers(0, 3, (2, 4))
    x = rng.standard_normal((2, 4, 3))
    out = ops.sparse_categorical_crossentropy(labels.astype(np.float32), Tensor(x), True)
    np.testing.assert_allclose(out.data, ref_cce_logits(onehot(labels, 3), x), rtol=1e-5)
    check_grad(lambda b: ops.sparse_categorical_crossentropy(labels, b, from_logits=True), x)


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot():
    x = rng.standard_normal((3, 4))
    labels = np.array([0, 3, 1])
    t = Tensor(x, dtype="float64", requires_grad=True)
    ops.sparse_categorical_crossentropy(labels, t, from_logits=True).sum().backward()
    s = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    np.testing.assert_allclose(t.grad, s - onehot(labels, 4), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_logits_give_finite_losses_and_gradients(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    labels = np.array([0, 0, 2])
    t = onehot(labels, 3)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        results = []
        for loss in [lambda p: ops.sparse_categorical_crossentropy(labels, p, from_logits=True),
                     lambda p: ops.categorical_crossentropy(t, p, from_logits=True),
                     lambda p: ops.binary_crossentropy(t, p, from_logits=True)]:
            p = Tensor(x, requires_grad=True)
            out = loss(p)
            out.sum().backward()
            assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(p.grad))
            results.append((out.data, p.grad))
    want = [0.0, 2e4, 2e4 + np.log(2)]  # -log softmax at the label
    np.testing.assert_allclose(results[0][0], want, rtol=1e-6)
    np.testing.assert_allclose(results[1][0], want, rtol=1e-6)
    np.testing.assert_allclose(results[0][1], [[0, 0, 0], [-1, 1, 0], [0.5, 0.5, -1]], atol=1e-6)
    np.testing.assert_allclose(results[2][0], [np.log(2) / 3, 2e4 / 3, 1e4], rtol=1e-6)


def test_sparse_label_errors_are_clear():
    p = Tensor(np.full((3, 4), 0.25))
    name = "sparse_categorical_crossentropy"
    with pytest.raises(ValueError, match=rf"{name}: label 4 is out of range for n_classes=4 "
                                         r".*integers in \[0, 3\]"):
        ops.sparse_categorical_crossentropy(np.array([0, 4, 1]), p)
    with pytest.raises(ValueError, match=rf"{name}: label -1 is out of range for n_classes=4"):
        ops.sparse_categorical_crossentropy([0, -1, 1], p)
    with pytest.raises(ValueError, match=rf"{name}: labels must be whole numbers.*received 1.5"):
        ops.sparse_categorical_crossentropy(np.array([0.0, 1.5, 1.0]), p)
    with pytest.raises(ValueError, match=rf"{name}: y_true must hold one label per sample, of "
                                         r"shape \(3,\) or \(3, 1\).*y_true.shape=\(3, 4\)"):
        ops.sparse_categorical_crossentropy(np.zeros((3, 4), dtype=int), p)
    with pytest.raises(TypeError, match=rf"{name}: y_true must hold integer class labels"):
        ops.sparse_categorical_crossentropy(np.array([True, False, True]), p)


def test_nan_predictions_propagate():
    p = Tensor([[np.nan, 0.5], [0.2, 0.8]])
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    for loss in [ops.mse, ops.mae, ops.huber, ops.binary_crossentropy,
                 ops.categorical_crossentropy]:
        out = loss(t, p).data
        assert np.isnan(out[0]) and np.isfinite(out[1]), loss.__name__
    out = ops.sparse_categorical_crossentropy([0, 1], p, from_logits=True).data
    assert np.isnan(out[0]) and np.isfinite(out[1])
