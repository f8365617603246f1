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
    (g,) = check_grad(lambda t: R.L1L2(0.3, 0.2)(t), w)
    r = np.random.default_rng(0).standard_normal(())  # check_grad's weight on the output
    np.testing.assert_allclose(g, r * (0.3 * np.sign(w) + 2 * 0.2 * w), rtol=1e-12)  # by hand
    for mode in ("rows", "columns"):
        (g,) = check_grad(lambda t, mode=mode: R.OrthogonalRegularizer(0.5, mode=mode)(t), w)
        assert g.shape == w.shape and np.abs(g).max() > 0


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


# ------------------------------------------------- Keras 3's lowercase aliases and names
def test_lowercase_aliases_are_the_classes():
    # keras.regularizers.l1 / l2 / l1_l2 / orthogonal_regularizer are the classes themselves
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2
    assert R.orthogonal_regularizer is R.OrthogonalRegularizer
    assert {"l1", "l2", "l1_l2", "orthogonal_regularizer"} <= set(R.__all__)


def test_lowercase_aliases_give_exact_penalties():
    w = Tensor(W)  # sum|w| = 4, sum w^2 = 6.5
    assert R.l1(0.01)(w).item() == pytest.approx(0.01 * 4.0)
    assert R.l2(0.01)(w).item() == pytest.approx(0.01 * 6.5)
    assert R.l1_l2(l1=0.01, l2=0.01)(w).item() == pytest.approx(0.01 * 4.0 + 0.01 * 6.5)
    assert R.l1()(w).item() == pytest.approx(0.04) and R.l2()(w).item() == pytest.approx(0.065)
    assert R.l1_l2()(w).item() == 0.0  # Keras 3 defaults: l1=0, l2=0


def test_lowercase_aliases_serialize_as_keras_does():
    assert R.serialize(R.l1_l2(l1=0.01, l2=0.02)) == {
        "class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.02}}
    clone = R.L2.from_config(R.l2(0.3).get_config())
    assert type(clone) is R.L2 and clone.l2 == 0.3
    assert R.deserialize({"class_name": "l1_l2", "config": {"l1": 0.1}}).get_config() == {
        "l1": 0.1, "l2": 0.0}


def test_lowercase_alias_errors_name_the_argument():
    with pytest.raises(ValueError, match="L2: l2 must be a non-negative float; received l2=-0.5"):
        R.l2(-0.5)
    with pytest.raises(ValueError, match="L1L2: l1 must be .* received l1='0.01'"):
        R.l1_l2(l1="0.01")


def _dense_model(kernel_regularizer):
    from lamina.layers import Dense, Input
    from lamina.models import Sequential

    model = Sequential([Input(shape=(2,)),
                        Dense(2, kernel_regularizer=kernel_regularizer, name="d")])
    model.set_weights([W, np.zeros(2, dtype=np.float32)])
    return model


@pytest.mark.parametrize("name,cls,config", [
    ("l1", R.L1, {"l1": 0.01}), ("l2", R.L2, {"l2": 0.01}),
    ("l1_l2", R.L1L2, {"l1": 0.0, "l2": 0.0})])
def test_string_names_in_kernel_regularizer(name, cls, config):
    layer = _dense_model(name).get_layer("d")
    assert type(layer.kernel_regularizer) is cls
    assert layer.get_config()["kernel_regularizer"] == {"class_name": cls.__name__,
                                                         "config": config}


def test_l2_adds_exactly_its_penalty_to_the_loss():
    model = _dense_model(R.l2(0.01))
    [penalty] = model.losses
    assert penalty.item() == pytest.approx(0.01 * float(np.sum(W ** 2)))  # 0.065
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype=np.float32)
    y = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    model.compile(optimizer="sgd", loss="mse")
    mse = float(np.mean((x @ W - y) ** 2))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse + 0.065, rel=1e-6)


def test_l1_l2_alias_survives_config_and_model_saving(tmp_path):
    from lamina.models import Sequential, load_model

    model = _dense_model(R.l1_l2(l1=0.01, l2=0.01))
    expected = 0.01 * 4.0 + 0.01 * 6.5
    clone = Sequential.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    path = tmp_path / "model.lamina"
    model.save(path)
    loaded = load_model(path)
    for m in (clone, loaded):
        reg = m.get_layer("d").kernel_regularizer
        assert type(reg) is R.L1L2 and reg.get_config() == {"l1": 0.01, "l2": 0.01}
        assert m.losses[0].item() == pytest.approx(expected)


def test_activity_penalty_is_divided_by_the_batch_size_as_in_keras_3():
    from lamina.layers import Dense, Input
    from lamina.models import Sequential

    x = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    layer = Dense(2, use_bias=False, kernel_initializer="ones", activity_regularizer=R.L1(0.1))
    out = layer(x)  # rows sum to -1 and 3.5: sum |out| = 2 * (1 + 3.5) = 9
    np.testing.assert_allclose(out.data, [[-1.0, -1.0], [3.5, 3.5]])
    assert [p.item() for p in layer.losses] == pytest.approx([0.1 * 9 / 2])
    layer(np.concatenate([x, x, x]))  # the same rows three times: the same penalty
    assert [p.item() for p in layer.losses] == pytest.approx([0.1 * 9 / 2])
    # in a model the penalty is added to the loss: here the predictions are exact (mse 0)
    model = Sequential([Input(shape=(2,)), layer])
    model.compile(loss="mse")
    assert model.evaluate(x, out.data, verbose=0) == pytest.approx(0.45, rel=1e-6)
