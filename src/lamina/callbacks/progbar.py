"""The Keras 3 progress bar: ``Progbar`` and the ``ProgbarLogger`` callback that drives it.

What a run prints (``verbose=1``)::

    Epoch 3/20
    469/469 ━━━━━━━━━━━━━━━━━━━━ 4s 9ms/step - accuracy: 0.9100 - loss: 0.2500 - val_...

On a terminal the bar line is redrawn in place (``\\r``) at most every ``interval``
seconds, with the done part in green and the rest dimmed. Elsewhere (a file, CI, a
captured stream) each bar prints once, when it is complete: one line per epoch.
``verbose=2`` prints ``469/469 - 4s - 9ms/step - loss: ...`` once per epoch.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import time

from lamina.callbacks.callback import Callback

_clock = time.monotonic  # tests replace it with a fake clock

_BOLD, _GREEN, _DIM, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"

# The stream on which a bar line is open (written without its newline), so that a
# message printed meanwhile starts on a line of its own.
_open_line_stream = None


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed file
        return False


def print_msg(message, stream=None):
    """Print ``message`` on its own line, even while a progress bar line is open."""
    global _open_line_stream
    stream = sys.stdout if stream is None else stream
    opened = _open_line_stream
    if opened is not None and (opened is stream or (_isatty(opened) and _isatty(stream))):
        stream.write("\n")
        _open_line_stream = None
    stream.write(f"{message}\n")
    stream.flush()


def _format_value(value):
    """Keras's number format: 4 decimals, or scientific notation for tiny values."""
    if isinstance(value, str):
        return value
    if getattr(value, "ndim", 0):  # an array metric (one value per class)
        return "[" + " ".join(_format_value(v) for v in value.reshape(-1)) + "]"
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_time_per_unit(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds):
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


class Progbar:
    """A progress bar that looks like Keras 3's.

    Args:
        target: total number of steps, or None if unknown.
        width: bar width in characters.
        verbose: 0 silent, 1 bar, 2 one summary line when done.
        interval: minimum seconds between redraws on a terminal (0.05: 20 per second).
        stateful_metrics: names shown as given; all others are averaged over the
            updates (Keras semantics for values of single steps).
        stateless_metrics: the other way round: only these names are averaged.
        unit_name: ``"step"`` or ``"sample"``, as in ``9ms/step``.
        stream: where to write (default ``sys.stdout``).

    Example:
        >>> bar = Progbar(100)
        >>> for i in range(100):
        ...     bar.update(i + 1, [("loss", 0.5)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", stream=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: pass only one of stateful_metrics and stateless_metrics")
        if target is not None and (not isinstance(target, numbers.Integral) or target < 0):
            raise ValueError(f"Progbar: target must be a non-negative int or None; "
                             f"received target={target!r}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = sys.stdout if stream is None else stream
        if stateless_metrics is None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics or ()), None
        else:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        self._dynamic = _isatty(self.stream) or (
            self.stream in (sys.stdout, sys.stderr)
            and ("ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ)
        )
        self._color = self._dynamic and "NO_COLOR" not in os.environ
        self._values = {}  # name -> [sum, count]
        self._order = []
        self._seen_so_far = 0
        self._start = _clock()
        self._last_update = -math.inf
        self._time_after_first_step = None
        self._prev_width = 0

    def update(self, current, values=None, finalize=None):
        """Show progress ``current`` (steps done) with ``values``: ``[(name, value), ...]``.

        ``finalize`` (default: ``current >= target``) ends the line.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values or [], finalize)
        now = _clock()
        time_per_unit = self._time_per_unit(current, now)

        if self.verbose == 1:
            if not finalize and (not self._dynamic or now - self._last_update < self.interval):
                return
            self._draw(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize:
            count = self._count(current) if self.target else f"{current}"
            line = (f"{count} - {now - self._start:.0f}s - "
                    f"{_format_time_per_unit(time_per_unit, self.unit_name)}"
                    f"{self._metrics_text()}")
            print_msg(line, self.stream)
        self._last_update = now

    def add(self, n, values=None):
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _record(self, current, values, finalize):
        for name, value in values:
            if name not in self._order:
                self._order.append(name)
            if self.stateless_metrics is None:
                averaged = name not in self.stateful_metrics
            else:
                averaged = name in self.stateless_metrics
            if averaged and not finalize and not isinstance(value, str):
                weight = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] += value * weight
                total[1] += weight
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current

    def _time_per_unit(self, current, now):
        """Seconds per step, leaving out the (slow, warm-up) first step when possible."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    def _count(self, current):
        digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
        return f"{current:{digits}d}/{self.target}"

    def _metrics_text(self):
        parts = []
        for name in self._order:
            total, count = self._values[name]
            value = total if isinstance(total, str) else total / max(1, count)
            parts.append(f" - {name}: {_format_value(value)}")
        return "".join(parts)

    def _columns(self):
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):  # not a real terminal
            return None

    def _style(self, text, code):
        return f"{code}{text}{_RESET}" if self._color and text else text

    def _draw(self, current, now, time_per_unit, finalize):
        global _open_line_stream
        if self.target:
            done = min(int(self.width * current / self.target), self.width)
            bar = (self._style(self._count(current), _BOLD) + " "
                   + self._style("━" * done, _GREEN)
                   + self._style("━" * (self.width - done), _DIM))
            plain = len(self._count(current)) + 1 + self.width
        else:
            bar = f"{current:7d}/Unknown"
            plain = len(bar)
        if self.target and not finalize:
            clock_text = _format_eta(time_per_unit * (self.target - current))
        else:
            clock_text = f"{now - self._start:.0f}s"
        info = (f" {self._style(clock_text, _BOLD)} "
                f"{_format_time_per_unit(time_per_unit, self.unit_name)}{self._metrics_text()}")
        plain += len(info) - (len(_BOLD) + len(_RESET) if self._color else 0)

        line = bar + info
        columns = self._columns() if self._dynamic and not finalize else None
        if columns and plain > columns - 1:
            # A redrawn line must not wrap, or "\r" cannot return to its start: cut the
            # metrics at the end (plain text). The final line may wrap: it ends with "\n".
            cut = min(plain - (columns - 1), len(self._metrics_text()))
            line, plain = line[:len(line) - cut], plain - cut
        if self._dynamic:
            line = "\r" + line + " " * max(self._prev_width - plain, 0)
        if finalize:
            line += "\n"
        self.stream.write(line)
        self.stream.flush()
        self._prev_width = plain
        _open_line_stream = None if finalize else self.stream


class ProgbarLogger(Callback):
    """Prints the ``Epoch 3/20`` header and the progress bar during ``fit``.

    ``fit`` adds one by itself when ``verbose`` is not 0. During ``fit`` the validation
    pass is silent; ``evaluate`` and ``predict`` show their own bar.

    Args:
        stream: where to write (default ``sys.stdout``).
    """

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.seen = 0
        self.progbar = None
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose or 0)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}", self.stream)

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._new_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_begin(self, logs=None):
        self._new_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)  # predictions are not metrics

    def on_predict_end(self, logs=None):
        self._finalize(None)

    def _new_progbar(self):
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose, stateless_metrics=(),
                               stream=self.stream)

    def _update(self, batch, logs):
        if self.progbar is None:
            self._new_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, _ordered(logs), finalize=False)

    def _finalize(self, logs):
        if self.progbar is None:
            self._new_progbar()
        if self.target is None:  # unknown at the start: now we know it
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, _ordered(logs), finalize=True)


def _ordered(logs):
    """Keras's display order: names sorted, ``learning_rate`` after the validation ones."""
    if not logs:
        return []
    return sorted(logs.items(), key=lambda item: (item[0] == "learning_rate", item[0]))
