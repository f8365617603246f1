import numpy as np
import pytest

from lamina.perceptron import Perceptron
from lamina.viz import plot_decision_boundary

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
OR = np.array([0, 1, 1, 1])


def test_perceptron_regions_boundary_and_points():
    p = Perceptron().fit(X, OR)
    fig = plot_decision_boundary(p, X, OR, title="OR")
    (ax,) = fig.axes
    assert ax.get_title() == "OR"
    points = [c for c in ax.collections if c.get_label() in ("class 0", "class 1")]
    assert [len(c.get_offsets()) for c in points] == [1, 3]
    assert ax.get_xlim()[0] < 0 and ax.get_xlim()[1] > 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_probability_output_gets_a_colour_bar_and_the_half_contour():
    def model(grid):           # a soft OR: sigmoid(8 (x0 + x1 - 0.5))
        return 1.0 / (1.0 + np.exp(-8.0 * (grid[:, 0] + grid[:, 1] - 0.5)))

    fig = plot_decision_boundary(model, X, OR, class_names=["false", "true"])
    ax, colorbar = fig.axes
    assert colorbar.get_ylabel() == "model output"
    assert "Decision boundary of model" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["false", "true"]


def test_lamina_model_with_one_column_per_class():
    from lamina.layers import Dense, Input
    from lamina.models import Sequential

    model = Sequential([Input(shape=(2,)), Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    fig = plot_decision_boundary(model, rng.normal(size=(30, 2)), rng.integers(0, 3, 30),
                                 resolution=50)
    (ax,) = fig.axes
    assert ax.get_title() == "Decision boundary of Sequential"
    assert len(ax.get_legend().get_texts()) == 3


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        plot_decision_boundary(lambda g: g[:, 0], np.zeros((4, 3)))
    with pytest.raises(TypeError, match="expected a model with predict"):
        plot_decision_boundary(42, X)
