"""The shared layer test for every layer of issue 15 §2, and what each layer promises
beyond it (argument checks naming layer and argument, seeded randomness, training only)."""

import numpy as np
import pytest

from lamina import layers, models
from lamina.saving import register_serializable
from tests.layers.harness import run_layer_test

CASES = [  # (class, kwargs, input shape, output shape, trainable weights, other weights)
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, (2, 6, 6, 3),
     (2, 4, 4, 6), 2, 0),
    ("DepthwiseConv2D", {"kernel_size": 2, "strides": 2, "padding": "same",
                         "use_bias": False}, (2, 5, 5, 2), (2, 3, 3, 2), 1, 0),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 3, "padding": "same"}, (2, 5, 5, 3),
     (2, 5, 5, 4), 3, 0),
    ("PReLU", {}, (2, 4, 3), (2, 4, 3), 1, 0),
    ("PReLU", {"shared_axes": [1], "alpha_initializer": "ones"}, (2, 4, 3), (2, 4, 3), 1,
     0),
    ("Permute", {"dims": (2, 1)}, (2, 3, 5), (2, 5, 3), 0, 0),
    ("UpSampling1D", {"size": 3}, (2, 4, 5), (2, 12, 5), 0, 0),
    ("Rescaling", {"scale": 0.5, "offset": 1.0}, (2, 4, 3), (2, 4, 3), 0, 0),
    ("Rescaling", {"scale": [1.0, 2.0, 3.0]}, (2, 4, 3), (2, 4, 3), 0, 0),
    ("Resizing", {"height": 3, "width": 5}, (2, 6, 4, 2), (2, 3, 5, 2), 0, 0),
    ("Normalization", {"mean": [0.5, 1.0], "variance": [4.0, 1.0]}, (2, 3, 2), (2, 3, 2),
     0, 0),
    ("Normalization", {}, (2, 3, 2), (2, 3, 2), 0, 3),
    ("RandomFlip", {"seed": 1}, (2, 4, 4, 3), (2, 4, 4, 3), 0, 0),
    ("RandomRotation", {"factor": 0.2, "seed": 1}, (2, 5, 5, 2), (2, 5, 5, 2), 0, 0),
    ("RandomZoom", {"height_factor": 0.2, "seed": 1}, (2, 5, 5, 2), (2, 5, 5, 2), 0, 0),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.1, "seed": 1},
     (2, 5, 5, 2), (2, 5, 5, 2), 0, 0),
    ("RandomContrast", {"factor": 0.3, "seed": 1}, (2, 5, 5, 2), (2, 5, 5, 2), 0, 0),
    ("RandomErasing", {"value_range": (0, 1), "seed": 1}, (2, 5, 5, 2), (2, 5, 5, 2), 0, 0),
    ("RandomErasing", {"factor": (0.5, 1.0), "fill_value": [0.0, 1.0, 2.0]}, (2, 4, 4, 3),
     (2, 4, 4, 3), 0, 0),
]


@pytest.mark.parametrize("name, kwargs, shape, out, trainable, other", CASES,
                         ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_shared_layer_test(name, kwargs, shape, out, trainable, other, tmp_path):
    run_layer_test(getattr(layers, name), kwargs, shape, out,
                   expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=other, tmp_path=tmp_path)


@register_serializable(package="tests")
def double(x, factor=2.0):
    return x * factor


def test_lambda_passes_the_shared_test_and_saves_by_registered_name(tmp_path):
    run_layer_test(layers.Lambda, {"function": double, "arguments": {"factor": 3.0}},
                   (2, 4), (2, 4), 0, 0, tmp_path=tmp_path)
    config = layers.Lambda(double).get_config()
    assert config["function"] == {"module": __name__, "class_name": "function",
                                  "config": "tests>double", "registered_name": "function"}


def test_lambda_of_an_unregistered_function_saves_but_does_not_load(tmp_path):
    def triple(x):
        return x * 3.0

    model = models.Sequential([layers.Input((2,)), layers.Lambda(triple)])
    np.testing.assert_allclose(model.predict(np.ones((1, 2), "float32"), verbose=0), 3.0)
    model.save(tmp_path / "m.lamina")
    with pytest.raises(ValueError, match="'triple' is not registered.*register_keras_serial"):
        models.load_model(tmp_path / "m.lamina")
    with pytest.warns(UserWarning, match="Python lambda"):
        config = layers.Lambda(lambda x: x).get_config()
    with pytest.raises(ValueError, match="never runs code from a file"):
        layers.Lambda.from_config(config)
    keras_lambda = {**config, "function": {"class_name": "__lambda__", "config": {
        "code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(keras_lambda)


def test_random_layers_act_in_training_only_and_repeat_with_a_seed():
    x = np.random.default_rng(0).random((4, 6, 6, 3)).astype("float32") * 255
    for name, kwargs in [("RandomFlip", {}), ("RandomRotation", {"factor": 0.3}),
                         ("RandomZoom", {"height_factor": 0.3}),
                         ("RandomTranslation", {"height_factor": 0.3, "width_factor": 0.3}),
                         ("RandomContrast", {"factor": 0.5}),
                         ("RandomErasing", {"factor": (0.9, 1.0)})]:
        cls = getattr(layers, name)
        a, b = cls(**kwargs, seed=7), cls(**kwargs, seed=7)
        np.testing.assert_array_equal(a(x, training=False).data, x)
        first = a(x, training=True).data
        np.testing.assert_array_equal(first, b(x, training=True).data)
        assert not np.array_equal(first, x), name
        assert not np.array_equal(a(x).data, first), name  # no training arg: augments (Keras)
        model = models.Sequential([layers.Input((6, 6, 3)), cls(**kwargs, seed=7)])
        np.testing.assert_array_equal(model.predict(x, verbose=0), x)


def test_random_flip_flips_whole_images():
    x = np.arange(2 * 3 * 4).reshape(2, 3, 4, 1).astype("float32")
    out = layers.RandomFlip("horizontal", seed=3)(np.concatenate([x] * 8), training=True).data
    for image, original in zip(out, np.concatenate([x] * 8)):
        assert (np.array_equal(image, original) or np.array_equal(image, original[:, ::-1]))
    assert any(not np.array_equal(i, o) for i, o in zip(out, np.concatenate([x] * 8)))


def test_normalization_invert_undoes_and_axis_none_uses_one_statistic():
    data = np.random.default_rng(1).standard_normal((20, 3)).astype("float32") * 4 + 2
    norm = layers.Normalization(axis=None)
    norm.adapt(data)
    assert norm.adapt_mean.shape == ()
    out = norm(data).data
    assert abs(out.mean()) < 1e-5 and abs(out.std() - 1) < 1e-4
    mean, var = float(norm.adapt_mean.data), float(norm.adapt_variance.data)
    back = layers.Normalization(axis=None, mean=mean, variance=var, invert=True)
    np.testing.assert_allclose(back(out).data, data, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier must be a"),
    (lambda: layers.SeparableConv2D(0, 3), "`filters`"),
    (lambda: layers.RandomRotation(1.5), r"RandomRotation: `factor` must be.*factor=1.5"),
    (lambda: layers.RandomZoom(-1.0), r"RandomZoom: `height_factor` must be"),
    (lambda: layers.RandomFlip("diagonal"), r"RandomFlip: `mode` must be one of"),
    (lambda: layers.RandomTranslation(0.1, 0.1, fill_mode="mirror"), "`fill_mode`"),
    (lambda: layers.Resizing(4, 4, interpolation="bicubic"), "not implemented in lamina"),
    (lambda: layers.Normalization(mean=1.0), "give both `mean` and `variance`"),
    (lambda: layers.Permute((1, 3)), r"Permute: `dims` must be a permutation"),
    (lambda: layers.PReLU(shared_axes=[0]), "the batch axis cannot be shared"),
    (lambda: layers.Rescaling("half"), r"Rescaling: `scale` must be a number"),
])
def test_errors_name_the_layer_and_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()
