import math

import pytest

from lamina.callbacks import TerminateOnNaN
from tests.callbacks.fakes import FakeModel, run_fit


def loss_at(bad_epoch, bad_batch, value):
    return lambda e, b: {"loss": value if (e, b) == (bad_epoch, bad_batch) else 0.5}


@pytest.mark.parametrize("value,text", [(math.nan, "nan"), (math.inf, "inf")])
def test_stops_at_the_bad_batch_and_says_where(value, text, capsys):
    model = FakeModel()
    seen = []
    _, ran = run_fit(model, [TerminateOnNaN()], [1.0] * 5, steps=20,
                     batch_logs=lambda e, b: seen.append((e, b)) or loss_at(2, 16, value)(e, b))
    assert model.stop_training is True
    assert ran == 3 and seen[-1] == (2, 16)
    assert capsys.readouterr().err == (
        f"Batch 17 of epoch 3: invalid loss {text}, terminating training\n")


def test_finite_losses_and_missing_loss_do_nothing(capsys):
    model = FakeModel()
    _, ran = run_fit(model, [TerminateOnNaN()], [1.0] * 3,
                     batch_logs=lambda e, b: {"accuracy": math.nan} if b else {"loss": 1e30})
    assert ran == 3 and model.stop_training is False
    assert capsys.readouterr().err == ""


def test_raise_error():
    with pytest.raises(RuntimeError, match=r"Batch 2 of epoch 1: invalid loss nan"):
        run_fit(FakeModel(), [TerminateOnNaN(raise_error=True)], [1.0],
                batch_logs=loss_at(0, 1, math.nan))
