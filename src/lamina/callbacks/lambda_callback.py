"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from lamina.callbacks.callback import Callback, check_hook_names


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given.

    ``on_epoch_begin``/``on_epoch_end`` are called as ``f(epoch, logs)``,
    ``on_train_begin``/``on_train_end`` as ``f(logs)`` and the batch hooks as
    ``f(batch, logs)``. Any other hook can be given by name
    (``on_test_end=...``, ``on_predict_batch_end=...``).

    Example:
        >>> losses = []
        >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> model.fit(x, y, epochs=3, callbacks=[record])
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        check_hook_names(kwargs, "LambdaCallback")
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback: {name} must be a function; "
                                f"received {name}={function!r}")
            setattr(self, name, function)
