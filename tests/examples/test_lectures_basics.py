"""Lectures 1-7 (examples/lectures/) run on their quick budget and show what they claim."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.examples.conclusions import assert_same_as_full_run
from tests.examples.data import needs_fashion_mnist

LECTURES = Path(__file__).resolve().parents[2] / "examples" / "lectures"


def load(name):
    """Import examples/lectures/NAME.py as a module."""
    module_name = f"lecture_under_test_{name}"
    spec = importlib.util.spec_from_file_location(module_name, LECTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def run(name, tmp_path, *files):
    """``main(tmp_path, quick=True)``; checks the summary and the named files exist."""
    result = load(name).main(tmp_path, quick=True)
    for file in ("summary.txt", *files):
        assert (tmp_path / file).stat().st_size > 0, file
    return result


def test_perceptron_logic_gates(tmp_path):
    r = run("perceptron_logic_gates", tmp_path, "decision_boundaries.png", "learning.png")
    assert_same_as_full_run("perceptron_logic_gates", r)
    assert r["converged"] == {"or": True, "and": True, "xor": False}
    assert r["epochs"]["or"] <= 10 and r["epochs"]["and"] <= 10
    assert r["epochs"]["xor"] == 100           # ran to max_epochs
    assert r["xor_min_errors"] >= 1            # XOR: an error in every single epoch
    assert r["xor_best_line_accuracy"] == 0.75  # no line gets all four right
    assert r["mlp_xor_solved"]
    assert np.round(r["mlp_xor_outputs"]).tolist() == [0.0, 1.0, 1.0, 0.0]
    assert r["mlp_xor_final_loss"] < 0.05
    assert r["mlp_restarts_solved"] == 4 and r["mlp_restarts"] == 5  # seed 4 gets stuck


def test_backprop_by_hand(tmp_path):
    r = run("backprop_by_hand", tmp_path, "trace.txt", "network.png")
    assert_same_as_full_run("backprop_by_hand", r)
    assert r["max_error_autograd"] < 1e-10
    assert r["max_error_finite_differences"] < 1e-8
    assert r["max_error_model_trace"] < 1e-12
    assert r["max_error_sgd_step"] < 1e-12
    # the slide: ∂J/∂w20 = (y − d) · 1 · C, with y and C from a forward pass written here
    x = np.array([1.0, 0.5])
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    a = sig(x @ np.array([[0.15, 0.25], [0.20, 0.30]]))
    c = sig(a @ np.array([[0.40, 0.45], [0.50, 0.55]]))
    y = c @ np.array([0.60, 0.70])
    assert r["y"] == pytest.approx(y, abs=1e-12)
    assert r["dJ_dw20_factors"] == pytest.approx([y - 1.0, 1.0, c[0]], abs=1e-12)
    assert r["gradients"]["w20"] == pytest.approx((y - 1.0) * c[0], abs=1e-12)
    assert r["loss"] == pytest.approx(0.5 * (1.0 - y) ** 2, abs=1e-12)
    assert all(b < a for a, b in zip(r["losses"], r["losses"][1:]))  # every step helps
    assert "∂J/∂w20" in (tmp_path / "trace.txt").read_text()


def test_activation_functions(tmp_path):
    r = run("activation_functions", tmp_path, "activations.png", "vanishing_gradient.png")
    assert_same_as_full_run("activation_functions", r)
    assert set(r["max_error"]) == {"heaviside", "sigmoid", "tanh", "relu", "identity"}
    assert max(r["max_error"].values()) < 1e-12   # autograd's derivatives = the formulas
    assert r["max_slope"]["sigmoid"] == pytest.approx(0.25, abs=1e-12)
    assert r["max_slope"]["tanh"] == pytest.approx(1.0, abs=1e-12)
    assert r["max_slope"]["relu"] == 1.0
    assert r["sigmoid_chain"] == pytest.approx(0.25 ** r["depth"], rel=1e-9)


def test_universal_approximation(tmp_path):
    r = run("universal_approximation", tmp_path, "fits.png")
    assert_same_as_full_run("universal_approximation", r)
    assert r["widths"] == [1, 16]
    sine, cubic, step = r["mse"].values()
    assert sine[16] < sine[1] / 50 and sine[16] < 0.01
    assert cubic[16] < cubic[1] / 50 and cubic[16] < 0.001
    assert step[16] < step[1] / 5       # the box needs two units; one sigmoid cannot


def test_gradient_descent(tmp_path):
    r = run("gradient_descent", tmp_path, "learning_rates.png", "momentum.png",
            "local_minima.png", "positions.csv")
    assert_same_as_full_run("gradient_descent", r)
    distance = {lr: abs(x - 2.0) for lr, x in r["final_x"].items()}
    assert distance[0.02] > 1.0                 # too small: still far after 20 steps
    assert distance[0.3] < 1e-6                 # right
    assert 1e-3 < distance[0.9] < 0.5           # large: zig-zags in slowly
    assert distance[1.05] > 5.0                 # too large: diverges
    # x ← x − lr·2(x − 2) with momentum 0, from x = −3
    assert r["lr_positions"][0.3][:4] == pytest.approx([-3.0, 0.0, 1.2, 1.68], abs=1e-12)
    assert r["lr_positions"][1.05][:3] == pytest.approx([-3.0, 7.5, -4.05], abs=1e-12)
    assert r["momentum_distance"][0.5] < r["momentum_distance"][0] / 5
    # g'(x) = 4x³ − 6x + 1: minima at its smallest and largest root
    global_min, _, local_min = np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)
    ends = r["local_minima"]
    assert ends["plain gradient descent"] == pytest.approx(local_min, abs=1e-3)
    assert ends["with momentum"] == pytest.approx(global_min, abs=0.02)
    assert ends["plain, starting left"] == pytest.approx(global_min, abs=1e-3)
    assert r["sgd_max_difference"] < 1e-12     # lamina's SGD(momentum) = the slide's rule
    rows = (tmp_path / "positions.csv").read_text().splitlines()
    assert rows[0].startswith("step,") and len(rows) == 1 + 101


def test_optimizers(tmp_path):
    r = run("optimizers", tmp_path, "paths_beale.png", "paths_rosenbrock.png",
            "paths_saddle.png")
    assert_same_as_full_run("optimizers", r)
    names = {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adadelta", "Adam"}
    beale = r["final_loss"]["beale"]
    assert set(beale) == names and all(np.isfinite(v) and v >= 0 for v in beale.values())
    assert beale["AdaGrad"] < beale["Momentum"] < beale["SGD"]
    assert beale["Adam"] < beale["SGD"]
    assert "SGD" in r["stuck_at_saddle"] and "AdaGrad" not in r["stuck_at_saddle"]
    assert abs(r["saddle_y"]["AdaGrad"]) > 1.0 > abs(r["saddle_y"]["SGD"])
    # quick mode reaches the full run's conclusions (issue 20): the same winners, Beale's
    # minimum reached (loss < 0.01) by AdaGrad, Adam and the momentum methods, never by SGD,
    # and SGD alone still at the saddle
    assert r["winner"]["beale"] == "AdaGrad" and r["winner"]["rosenbrock"] == "Adam"
    assert r["winner"]["saddle"] in ("AdaGrad", "RMSProp")
    reached = {k for k, v in r["steps_to_threshold"]["beale"].items() if v is not None}
    assert reached == {"Momentum", "Nesterov", "AdaGrad", "Adam"}
    assert r["stuck_at_saddle"] == ["SGD"]



@needs_fashion_mnist
def test_loss_choice(tmp_path):
    r = run("loss_choice", tmp_path, "accuracy.png", "gradients.png")
    assert_same_as_full_run("loss_choice", r)
    mse = r["test_accuracy"]["square error (mse)"]
    ce = r["test_accuracy"]["cross-entropy"]
    assert ce > 0.3 and ce > mse + 0.2     # softmax output: cross-entropy learns, mse crawls
    assert r["val_accuracy"]["cross-entropy"][-1] == ce
    confidently_wrong = r["gradient_at"]["0.001"]
    assert confidently_wrong["cross_entropy"] == pytest.approx(0.999, abs=2e-3)  # 1 − p
    assert confidently_wrong["mse"] < 1e-3
