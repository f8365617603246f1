import pytest

from lamina.callbacks import LambdaCallback
from tests.callbacks.fakes import FakeModel, run_fit


def test_each_function_is_called_with_keras_arguments():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda b, l: calls.append(("batch_begin", b)),
        on_train_batch_end=lambda b, l: calls.append(("batch_end", b, l["loss"])),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["val_loss"])),
        on_train_end=lambda logs: calls.append(("train_end", logs["val_loss"])),
    )
    run_fit(FakeModel(), [callback], [0.7], steps=2)
    assert calls == [("train_begin", {}), ("epoch_begin", 0), ("batch_begin", 0),
                     ("batch_end", 0, 1.0), ("batch_begin", 1), ("batch_end", 1, 0.5),
                     ("epoch_end", 0, 0.7), ("train_end", 0.7)]


def test_other_hooks_by_name_and_unset_hooks_stay_empty():
    ended = []
    callback = LambdaCallback(on_test_end=lambda logs: ended.append(logs["loss"]))
    callback.on_test_end({"loss": 0.25})
    assert ended == [0.25]
    assert callback.on_epoch_end(0, {}) is None


def test_bad_hook_names_and_values():
    with pytest.raises(TypeError, match=r"unknown hook 'on_epoch_ends'\. "
                                        r"Did you mean 'on_epoch_end'\?"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match=r"on_epoch_end must be a function; "
                                        r"received on_epoch_end=3"):
        LambdaCallback(on_epoch_end=3)
