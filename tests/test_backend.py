"""lamina.backend as keras.backend reaches it."""

import numpy as np
import pytest

import lamina
from lamina import backend


def test_keras_backend_answers():
    assert backend.epsilon() == 1e-7
    assert backend.image_data_format() == "channels_last"
    assert backend.backend() == "numpy"
    assert backend.floatx() == "float32"
    backend.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="received data_format='channels_first'"):
        backend.set_image_data_format("channels_first")


def test_clear_session_restarts_layer_names():
    lamina.layers.Dense(2)
    backend.clear_session()
    assert lamina.layers.Dense(2).name == "dense"
    assert lamina.layers.Dense(2).name == "dense_1"
    backend.clear_session(free_memory=False)
    assert lamina.layers.Dense(2).name == "dense"


def test_set_floatx_takes_keras_argument_name():
    try:
        backend.set_floatx(value="float64")
        assert lamina.ops.zeros((1,)).dtype == np.float64
    finally:
        backend.set_floatx("float32")
