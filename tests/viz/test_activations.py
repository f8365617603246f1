import numpy as np
import pytest

from lamina.viz import plot_activation_functions
from lamina.viz.activations import activation_and_derivative
from tests.viz.conftest import labelled_lines

X = np.linspace(-3, 3, 13)


def test_derivatives_come_from_autograd_and_match_the_formulas():
    s, ds = activation_and_derivative("sigmoid", X)
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-X)), atol=1e-15)
    np.testing.assert_allclose(ds, s * (1 - s), atol=1e-15)
    t, dt = activation_and_derivative("tanh", X)
    np.testing.assert_allclose(dt, 1 - np.tanh(X) ** 2, atol=1e-15)
    r, dr = activation_and_derivative("relu", X)
    np.testing.assert_array_equal(dr, (X > 0).astype(float))
    h, dh = activation_and_derivative("heaviside", X)
    np.testing.assert_array_equal(h, (X > 0).astype(float))   # the slides' H: 0 at 0
    np.testing.assert_array_equal(dh, np.zeros_like(X))
    i, di = activation_and_derivative("identity", X)
    np.testing.assert_array_equal(di, np.ones_like(X))


def test_one_panel_per_function_with_f_and_derivative():
    fig = plot_activation_functions()
    assert len(fig.axes) == 5
    sigmoid_ax = fig.axes[1]
    assert sigmoid_ax.get_title().startswith("sigmoid")
    f, df = labelled_lines(sigmoid_ax)
    assert f.get_label() == "f(x)" and df.get_label() == "f'(x) (autograd)"
    x = f.get_xdata()
    assert 0.0 in x
    np.testing.assert_allclose(df.get_ydata(), f.get_ydata() * (1 - f.get_ydata()), atol=1e-12)
    fig = plot_activation_functions(["relu", "elu"], derivatives=False, x_range=(-2, 2))
    assert len(fig.axes) == 2 and len(labelled_lines(fig.axes[0])) == 1


def test_bad_names():
    with pytest.raises(ValueError, match="'softmax' is not element-wise"):
        plot_activation_functions(["softmax"])
    with pytest.raises(ValueError, match="did you mean 'sigmoid'"):
        plot_activation_functions(["sigmod"])
    with pytest.raises(ValueError, match="x_range must be \\(low, high\\)"):
        plot_activation_functions(x_range=(1, -1))
