import numpy as np
import pytest

from lamina.layers import Activation, Dense, Flatten, Input
from lamina.models import Sequential


def seed002_mlp():
    """Seed 002's "hello world", written with its Keras 1 names."""
    model = Sequential()
    with pytest.warns(DeprecationWarning):
        model.add(Dense(input_dim=28 * 28, output_dim=500))
    model.add(Activation("sigmoid"))
    with pytest.warns(DeprecationWarning):
        model.add(Dense(output_dim=500))
    model.add(Activation("sigmoid"))
    with pytest.warns(DeprecationWarning):
        model.add(Dense(output_dim=10))
    model.add(Activation("softmax"))
    return model


def test_seed002_mlp_has_kerass_parameter_count(capsys):
    model = seed002_mlp()
    assert model.count_params() == 648_010
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 648,010 (2.47 MB)" in out
    assert "Trainable params: 648,010 (2.47 MB)" in out
    assert "Non-trainable params: 0 (0.00 B)" in out
    assert "(None, 500)" in out and "392,500" in out and "250,500" in out and "5,010" in out


def test_summary_table_rows_are_keras_like(capsys):
    model = Sequential([Input(shape=(4,)), Dense(3, name="hidden"), Dense(2, name="out")])
    model.summary()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'Model: "' + model.name + '"'
    assert lines[1].startswith("┏") and "Layer (type)" in lines[2] and "Param #" in lines[2]
    row = next(line for line in lines if "hidden (Dense)" in line)
    assert "(None, 3)" in row and row.rstrip().endswith("15 │")


def test_build_from_first_call_and_summary_before_build():
    model = Sequential([Dense(3), Dense(1)])
    with pytest.raises(ValueError, match="has not been built yet"):
        model.summary()
    out = model.predict(np.ones((5, 7), "float32"), verbose=0)
    assert out.shape == (5, 1)
    assert model.built and model.count_params() == 7 * 3 + 3 + 3 + 1


def test_empty_model_and_bad_add():
    with pytest.raises(ValueError, match="has no layers"):
        Sequential().predict(np.ones((2, 3)), verbose=0)
    with pytest.raises(TypeError, match="expected a Layer; received int"):
        Sequential().add(3)


def test_input_shape_mismatch_names_the_layer():
    model = Sequential([Input(shape=(4,)), Dense(2, name="first")])
    with pytest.raises(ValueError, match=r"layer 'first' is incompatible.*expected axis -1 of "
                                         r"input shape to have value 4.*\(3, 5\)"):
        model.predict(np.ones((3, 5), "float32"), verbose=0)


def test_pop_and_layers():
    model = Sequential([Input(shape=(4,)), Dense(3), Dense(2)])
    last = model.pop()
    assert last.units == 2 and len(model.layers) == 1
    assert model.predict(np.ones((1, 4)), verbose=0).shape == (1, 3)


def test_get_config_round_trip_keeps_architecture():
    model = Sequential([Input(shape=(6, 6, 1)), Flatten(), Dense(4, activation="tanh")])
    clone = Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 1)).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in clone.layers] == ["Flatten", "Dense"]


def test_weights_and_trainable_flag():
    model = Sequential([Input(shape=(3,)), Dense(2), Dense(1)])
    assert len(model.trainable_weights) == 4
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    assert not model.layers[0].kernel.requires_grad


def test_seed001_cnn_counts_match_keras(capsys):
    """Keras 3.15.1 reports for this model on 28x28x1 inputs: 251,706 parameters, per layer
    [160, 0, 2320, 0, 247936, 1290], output shapes (None, 26, 26, 16) ... (None, 10)."""
    from lamina.layers import Conv2D, MaxPooling2D

    model = Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)),
                        MaxPooling2D(pool_size=(2, 2)), Conv2D(16, (3, 3)), Flatten(),
                        Dense(128, activation="relu"), Dense(10, activation="softmax")])
    assert [layer.count_params() for layer in model.layers] == [160, 0, 2320, 0, 247936, 1290]
    assert [layer._output_shape for layer in model.layers] == [
        (None, 26, 26, 16), (None, 13, 13, 16), (None, 11, 11, 16), (None, 1936), (None, 128),
        (None, 10)]
    model.summary()
    assert "Total params: 251,706 (983.23 KB)" in capsys.readouterr().out


def test_output_shape_and_input_shape_of_a_built_model():
    from lamina.layers import Conv2D

    model = Sequential([Input(shape=(28, 28, 1)), Conv2D(16, (3, 3)), Flatten(), Dense(10)])
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert model.output_shape == model.compute_output_shape(model.input_shape)
    batched = Sequential([Input(shape=(4,), batch_size=8), Dense(3)])
    assert batched.input_shape == (8, 4) and batched.output_shape == (8, 3)
    with pytest.warns(DeprecationWarning):  # Keras 2: the first layer's input_dim builds at once
        keras2 = Sequential([Dense(5, input_dim=3), Dense(2)])
    assert keras2.input_shape == (None, 3) and keras2.output_shape == (None, 2)


def test_output_shape_before_build_names_the_model():
    model = Sequential([Dense(10)], name="head")
    for attr in ("output_shape", "input_shape"):
        what = attr.replace("_", " ")
        with pytest.raises(AttributeError, match=f"Sequential model 'head' has no defined "
                                                 f"{what} yet: it is not built"):
            getattr(model, attr)
    assert not hasattr(model, "output_shape")  # as in Keras: hasattr is False until built
    model.build((None, 5))
    assert model.input_shape == (None, 5) and model.output_shape == (None, 10)


def test_output_shape_after_first_call_pop_and_config():
    model = Sequential([Dense(4), Dense(2)])
    model.predict(np.ones((3, 6), dtype="float32"), verbose=0)
    assert model.input_shape == (None, 6) and model.output_shape == (None, 2)
    model.pop()
    assert model.output_shape == (None, 4)
    clone = Sequential.from_config(model.get_config())
    assert clone.input_shape == (None, 6) and clone.output_shape == (None, 4)
    model.pop()
    with pytest.raises(AttributeError, match="has no defined output shape yet"):
        model.output_shape  # noqa: B018


def test_layer_output_shapes_inside_a_sequential():
    model = Sequential([Input(shape=(5, 3)), Flatten(), Dense(7), Dense(1)])
    assert [layer.output_shape for layer in model.layers] == [(None, 15), (None, 7), (None, 1)]
    assert model.layers[-1].output_shape == model.output_shape


def test_a_layer_of_several_outputs_is_refused_by_name():
    from lamina.models import Model

    i = Input((4,))
    two = Model(i, [Dense(2)(i), Dense(3)(i)], name="two_heads")
    with pytest.raises(ValueError, match="layer 'two_heads' returns 2 outputs"):
        Sequential([Input((4,)), two])
