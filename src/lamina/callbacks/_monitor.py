"""Which way a monitored metric should go, for callbacks that keep or wait for its best value."""

from __future__ import annotations

import operator

from lamina.callbacks.callback import infer_mode


def improvement_op(owner, mode, monitor, model, action):
    """``operator.lt`` when ``monitor`` should go down, ``operator.gt`` when up.

    Args:
        owner: the callback's class name, for the message.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (decided by :func:`infer_mode`).
        monitor, model: the metric name and the model being trained.
        action: what the callback does with the best value, for the message (``"keep"``).

    Raises:
        ValueError: ``mode="auto"`` and the metric's direction cannot be told.
    """
    if mode == "auto":
        mode = infer_mode(monitor, model)
    if mode is None:
        raise ValueError(
            f"{owner} callback received monitor={monitor}, but lamina can't "
            "tell whether that metric should be maximized or minimized. Pass "
            f"mode='max' to {action} the highest value, or mode='min' for the lowest."
        )
    return operator.lt if mode == "min" else operator.gt
