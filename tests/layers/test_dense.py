import numpy as np
import pytest

from lamina.layers import Activation, Dense, Flatten
from tests.layers.harness import run_layer_test


@pytest.mark.parametrize("kwargs,n_weights", [({"units": 4}, 2),
                                              ({"units": 2, "activation": "relu"}, 2),
                                              ({"units": 3, "use_bias": False}, 1)])
def test_dense_shared_layer_test(kwargs, n_weights, tmp_path):
    run_layer_test(Dense, kwargs, (5, 6), (5, kwargs["units"]), n_weights, tmp_path=tmp_path)


def test_dense_on_3d_input():
    run_layer_test(Dense, {"units": 2}, (2, 3, 4), (2, 3, 2), 2)


def test_dense_computes_affine_map():
    layer = Dense(2, activation="relu")
    x = np.array([[1.0, -2.0, 0.5]], dtype="float32")
    layer(x)
    layer.set_weights([np.array([[1, 0], [0, 1], [2, -1]], "float32"),
                       np.array([0.5, 0.0], "float32")])
    np.testing.assert_allclose(layer(x).data, [[2.5, 0.0]])  # relu([2.5, -2.5])


def test_dense_defaults_are_keras():
    layer = Dense(4)
    layer(np.zeros((1, 3), "float32"))
    assert type(layer.kernel_initializer).__name__ == "GlorotUniform"
    np.testing.assert_array_equal(layer.bias.data, np.zeros(4))
    assert layer.kernel.path == f"{layer.name}/kernel"
    assert layer.count_params() == 16


def test_dense_bad_units_and_input_shape():
    with pytest.raises(ValueError, match="argument `units`, expected a positive integer, got 0"):
        Dense(0)
    layer = Dense(2)
    layer(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3, but "
                                         r"received input with shape \(1, 4\)"):
        layer(np.zeros((1, 4), "float32"))


def test_output_dim_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="use `units`"):
        assert Dense(output_dim=5).units == 5


def test_unknown_activation_suggests_a_name():
    with pytest.raises(ValueError, match="did you mean 'relu'"):
        Dense(3, activation="rellu")


def test_activation_and_flatten_layers(tmp_path):
    run_layer_test(Activation, {"activation": "tanh"}, (4, 3), (4, 3), 0, tmp_path=tmp_path)
    run_layer_test(Flatten, {}, (2, 3, 4, 2), (2, 24), 0, tmp_path=tmp_path)
    np.testing.assert_allclose(Activation("relu")(np.array([[-1.0, 2.0]], "float32")).data,
                               [[0.0, 2.0]])
