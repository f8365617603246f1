"""Learning-rate schedules against their (Keras) formulas at a few steps."""

import json
import math

import pytest

from lamina.optimizers import schedules
from lamina.optimizers.schedules import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)


def test_exponential_decay():
    s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    # 0.1 * 0.5 ** (step / 10)
    assert s(0) == pytest.approx(0.1)
    assert s(5) == pytest.approx(0.1 * 0.7071068)        # 0.5 ** 0.5
    assert s(20) == pytest.approx(0.025)
    stairs = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    # 0.1 * 0.5 ** floor(step / 10)
    assert [stairs(9), stairs(15), stairs(20)] == pytest.approx([0.1, 0.05, 0.025])


def test_inverse_time_decay():
    s = InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
    # 0.1 / (1 + 0.5 * step)
    assert [s(0), s(2), s(4)] == pytest.approx([0.1, 0.05, 0.03333333], rel=1e-6)
    stairs = InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)
    # step 3: floor(3 / 2) = 1 -> 0.1 / 1.5
    assert stairs(3) == pytest.approx(0.06666667, rel=1e-6)


def test_piecewise_constant_decay():
    s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    # step <= 10: 1.0; 10 < step <= 20: 0.5; step > 20: 0.1
    assert [s(0), s(10), s(11), s(20), s(21), s(1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]


def test_polynomial_decay():
    s = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01)
    # (0.1 - 0.01) * (1 - min(step, 10) / 10) + 0.01
    assert [s(0), s(5), s(10), s(20)] == pytest.approx([0.1, 0.055, 0.01, 0.01])
    squared = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=2.0)
    assert squared(5) == pytest.approx(0.09 * 0.25 + 0.01)
    cycle = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, cycle=True)
    # step 15: decay_steps becomes 10 * ceil(1.5) = 20, p = 0.75
    assert cycle(15) == pytest.approx(0.09 * 0.25 + 0.01)


def test_cosine_decay():
    s = CosineDecay(1.0, decay_steps=100, alpha=0.1)
    # (1 - 0.1) * 0.5 * (1 + cos(pi * min(step, 100) / 100)) + 0.1
    assert s(0) == pytest.approx(1.0)
    assert s(25) == pytest.approx(0.9 * 0.5 * (1 + 0.7071068) + 0.1)  # 0.8681981
    assert s(50) == pytest.approx(0.55)
    assert s(100) == pytest.approx(0.1)
    assert s(150) == pytest.approx(0.1)


def test_cosine_decay_with_warmup():
    s = CosineDecay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    # warmup: 0 -> 1 linearly over 10 steps; then cosine from 1.0 over 100 steps
    assert [s(0), s(5), s(10)] == pytest.approx([0.0, 0.5, 1.0])
    assert s(60) == pytest.approx(0.5)       # 0.5 * (1 + cos(pi * 50 / 100))
    assert s(110) == pytest.approx(0.0, abs=1e-12)
    assert s(500) == pytest.approx(0.0, abs=1e-12)


ALL = [ExponentialDecay(0.1, 10, 0.5, staircase=True), InverseTimeDecay(0.1, 1, 0.5),
       PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), PolynomialDecay(0.1, 10, power=2.0),
       CosineDecay(0.0, 100, alpha=0.1, warmup_target=1.0, warmup_steps=10)]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    config = json.loads(json.dumps(schedules.serialize(schedule)))
    again = schedules.deserialize(config)
    assert type(again) is type(schedule)
    assert again.get_config() == schedule.get_config()
    assert [again(s) for s in (0, 7, 15, 60)] == [schedule(s) for s in (0, 7, 15, 60)]


def test_keras_style_config_loads():
    config = {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
              "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
                         "staircase": False, "name": "ExponentialDecay"},
              "registered_name": None}
    assert schedules.deserialize(config)(10) == pytest.approx(0.05)


def test_custom_schedule_base():
    class Halving(LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / 2 ** step

    assert Halving()(3) == 0.125
    with pytest.raises(NotImplementedError, match="Halving.*get_config"):
        Halving().get_config()
    with pytest.raises(NotImplementedError, match="__call__"):
        LearningRateSchedule()(0)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"ExponentialDecay: decay_steps must be > 0; "
                                         r"received decay_steps=0"):
        ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="CosineDecay: decay_steps must be > 0"):
        CosineDecay(0.1, -5)
    with pytest.raises(ValueError, match="PiecewiseConstantDecay: values must have one more "
                                         "entry than boundaries"):
        PiecewiseConstantDecay([10, 20], [1.0, 0.5])
    with pytest.raises(ValueError, match="boundaries must be strictly increasing"):
        PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1])
    with pytest.raises(TypeError, match="initial_learning_rate must be a number"):
        ExponentialDecay("0.1", 10, 0.5)
    with pytest.raises(ValueError, match="Did you mean 'CosineDecay'"):
        schedules.deserialize({"class_name": "CosinDecay", "config": {}})
    assert math.isfinite(CosineDecay(0.1, 10, warmup_target=0.5)(0))  # warmup_steps=0: no 0/0
