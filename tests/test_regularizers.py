import json

import numpy as np
import pytest

from lamina import Tensor, Variable
from lamina import regularizers as R
from tests.gradcheck import check_grad

W = np.array([[0.5, -1.5], [2.0, 0.0]], dtype=np.float32)  # sum|w| = 4, sum w^2 = 6.5


def _value_and_grad(reg, w=W):
    v = Variable(w.copy())
    penalty = reg(v)
    penalty.backward()
    return penalty, v.grad


def test_l1_value_and_gradient():
    penalty, grad = _value_and_grad(R.L1(0.1))
    assert penalty.shape == () and penalty.dtype == np.float32
    assert penalty.item() == pytest.approx(0.4)
    np.testing.assert_allclose(grad, [[0.1, -0.1], [0.1, 0.0]])  # sign(w), 0 at w = 0


def test_l2_value_and_gradient():
    penalty, grad = _value_and_grad(R.L2())  # default l2=0.01
    assert penalty.item() == pytest.approx(0.065)
    np.testing.assert_allclose(grad, 0.02 * W, rtol=1e-6)


def test_l1_l2_value_and_gradient():
    penalty, grad = _value_and_grad(R.L1L2(l1=0.1, l2=0.01))
    assert penalty.item() == pytest.approx(0.4 + 0.065)
    np.testing.assert_allclose(grad, 0.1 * np.sign(W) + 0.02 * W, rtol=1e-6)
    assert R.L1L2()(Variable(W)).item() == 0.0  # Keras 3 defaults: l1=0, l2=0


def test_penalty_adds_to_a_loss_and_gradients_accumulate():
    w = Variable(W.copy())
    x = Tensor(np.ones((1, 2), dtype=np.float32))
    loss = (x @ w).sum() + R.L2(0.5)(w)
    loss.backward()
    np.testing.assert_allclose(w.grad, np.ones((2, 2)) + W, rtol=1e-6)  # d/dw 0.5 w^2 = w


def test_gradients_in_float64_match_central_differences():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 4))
    check_grad(lambda t: R.L1L2(0.3, 0.2)(t), w)
    check_grad(lambda t: R.OrthogonalRegularizer(0.5)(t), w)
    check_grad(lambda t: R.OrthogonalRegularizer(0.5, mode="columns")(t), w)


def _orthogonal_reference(w, factor, mode):
    m = w if mode == "rows" else w.T
    unit = m / np.linalg.norm(m, axis=1, keepdims=True)
    gram = unit @ unit.T
    n = len(gram)
    return factor * 0.5 * np.abs(gram[~np.eye(n, dtype=bool)]).sum() / (n * (n - 1) / 2)


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer_value(mode):
    w = np.random.default_rng(1).standard_normal((4, 3))
    got = R.OrthogonalRegularizer(0.1, mode=mode)(Tensor(w)).item()
    assert got == pytest.approx(_orthogonal_reference(w, 0.1, mode), rel=1e-10)
    # the penalty is factor * mean |cos| over pairs of rows: 0 when orthogonal, 1 when parallel
    assert R.OrthogonalRegularizer(1.0)(Tensor(np.eye(3))).item() == pytest.approx(0.0)
    assert R.OrthogonalRegularizer(0.3)(Tensor(np.ones((3, 2)))).item() == pytest.approx(0.3)


def test_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="L1: l1 must be a non-negative float; received l1=-1"):
        R.L1(-1)
    with pytest.raises(ValueError, match="L2: l2 must be .* received l2='a'"):
        R.L2("a")
    with pytest.raises(ValueError, match="L1L2: l2 must be .* received l2=nan"):
        R.L1L2(l2=float("nan"))
    with pytest.raises(ValueError, match="mode must be 'rows' or 'columns'; received mode='r'"):
        R.OrthogonalRegularizer(mode="r")
    with pytest.raises(ValueError, match=r"must be 2-D .* received a tensor of shape \(3,\)"):
        R.OrthogonalRegularizer()(Tensor(np.ones(3)))


@pytest.mark.parametrize("name,cls", [("l1", R.L1), ("l2", R.L2), ("l1_l2", R.L1L2),
                                      ("orthogonal_regularizer", R.OrthogonalRegularizer),
                                      ("L2", R.L2), ("L1L2", R.L1L2)])
def test_get_by_name(name, cls):
    assert type(R.get(name)) is cls


def test_get_other_identifiers_and_did_you_mean():
    reg = R.L1(0.3)
    assert R.get(reg) is reg and R.get(None) is None
    assert R.get({"class_name": "L2", "config": {"l2": 0.2}}).l2 == 0.2
    assert type(R.get(R.L1)) is R.L1

    def custom(x):
        return x.sum()

    assert R.get(custom) is custom
    with pytest.raises(ValueError, match=r"Unknown regularizer: 'l11'\. Did you mean 'l1'"):
        R.get("l11")
    with pytest.raises(ValueError, match="Did you mean 'l1_l2'"):
        R.get("l1l3")


@pytest.mark.parametrize("reg", [R.L1(0.2), R.L2(0.3), R.L1L2(0.1, 0.4),
                                 R.OrthogonalRegularizer(0.2, "columns")])
def test_serialize_round_trip(reg):
    config = json.loads(json.dumps(R.serialize(reg)))
    clone = R.deserialize(config)
    assert type(clone) is type(reg) and clone.get_config() == reg.get_config()
    assert clone(Tensor(W)).item() == pytest.approx(reg(Tensor(W)).item())
