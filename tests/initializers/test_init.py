"""lamina.initializers: get / serialize / deserialize."""

import json

import numpy as np
import pytest

from lamina import initializers as I


@pytest.mark.parametrize("name,cls", [
    ("glorot_uniform", I.GlorotUniform), ("glorot_normal", I.GlorotNormal),
    ("he_normal", I.HeNormal), ("he_uniform", I.HeUniform), ("lecun_normal", I.LecunNormal),
    ("lecun_uniform", I.LecunUniform), ("orthogonal", I.Orthogonal),
    ("random_normal", I.RandomNormal), ("random_uniform", I.RandomUniform),
    ("truncated_normal", I.TruncatedNormal), ("variance_scaling", I.VarianceScaling),
    ("zeros", I.Zeros), ("ones", I.Ones), ("constant", I.Constant), ("identity", I.Identity),
    ("GlorotUniform", I.GlorotUniform), ("uniform", I.RandomUniform), ("normal", I.RandomNormal),
])
def test_get_by_name(name, cls):
    assert type(I.get(name)) is cls


def test_get_passes_instances_callables_and_none():
    init = I.HeNormal(seed=1)
    assert I.get(init) is init
    assert I.get(None) is None
    assert isinstance(I.get(I.Zeros), I.Zeros)

    def custom(shape, dtype=None):
        return np.full(shape, 7.0, dtype=dtype)

    assert I.get(custom) is custom
    with pytest.raises(TypeError, match="initializers.get: expected a name"):
        I.get(3.5)


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match=r"Unknown initializer: 'glorot_unifrom'\. "
                                         r"Did you mean 'glorot_uniform'\?"):
        I.get("glorot_unifrom")
    with pytest.raises(ValueError, match="Did you mean 'he_normal'"):
        I.get("he_norml")


@pytest.mark.parametrize("init", [
    I.GlorotUniform(seed=3), I.HeNormal(seed=3), I.Orthogonal(gain=0.5, seed=3),
    I.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=3),
    I.RandomNormal(mean=1.0, stddev=0.2, seed=3), I.RandomUniform(-1, 1, seed=3),
    I.TruncatedNormal(stddev=0.1, seed=3), I.Constant(2.5), I.Identity(2.0), I.Zeros(),
])
def test_serialize_round_trip_gives_the_same_weights(init):
    config = json.loads(json.dumps(I.serialize(init)))  # JSON-able
    assert config["class_name"] == type(init).__name__
    clone = I.get(config)
    assert type(clone) is type(init) and clone.get_config() == init.get_config()
    np.testing.assert_array_equal(clone((4, 4)), init((4, 4)))


def test_configs_use_keras_argument_names():
    assert I.GlorotUniform(seed=5).get_config() == {"seed": 5}
    assert I.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None}
    assert I.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert I.Orthogonal(seed=np.random.default_rng(0)).get_config() == {"gain": 1.0, "seed": None}


def test_deserialize_errors():
    with pytest.raises(TypeError, match="deserialize: expected a dict like"):
        I.deserialize("he_normal")
    with pytest.raises(ValueError, match="Unknown initializer: 'HeNormol'"):
        I.deserialize({"class_name": "HeNormol", "config": {}})
    with pytest.raises(TypeError, match="serialize: expected an Initializer"):
        I.serialize("he_normal")


def test_registered_custom_initializer_deserializes():
    from lamina.saving import register_serializable

    @register_serializable()
    class Halves(I.Initializer):
        def __call__(self, shape, dtype=None):
            return I.Constant(0.5)(shape, dtype)

    clone = I.deserialize(I.serialize(Halves()))
    assert type(clone) is Halves
    np.testing.assert_array_equal(I.get("Halves")((2,)), [0.5, 0.5])
