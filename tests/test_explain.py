import json

import numpy as np
import pytest

import lamina.explain as explain_module
from lamina.autograd import Tensor
from lamina.explain import Trace, explain, slides_network
from lamina.layers import Activation, Dense, Flatten, Input
from lamina.models import Sequential

X = [1.0, 0.5]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def slides_by_hand(d=1.0):
    """Seed 003's network computed with plain NumPy: the node values and dJ/dw."""
    (k0, _, _), (k1, _, _), (k2, _, _) = slides_network()
    x = np.array(X)
    A, B = sigmoid(x @ k0)
    C, D = sigmoid(np.array([A, B]) @ k1)
    y = float(np.array([C, D]) @ k2[:, 0])
    dy = y - d
    dC, dD = dy * k2[0, 0], dy * k2[1, 0]
    sC, sD = C * (1 - C), D * (1 - D)
    dA = dC * sC * k1[0, 0] + dD * sD * k1[0, 1]   # w10 (A -> C) and w11 (A -> D)
    return {"A": A, "B": B, "C": C, "D": D, "y": y, "J": 0.5 * (d - y) ** 2,
            "w20": dy * 1 * C, "w21": dy * D, "w10": dC * sC * A, "w12": dC * sC * B,
            "w00": dA * A * (1 - A) * x[0], "w02": dA * A * (1 - A) * x[1], "dJ/dA": dA}


def test_slides_network_values_and_gradients_by_hand():
    trace = explain(slides_network(), X, 1.0)
    ref = slides_by_hand()
    for node in "ABCDy":
        assert trace.values[node] == pytest.approx(ref[node], abs=1e-15)
    assert trace.loss == pytest.approx(ref["J"], abs=1e-15)
    for w in ("w20", "w21", "w10", "w12", "w00", "w02"):
        assert trace.gradients[w] == pytest.approx(ref[w], abs=1e-15)
    assert trace.step("∂J/∂A").value == pytest.approx(ref["dJ/dA"], abs=1e-15)
    assert trace.max_error < 1e-10


def test_the_slide_formula_for_w20_with_numbers():
    trace = explain(slides_network(), X, 1.0)
    step = trace.step("∂J/∂w20")
    assert step.formula == "∂J/∂y · ∂y/∂y_in · ∂y_in/∂w20"
    assert step.expression == "(y − d) · 1 · C"
    assert [f.symbol for f in step.factors] == ["∂J/∂y", "∂y/∂y_in", "∂y_in/∂w20"]
    y, C = trace.values["y"], trace.values["C"]
    assert [f.value for f in step.factors] == [pytest.approx(y - 1.0), 1.0, pytest.approx(C)]
    assert step.numbers == f"(−{1.0 - y:.4g}) · 1 · {C:.4g}"
    assert step.note == "C → y"


def test_text_has_the_slides_formulas_with_numbers():
    text = str(explain(slides_network(), X, 1.0))
    for piece in ("A_in     = w00·x0 + w02·x1 = 0.15·1 + 0.2·0.5 = 0.25",
                  "C_in     = w10·A + w12·B", "y        = 𝟙(y_in)",
                  "J        = ½(d − y)² = ½(1 − 0.826)² = 0.01514",
                  "∂J/∂y    = ∂/∂y ½(d − y)² = y − d = 0.826 − 1 = −0.174",
                  "∂J/∂w20 (C → y) = ∂J/∂y · ∂y/∂y_in · ∂y_in/∂w20",
                  "= (y − d) · 1 · C", "= (−0.174) · 1 · 0.6281 = −0.1093",
                  "∂J/∂C    = ∂J/∂y · ∂y/∂y_in · ∂y_in/∂C",
                  "= ∂J/∂C · σ'(C_in) · A",
                  "∂J/∂A    = ∂J/∂C · ∂C/∂C_in · ∂C_in/∂A + ∂J/∂D · ∂D/∂D_in · ∂D_in/∂A",
                  "= ∂J/∂C · σ'(C_in) · w10 + ∂J/∂D · σ'(D_in) · w11",
                  "∂A/∂A_in = σ'(A_in) = A·(1 − A) = 0.5622·(1 − 0.5622) = 0.2461",
                  "= ∂J/∂A · σ'(A_in) · x0", "Check: lamina's autograd"):
        assert piece in text, piece
    ascii_text = explain(slides_network(), X, 1.0).text(ascii=True)
    assert "dJ/dw20 (C -> y) = dJ/dy * dy/dy_in * dy_in/dw20" in ascii_text
    assert ascii_text.isascii()


def float64_model(activations, widths, seed=0, bias=True):
    from lamina.initializers import GlorotUniform

    layers = [Input(shape=(widths[0],), dtype="float64")]  # float64 all through (autocast)
    for i, (act, units) in enumerate(zip(activations, widths[1:])):
        layers.append(Dense(units, activation=act, use_bias=bias, dtype="float64",
                            kernel_initializer=GlorotUniform(seed + i),
                            bias_initializer="random_normal"))
    return Sequential(layers)


def model_gradients(model, x, d, loss):
    y = model(Tensor(np.asarray(x, "float64")[None], dtype="float64"))
    t = Tensor(np.asarray(d, "float64").reshape(1, -1), dtype="float64")
    if loss == "binary_crossentropy":
        from lamina.autograd import ops as F

        J = -(t * F.log(y) + (1.0 - t) * F.log(1.0 - y)).sum()
    else:
        J = ((t - y) ** 2).sum()
        J = J * 0.5 if loss == "half_squared_error" else J
        J = J / t.size if loss == "mse" else J
    J.backward()
    return [v.grad for v in model.trainable_weights], float(J.data)


@pytest.mark.parametrize("loss", ["half_squared_error", "squared_error", "mse",
                                  "binary_crossentropy"])
def test_trace_equals_the_models_autograd(loss):
    model = float64_model(["tanh", "relu", "sigmoid"], [3, 4, 3, 2])
    x, d = [0.3, -1.2, 0.7], [1.0, 0.0]
    trace = explain(model, x, d, loss=loss)
    grads, J = model_gradients(model, x, d, loss)
    mine = [a for layer in trace.layer_gradients for a in (layer["kernel"], layer["bias"])]
    assert len(mine) == len(grads) == 6
    for a, b in zip(mine, grads):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    assert trace.loss == pytest.approx(J, abs=1e-12)
    assert trace.max_error < 1e-10
    assert trace.gradients["b_y0"] == pytest.approx(grads[-1][0], abs=1e-12)


def test_identity_output_and_activation_layer_folded_in():
    model = Sequential([Input(shape=(2,)), Dense(3, dtype="float64"),
                        Activation("relu", dtype="float64"), Dense(1, dtype="float64")])
    trace = explain(model, [0.5, -1.0], 2.0)
    grads, _ = model_gradients(model, [0.5, -1.0], [2.0], "half_squared_error")
    np.testing.assert_allclose(trace.layer_gradients[0]["kernel"], grads[0], atol=1e-10)
    assert "ReLU'(A_in)" in trace.text()
    assert trace.header.startswith("Network 2-3-1: x0, x1 → A, B, C (relu) → y (identity)")


def test_relu_derivative_says_which_case():
    spec = [([[1.0, -1.0]], [0.0, 0.0], "relu"), ([[1.0], [1.0]], None, "identity")]
    trace = explain(spec, [2.0], 1.0)
    assert trace.step("∂A/∂A_in").value == 1.0 and trace.step("∂A/∂A_in").note == "A_in = 2 > 0"
    assert trace.step("∂B/∂B_in").value == 0.0 and trace.step("∂B/∂B_in").note == "B_in = −2 ≤ 0"
    assert trace.gradients["w01"] == 0.0        # no gradient through the silent unit


def test_many_hidden_nodes_get_layer_unit_names():
    spec = [(np.full((2, 12), 0.1), None, "tanh"), (np.full((12, 12), 0.1), None, "tanh"),
            (np.full((12, 1), 0.1), None, "identity")]
    trace = explain(spec, [1.0, 2.0], 0.0)
    assert "h1_0" in trace.values and "h2_11" in trace.values
    assert "w1_143" in trace.gradients          # kernel[11, 11] of layer 1: 11 * 12 + 11
    assert trace.max_error < 1e-10


def test_structured_and_json():
    trace = explain(slides_network(), X, 1.0)
    assert isinstance(trace, Trace)
    phases = [s.phase for s in trace.steps]
    assert phases.index("loss") == 10 and phases[-1] == "backward"
    data = json.loads(json.dumps(trace.to_dict()))
    assert data["gradients"]["w20"] == pytest.approx(trace.gradients["w20"])
    assert data["steps"][0]["symbol"] == "A_in"
    assert data["steps"][0]["terms"][0][0]["symbol"] == "w00"
    with pytest.raises(KeyError, match="no step computes 'w99'"):
        trace.step("w99")


def test_the_module_is_callable():
    trace = explain_module(slides_network(), X, 1.0)
    assert trace.gradients == explain(slides_network(), X, 1.0).gradients


def test_bad_networks_and_inputs():
    with pytest.raises(ValueError, match="uses activation 'softmax'; supported are"):
        explain([([[1.0, 2.0]], None, "softmax")], [1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="supports Dense layers.*found Flatten"):
        explain(Sequential([Input(shape=(2,)), Flatten(), Dense(1)]), [1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="takes 2 input\\(s\\) and gives 1 output\\(s\\)"):
        explain(slides_network(), [1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        explain(slides_network(), X, 1.0, loss="hinge")
    with pytest.raises(ValueError, match="layer 0 has 2 units but layer 1's kernel expects 3"):
        explain([(np.ones((2, 2)), None, "tanh"), (np.ones((3, 1)), None, "tanh")], X, 1.0)
    with pytest.raises(TypeError, match="expected a Sequential model of Dense layers"):
        explain("net", X, 1.0)
