import numpy as np
import pytest

from lamina.optimizers import SGD, Adam
from lamina.viz import FUNCTIONS, beale, optimize_path, plot_optimizer_paths, rosenbrock, saddle
from tests.viz.conftest import labelled_lines


def test_test_functions_minima():
    assert beale(3.0, 0.5) == 0.0
    assert rosenbrock(1.0, 1.0) == 0.0
    assert saddle(0.0, np.sqrt(2.0)) == pytest.approx(-1.0)
    assert saddle(0.0, 0.0) == 0.0
    lowest = {"beale": 0.0, "rosenbrock": 0.0, "saddle": -1.0}
    for name, spec in FUNCTIONS.items():
        for point in spec.minima:
            assert spec.fn(*point) == pytest.approx(lowest[name], abs=1e-12)
            grid = np.add.outer(np.linspace(-0.05, 0.05, 11), [0.0])  # nothing lower nearby
            assert spec.fn(point[0] + grid, point[1] + grid.T).min() >= lowest[name] - 1e-12


def test_one_sgd_step_by_hand_on_rosenbrock():
    # grad f = (-2 (1 - x) - 400 x (y - x^2), 200 (y - x^2)); at (-1, 2): (-4 + 400, 200)
    run = optimize_path(rosenbrock, SGD(learning_rate=0.001), (-1.0, 2.0), steps=1)
    np.testing.assert_allclose(run.path, [[-1.0, 2.0], [-1.0 - 0.396, 2.0 - 0.2]], atol=1e-12)
    assert run.losses[0] == 104.0
    assert run.final_loss == pytest.approx(rosenbrock(-1.396, 1.8), abs=1e-12)
    assert run.path.dtype == np.float64


def test_default_plot_on_the_saddle():
    fig, result = plot_optimizer_paths("saddle")
    assert list(result) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adadelta",
                            "Adam"]
    paths_ax, loss_ax = fig.axes
    assert len(labelled_lines(paths_ax)) == 7 and len(labelled_lines(loss_ax)) == 7
    assert result["SGD"].path.shape == (151, 2)
    assert result["SGD"].final_loss > -0.01           # plain SGD still sits at the saddle
    for name in ("AdaGrad", "RMSProp", "Adam"):        # adaptive steps escape to a minimum
        assert result[name].final_loss < -0.99
    assert labelled_lines(loss_ax)[6].get_label().startswith("Adam: -0.99")


def test_instances_learning_rates_and_divergence():
    fig, result = plot_optimizer_paths(
        "rosenbrock", optimizers={"mine": Adam(0.2), "slow": "SGD", "fast": "sgd"},
        learning_rates={"sgd": 0.01}, steps=30, start=(-1.0, 2.0))
    assert list(result) == ["mine", "slow", "fast"]
    assert result["mine"].path.shape == (31, 2) and not result["mine"].diverged
    assert result["slow"].diverged                     # lr 0.01 on the banana blows up
    assert "(diverged)" in labelled_lines(fig.axes[1])[1].get_label()


def test_bad_arguments():
    with pytest.raises(ValueError, match="Did you mean 'RMSProp'"):
        plot_optimizer_paths("beale", optimizers=["RMSPro"], steps=2)
    with pytest.raises(ValueError, match="Did you mean 'beale'"):
        plot_optimizer_paths("beal", steps=2)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        plot_optimizer_paths("beale", steps=0)
    with pytest.raises(TypeError, match="optimizers must be names or lamina Optimizer"):
        plot_optimizer_paths("beale", optimizers=[3], steps=2)
