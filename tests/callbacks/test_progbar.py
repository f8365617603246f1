import io

import pytest

from lamina.callbacks import CallbackList, ProgbarLogger
from lamina.callbacks import progbar as progbar_module
from lamina.callbacks.progbar import Progbar, print_msg


class FakeClock:
    def __init__(self, t=100.0):
        self.t = t

    def __call__(self):
        return self.t


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "_clock", fake)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(progbar_module, "_open_line_stream", None)
    return fake


EPOCH_LOGS = {"accuracy": 0.91, "loss": 0.25, "val_accuracy": 0.9, "val_loss": 0.3}
LINE = ("469/469 ━━━━━━━━━━━━━━━━━━━━ 4s 9ms/step - accuracy: 0.9100 - loss: 0.2500"
        " - val_accuracy: 0.9000 - val_loss: 0.3000\n")


def run_epoch(clock, stream, verbose=1, epoch=2, epochs=20, steps=469, logs=EPOCH_LOGS):
    """One epoch of 469 batches: 20 ms for the first, then 9 ms each."""
    cbs = CallbackList([ProgbarLogger(stream=stream)], add_history=False, epochs=epochs,
                       steps=steps, verbose=verbose)
    cbs.on_train_begin()
    clock.t = 100.0
    cbs.on_epoch_begin(epoch)
    n = steps or 469
    for batch in range(n):
        clock.t = 100.02 + batch * 0.009
        # the model puts loss before accuracy: the bar still shows Keras's sorted order
        cbs.on_train_batch_end(batch, {"loss": 0.5 - batch / 2000, "accuracy": 0.8})
    cbs.on_epoch_end(epoch, dict(logs))
    cbs.on_train_end(dict(logs))
    return stream.getvalue()


def test_non_tty_prints_one_keras_line_per_epoch(clock):
    out = run_epoch(clock, io.StringIO())
    assert out == "Epoch 3/20\n" + LINE


def test_verbose_2_prints_the_summary_line(clock):
    out = run_epoch(clock, io.StringIO(), verbose=2)
    assert out == ("Epoch 3/20\n469/469 - 4s - 9ms/step - accuracy: 0.9100 - loss: 0.2500"
                   " - val_accuracy: 0.9000 - val_loss: 0.3000\n")


def test_verbose_0_adds_no_progbar_and_prints_nothing(clock, capsys):
    cbs = CallbackList([], add_history=False, epochs=2, steps=3, verbose=0)
    assert len(cbs) == 0
    out = run_epoch(clock, io.StringIO(), verbose=0)
    assert out == "" and capsys.readouterr().out == ""


def test_single_epoch_has_no_epoch_header(clock):
    assert run_epoch(clock, io.StringIO(), epoch=0, epochs=1) == LINE


def test_tty_redraws_in_place_throttled_with_coloured_bar(clock):
    out = run_epoch(clock, FakeTTY())
    header, rest = out.split("\n", 1)
    assert header == "Epoch 3/20"
    frames = rest.split("\r")[1:]
    # 469 batches over 4.2 s, redrawn at most every 50 ms, plus the final frame.
    assert 70 <= len(frames) <= 90
    assert all(not f.endswith("\n") for f in frames[:-1])
    assert frames[0].startswith("\x1b[1m  1/469\x1b[0m \x1b[37m" + "━" * 20 + "\x1b[0m")
    assert "\x1b[1m9s\x1b[0m 20ms/step - accuracy: 0.8000 - loss: 0.5000" in frames[0]
    half = "\x1b[32m" + "━" * 10 + "\x1b[0m\x1b[37m" + "━" * 10 + "\x1b[0m"
    assert any(half in f for f in frames)
    assert frames[-1] == ("\x1b[1m469/469\x1b[0m \x1b[32m" + "━" * 20 + "\x1b[0m \x1b[1m4s\x1b[0m"
                          " 9ms/step - accuracy: 0.9100 - loss: 0.2500 - val_accuracy: 0.9000"
                          " - val_loss: 0.3000\n")


def test_no_color_keeps_in_place_redraw_without_escape_codes(clock, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = run_epoch(clock, FakeTTY())
    assert "\x1b" not in out and "\r" in out
    assert out.endswith("\r" + LINE)


def test_shorter_redraw_is_padded_over_the_longer_one(clock):
    stream = FakeTTY()
    bar = Progbar(10, stateful_metrics=["loss"], stream=stream)
    clock.t = 101.0
    bar.update(1, [("loss", 12345.0)])
    clock.t = 102.0
    bar.update(2, [("loss", 1.0)])
    first, second = stream.getvalue().split("\r")[1:]
    assert "loss: 12345.0000" in first and second.endswith("loss: 1.0000    ")


def test_redrawn_lines_are_cut_to_the_terminal_width(clock, monkeypatch):
    monkeypatch.setattr(progbar_module.os, "get_terminal_size",
                        lambda fd: progbar_module.os.terminal_size((60, 20)))
    monkeypatch.setenv("NO_COLOR", "1")
    stream = FakeTTY()
    stream.fileno = lambda: 1
    bar = Progbar(10, stateful_metrics=["loss", "accuracy"], stream=stream)
    clock.t = 101.0
    values = [("loss", 0.5), ("accuracy", 0.25)]
    bar.update(5, values)
    clock.t = 102.0
    bar.update(10, values)
    redraw, final = stream.getvalue().split("\r")[1:]
    assert redraw == " 5/10 ━━━━━━━━━━━━━━━━━━━━ 1s 200ms/step - loss: 0.5000 - a"
    assert len(redraw) == 59
    assert final.endswith("loss: 0.5000 - accuracy: 0.2500\n")  # the last line may wrap


def test_unknown_steps_take_the_count_at_epoch_end(clock):
    out = run_epoch(clock, io.StringIO(), steps=None, epochs=1, logs={"loss": 0.25})
    assert out == "469/469 ━━━━━━━━━━━━━━━━━━━━ 4s 9ms/step - accuracy: 0.8000 - loss: 0.2500\n"
    out = run_epoch(clock, FakeTTY(), steps=None, epochs=1, logs={"loss": 0.25})
    assert out.startswith("\r      1/Unknown \x1b[1m0s\x1b[0m 20ms/step - accuracy: 0.8000")


def test_learning_rate_comes_last_and_small_values_use_scientific_notation(clock):
    logs = {"learning_rate": 1e-4, "loss": 0.25, "val_loss": 0.5}
    out = run_epoch(clock, io.StringIO(), epochs=1, logs=logs)
    assert out.endswith("- accuracy: 0.8000 - loss: 0.2500 - val_loss: 0.5000 "
                        "- learning_rate: 1.0000e-04\n")


def test_evaluate_shows_a_bar_but_validation_inside_fit_is_silent(clock):
    stream = io.StringIO()
    cbs = CallbackList([ProgbarLogger(stream=stream)], add_history=False, epochs=1, steps=5,
                       verbose=1)
    cbs.on_test_begin()
    for batch in range(5):
        clock.t = 100.0 + 0.01 * (batch + 1)
        cbs.on_test_batch_end(batch, {"loss": 0.4})
    cbs.on_test_end({"loss": 0.4, "accuracy": 0.75})
    assert stream.getvalue() == (
        "5/5 ━━━━━━━━━━━━━━━━━━━━ 0s 10ms/step - loss: 0.4000 - accuracy: 0.7500\n")

    stream = io.StringIO()
    cbs = CallbackList([ProgbarLogger(stream=stream)], add_history=False, epochs=1, steps=1,
                       verbose=1)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_test_begin()
    cbs.on_test_batch_end(0, {"loss": 2.0})
    cbs.on_test_end({"loss": 2.0})
    cbs.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    assert stream.getvalue().count("\n") == 1 and "val_loss: 2.0000" in stream.getvalue()


def test_predict_bar_shows_no_values(clock):
    stream = io.StringIO()
    cbs = CallbackList([ProgbarLogger(stream=stream)], add_history=False, epochs=1, steps=2,
                       verbose=1)
    cbs.on_predict_begin()
    for batch in range(2):
        clock.t += 2.0
        cbs.on_predict_batch_end(batch, {"outputs": [1, 2]})
    cbs.on_predict_end()
    assert stream.getvalue() == "2/2 ━━━━━━━━━━━━━━━━━━━━ 4s 2s/step\n"


def test_standalone_progbar_averages_values_like_keras(clock):
    stream = io.StringIO()
    bar = Progbar(4, stream=stream)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    bar.update(4, finalize=True)
    assert stream.getvalue().endswith("- loss: 2.0000\n")
    with pytest.raises(ValueError, match="only one of stateful_metrics and stateless"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
    with pytest.raises(ValueError, match=r"target=-1"):
        Progbar(-1)


def test_print_msg_starts_a_new_line_while_a_bar_is_open(clock):
    stream = FakeTTY()
    bar = Progbar(10, stream=stream)
    bar.update(3, [("loss", 1.0)])
    print_msg("Epoch 1: saving model", stream)
    bar.update(10, [("loss", 1.0)])
    print_msg("done", stream)
    lines = stream.getvalue().split("\n")
    assert lines[1] == "Epoch 1: saving model"
    assert lines[-2] == "done" and lines[-3].startswith("\r")


@pytest.mark.parametrize("seconds,text", [(2.0, "2s/step"), (0.009, "9ms/step"),
                                          (5e-5, "50us/step"), (0.0, "0s/step")])
def test_time_per_step_format(seconds, text):
    assert progbar_module._format_time_per_unit(seconds, "step") == text


@pytest.mark.parametrize("seconds,text", [(9.4, "9s"), (125, "2:05"), (3725, "1:02:05")])
def test_eta_format(seconds, text):
    assert progbar_module._format_eta(seconds) == text


@pytest.mark.parametrize("value,text", [(0.25, "0.2500"), (123.456789, "123.4568"),
                                        (1e-4, "1.0000e-04"), (0.0, "0.0000e+00"),
                                        (-0.5, "-0.5000")])
def test_value_format(value, text):
    assert progbar_module._format_value(value) == text
