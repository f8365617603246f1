import math

import pytest

from lamina.callbacks import LambdaCallback, LearningRateScheduler
from tests.callbacks.fakes import FakeModel, run_fit


def test_schedule_sets_the_rate_at_each_epoch_begin():
    model = FakeModel(learning_rate=0.1)
    seen = []
    spy = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(
        model.optimizer.learning_rate))

    def schedule(epoch, lr):
        return lr if epoch < 2 else lr * 0.5

    run_fit(model, [LearningRateScheduler(schedule), spy], [1.0] * 4)
    assert seen == [0.1, 0.1, 0.05, 0.025]
    assert model.history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.025]


def test_keras_doc_example_value():
    model = FakeModel(learning_rate=0.01)
    schedule = LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * math.exp(-0.1))
    run_fit(model, [schedule], [1.0] * 15)
    assert round(model.optimizer.learning_rate, 5) == 0.00607


def test_one_argument_schedule():
    model = FakeModel(learning_rate=0.1)
    run_fit(model, [LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1))], [1.0] * 3)
    assert model.optimizer.learning_rate == pytest.approx(1 / 3)


def test_verbose_message(capsys):
    run_fit(FakeModel(), [LearningRateScheduler(lambda e, lr: 0.5, verbose=1)], [1.0])
    assert capsys.readouterr().out == (
        "Epoch 1: LearningRateScheduler setting learning rate to 0.5.\n")


def test_bad_schedule_output_and_argument():
    with pytest.raises(ValueError, match=r"should be a float\. Got: 'fast' \(epoch=0\)"):
        run_fit(FakeModel(), [LearningRateScheduler(lambda e, lr: "fast")], [1.0])
    with pytest.raises(ValueError, match=r"Got: nan"):
        run_fit(FakeModel(), [LearningRateScheduler(lambda e, lr: float("nan"))], [1.0])
    with pytest.raises(TypeError, match=r"schedule must be a function.*schedule=0\.1"):
        LearningRateScheduler(0.1)
