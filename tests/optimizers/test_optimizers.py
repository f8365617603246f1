"""lamina.optimizers.get / serialize / deserialize, and every optimizer minimising a quadratic."""

import json

import numpy as np
import pytest

from lamina import Variable, optimizers
from lamina.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    RMSprop,
    schedules,
)


@pytest.mark.parametrize("name, cls", [
    ("sgd", SGD), ("SGD", SGD), ("adam", Adam), ("Adam", Adam), ("adamw", AdamW),
    ("rmsprop", RMSprop), ("RMSprop", RMSprop), ("rms_prop", RMSprop), ("adagrad", Adagrad),
    ("adadelta", Adadelta), ("adamax", Adamax), ("nadam", Nadam)])
def test_get_by_name(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls
    assert opt.get_config() == cls().get_config()  # Keras defaults


def test_get_other_identifiers():
    opt = Adam(0.01)
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    from_dict = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5,
                                                                "momentum": 0.9}})
    assert (type(from_dict), from_dict.learning_rate, from_dict.momentum) == (SGD, 0.5, 0.9)
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'addam'\. Did you mean 'adam'\?"):
        optimizers.get("addam")
    with pytest.raises(ValueError, match=r"Did you mean 'rmsprop'\?"):
        optimizers.get("rmsprob")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)
    with pytest.raises(ValueError, match="expected a dict with 'class_name'"):
        optimizers.deserialize({"config": {}})


CONFIGURED = [
    SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
    Adagrad(0.05, initial_accumulator_value=0.2, epsilon=1e-6, weight_decay=0.01),
    Adadelta(1.0, rho=0.9, epsilon=1e-6, clipvalue=0.5),
    RMSprop(0.01, rho=0.8, momentum=0.5, centered=True, global_clipnorm=2.0, name="rms"),
    Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-8, amsgrad=True),
    AdamW(0.01, weight_decay=0.05),
    Nadam(0.002, beta_1=0.85),
    Adamax(0.003, beta_2=0.99),
    Adam(schedules.CosineDecay(0.1, 100, alpha=0.1)),
]


@pytest.mark.parametrize("opt", CONFIGURED, ids=lambda o: type(o).__name__)
def test_config_round_trip(opt):
    config = opt.get_config()
    assert type(opt).from_config(json.loads(json.dumps(config))).get_config() == config
    again = optimizers.deserialize(json.loads(json.dumps(optimizers.serialize(opt))))
    assert type(again) is type(opt)
    assert again.get_config() == config


def test_keras_saved_config_loads():
    # the dict Keras 3 writes for Adam(learning_rate=0.01) (extra keys at their defaults)
    keras_config = {
        "module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
        "config": {"name": "adam", "learning_rate": 0.01, "weight_decay": None,
                   "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                   "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                   "loss_scale_factor": None, "gradient_accumulation_steps": None,
                   "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}
    opt = optimizers.get(keras_config)
    assert (type(opt), opt.learning_rate, opt.beta_2) == (Adam, 0.01, 0.999)


QUADRATIC = [
    SGD(0.1), SGD(0.05, momentum=0.9, nesterov=True), Adagrad(0.5),
    Adadelta(1.0, epsilon=1e-3),  # with Keras's epsilon=1e-7 Adadelta needs ~1000s of steps
    RMSprop(0.05), RMSprop(0.02, momentum=0.5, centered=True), Adam(0.1),
    Adam(0.1, amsgrad=True), AdamW(0.1), Nadam(0.1), Adamax(0.2),
]


@pytest.mark.parametrize("opt", QUADRATIC, ids=lambda o: type(o).__name__)
def test_minimises_a_quadratic(opt):
    target = np.array([1.0, 0.0, -1.0], dtype=np.float32)
    x = Variable(np.array([3.0, -2.0, 0.5], dtype=np.float32), name="x")
    losses = []
    for _ in range(100):
        loss = ((x - target) ** 2).sum()
        losses.append(loss.item())
        loss.backward()
        opt.apply_gradients([(x.grad, x)])
        x.grad = None
    assert losses[0] == pytest.approx(10.25)  # 2^2 + 2^2 + 1.5^2
    assert losses[-1] < 1e-3 * losses[0]
    assert x.data.dtype == np.float32
    np.testing.assert_allclose(x.data, target, atol=0.05)


@pytest.mark.parametrize("name", ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "Nadam",
                                  "RMSprop"])
def test_epsilon_none_means_keras_backend_epsilon(name):
    cls = getattr(optimizers, name)
    results = []
    for eps in (None, 1e-7):
        w = Variable(np.array([1.0, -2.0, 0.0], dtype="float32"))
        opt = cls(0.1, epsilon=eps)
        assert opt.epsilon == 1e-7
        for g in ([0.5, -1.0, 0.0], [1.0, 0.0, 0.0]):
            opt.apply_gradients([(np.array(g, dtype="float32"), w)])
        results.append(w.data.copy())
    np.testing.assert_array_equal(results[0], results[1])
    assert results[0][0] < 1.0 and results[0][1] > -2.0  # both moved against the gradient
