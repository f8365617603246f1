import numpy as np
import pytest

import lamina.layers
from lamina.layers import Dense, Flatten, Input
from lamina.layers.embedding import Embedding
from lamina.models import Sequential
from lamina.optimizers import Adam
from lamina.random import set_random_seed
from tests.layers.harness import run_layer_test


@pytest.fixture(autouse=True)
def _loadable(monkeypatch):
    """load_model finds layers by name in lamina.layers (until the lead exports it)."""
    monkeypatch.setattr(lamina.layers, "Embedding", Embedding, raising=False)
    set_random_seed(0)


@pytest.mark.parametrize("kwargs,shape", [
    ({"input_dim": 10, "output_dim": 4}, (5, 3)),
    ({"input_dim": 7, "output_dim": 2, "embeddings_initializer": "glorot_uniform"}, (4, 6)),
    ({"input_dim": 3, "output_dim": 5, "embeddings_regularizer": "l2"}, (6, 1)),
])
def test_shared_layer_test(kwargs, shape, tmp_path):
    indices = np.random.default_rng(1).integers(0, kwargs["input_dim"], shape)
    layer = run_layer_test(Embedding, kwargs, shape, (*shape, kwargs["output_dim"]), 1,
                           input_data=indices, tmp_path=tmp_path)
    table = layer.weights[0].data
    assert table.shape == (kwargs["input_dim"], kwargs["output_dim"])
    np.testing.assert_array_equal(layer(indices).data, table[indices])


def test_lookup_returns_rows_of_the_table():
    layer = Embedding(5, 3)
    table = np.arange(15, dtype="float32").reshape(5, 3)
    indices = np.array([[0, 4, 4], [2, 1, 0]])
    layer(indices)
    layer.set_weights([table])
    out = layer(indices)
    assert out.shape == (2, 3, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, table[indices])
    np.testing.assert_array_equal(layer(indices.astype("float32")).data, table[indices])
    np.testing.assert_array_equal(layer([[3]]).data, [[table[3]]])  # Python lists too
    np.testing.assert_array_equal(layer(np.array([1, 2])).data, table[[1, 2]])  # (batch,)


def test_gradient_adds_up_in_the_looked_up_rows():
    layer = Embedding(4, 2)
    indices = np.array([[1, 3, 1], [0, 1, 3]])
    weights = np.random.default_rng(2).standard_normal((2, 3, 2)).astype("float32")
    (layer(indices) * weights).sum().backward()
    expected = np.zeros((4, 2), "float32")
    for (i, j), row in np.ndenumerate(indices):
        expected[row] += weights[i, j]
    np.testing.assert_allclose(layer.embeddings.grad, expected, rtol=1e-6)
    assert not expected[2].any()  # row 2 was not looked up


def test_defaults_are_keras():
    layer = Embedding(1000, 8)
    layer(np.zeros((1, 2), "int64"))
    init = layer.embeddings_initializer
    assert type(init).__name__ == "RandomUniform" and (init.minval, init.maxval) == (-0.05, 0.05)
    assert np.abs(layer.embeddings.data).max() <= 0.05
    assert layer.embeddings.path == f"{layer.name}/embeddings"
    assert layer.count_params() == 8000
    config = layer.get_config()
    assert {"input_dim": 1000, "output_dim": 8, "mask_zero": False}.items() <= config.items()
    assert layer.compute_output_shape((None, 20)) == (None, 20, 8)


def test_embedding_model_learns():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, (64, 4))
    y = (x == 2).sum(axis=1, keepdims=True).astype("float32")  # count the 2s
    model = Sequential([Input(shape=(4,)), Embedding(6, 3), Flatten(), Dense(1)])
    model.compile(optimizer=Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


def test_initial_weights_and_deprecated_input_length():
    table = np.ones((3, 2), "float32")
    layer = Embedding(3, 2, weights=[table])
    assert layer.built
    np.testing.assert_array_equal(layer.embeddings.data, table)
    with pytest.warns(DeprecationWarning, match="`input_length` is deprecated"):
        assert Embedding(3, 2, input_length=5).get_config()["input_dim"] == 3


def test_bad_indices_name_the_layer_and_the_index():
    layer = Embedding(10, 2, name="words")
    with pytest.raises(ValueError, match=r"Embedding 'words': index 10 is out of range; indices "
                                         r"must lie in \[0, input_dim\) = \[0, 10\)"):
        layer(np.array([[1, 10, 3]]))
    with pytest.raises(ValueError, match="index -1 is out of range"):
        layer(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="Embedding 'words': inputs must be integer indices; "
                                         "received the value 1.5"):
        layer(np.array([[1.5, 2.0]], "float32"))
    with pytest.raises(ValueError, match="received the value nan"):
        layer(np.array([[np.nan]], "float32"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="argument `input_dim`, expected a positive integer, "
                                         "got 0"):
        Embedding(0, 4)
    with pytest.raises(ValueError, match="argument `output_dim`, expected a positive integer, "
                                         "got None"):
        Embedding(10)
    with pytest.raises(ValueError, match="mask_zero=True is not supported"):
        Embedding(10, 4, mask_zero=True)


def test_symbolic_input_and_large_vocabulary_indices_stay_exact():
    assert Embedding(10, 3)(Input(shape=(4,))).shape == (None, 4, 3)
    big = 2**24 + 3  # float32 cannot hold 2**24 + 1: integer inputs must not pass through it
    layer = Embedding(big, 1, embeddings_initializer="zeros")
    layer.build(None)
    layer.embeddings.data[2**24 + 1] = 5.0
    np.testing.assert_array_equal(layer(np.array([[2**24 + 1, 2**24]])).data, [[[5.0], [0.0]]])
