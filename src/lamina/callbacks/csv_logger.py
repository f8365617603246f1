"""``CSVLogger``: write each epoch's logs as a row of a CSV file."""

from __future__ import annotations

import csv
import os

from lamina.callbacks.callback import Callback


def _cell(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "__iter__") and getattr(value, "ndim", 1) != 0:
        return f"[{', '.join(map(str, value))}]"
    return value


class CSVLogger(Callback):
    """Stream epoch results to a CSV file: a header, then one row per epoch.

    The columns are ``epoch`` (from 0, as in Keras) and the first epoch's log names,
    sorted. The file is flushed after every row, so it can be watched during training.

    Args:
        filename: e.g. ``"run/log.csv"`` (missing directories are created).
        separator: the one-character column separator.
        append: add to an existing file (the header is written only if it is empty).

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[CSVLogger("training.csv")])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger: filename must be a str or path; "
                            f"received filename={filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError("CSVLogger: separator must be a single character; "
                             f"received separator={separator!r}")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self.writer = None
        self.csv_file = None
        self._write_header = True

    def on_train_begin(self, logs=None):
        self._close()
        directory = os.path.dirname(self.filename)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.append and os.path.exists(self.filename):
            self._write_header = os.path.getsize(self.filename) == 0
        else:
            self._write_header = True
        self.csv_file = open(self.filename, "a" if self.append else "w",
                             newline="", encoding="utf-8")
        self.keys = None
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.csv_file is None:  # used outside fit: open on first use
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            # A validation run that has not happened yet still gets its columns.
            for name in getattr(self.model, "metrics_names", None) or []:
                if name.startswith("val_") and name not in self.keys:
                    self.keys.append(name)
        if self.writer is None:
            self.writer = csv.writer(self.csv_file, delimiter=self.sep, lineterminator="\n")
            if self._write_header:
                self.writer.writerow(["epoch", *self.keys])
        self.writer.writerow([epoch, *(_cell(logs.get(key, "NA")) for key in self.keys)])
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None
