"""Checks of what ``compile``/``fit``/``evaluate``/``predict`` receive, before any work.

Each error names the method, the argument, what was given and what was expected, so a
mistake that Keras would refuse (or that would fail deep inside a layer) is caught at
the call that made it.
"""

from __future__ import annotations

from lamina._checks import as_int, is_int


def check_metrics(metrics, name: str = "metrics"):
    """``compile(metrics=...)``: None, a list/tuple, or (several outputs) a dict. A bare
    string is refused, as in Keras, instead of being read letter by letter."""
    if metrics is None or isinstance(metrics, (list, tuple, dict)):
        return metrics
    hint = f" Write {name}=[{metrics!r}]." if isinstance(metrics, str) else ""
    raise ValueError(f"compile: {name} must be a list (or, for a model with several outputs, a "
                     f"dict of lists by output name); received {name}={metrics!r} of type "
                     f"{type(metrics).__name__}.{hint}")


def check_validation_freq(freq):
    """``fit(validation_freq=...)``: a positive int (every n epochs) or a list of epochs
    (1-based), as in Keras; checked before the first epoch."""
    if is_int(freq) and freq >= 1:
        return int(freq)
    if isinstance(freq, (list, tuple, set)) and freq and all(
            is_int(e) and e >= 1 for e in freq):
        return {int(e) for e in freq}
    raise ValueError(f"fit: validation_freq must be a positive int (validate every n epochs) or "
                     f"a list of epoch numbers counted from 1; received "
                     f"validation_freq={freq!r}")


def should_validate(epoch: int, freq) -> bool:
    """Whether 0-based ``epoch`` ends with validation under ``check_validation_freq``'s value."""
    return (epoch + 1) in freq if isinstance(freq, set) else (epoch + 1) % freq == 0


def check_epochs(epochs, initial_epoch) -> tuple[int, int]:
    return (as_int(epochs, "epochs", "fit", minimum=0),
            as_int(initial_epoch, "initial_epoch", "fit", minimum=0))


def expected_inputs(model):
    """The input shapes a model declares (batch axis included), or None when it does not
    say (a subclassed model, an unbuilt Sequential)."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if isinstance(model, Functional):
        return [tuple(t.shape) for t in model.inputs]
    if isinstance(model, Sequential):
        return [model._input_shape] if model._input_shape else [None]
    return None


def _shape_text(shape) -> str:
    return "unknown" if shape is None else str(tuple(shape))


def check_inputs(model, x, where: str) -> None:
    """A list of arrays for ``x`` must hold one array per model input (and a single array
    needs a model of one input)."""
    from lamina.models.data_adapter import is_array_data

    expected = expected_inputs(model)
    if expected is None or x is None or isinstance(x, dict) or not is_array_data(x):
        return  # a Sequence or a generator: its batches are checked by the model
    arrays = isinstance(x, (list, tuple)) and x and all(hasattr(a, "shape") for a in x)
    given = len(x) if arrays else 1
    if given == len(expected) and (arrays or len(expected) == 1):
        return
    shapes = ", ".join(_shape_text(s) for s in expected)
    want = ("one array" if len(expected) == 1
            else f"a list of {len(expected)} arrays, one per input")
    got = (f"a list of {given} arrays of shapes "
           f"{', '.join(str(tuple(a.shape)) for a in x)}" if arrays else "one array")
    raise ValueError(f"{where}: model '{model.name}' has {len(expected)} input(s) of shape(s) "
                     f"{shapes}, so x must be {want}; received {got}")


def check_targets(y, x, loss, where: str) -> None:
    """Array ``x`` needs ``y`` (the loss compares predictions with targets)."""
    from lamina.models.data_adapter import is_array_data

    if y is None and x is not None and is_array_data(x):
        raise ValueError(f"{where}: y is missing: the loss {loss!r} compares the model's "
                         "predictions with targets; pass y (one target per sample of x)")


def batch_targets(y, loss, where: str) -> None:
    """A batch from a Sequence or a generator must carry targets too."""
    if y is None:
        raise ValueError(f"{where}: y is missing: the batches of x give no targets for the loss "
                         f"{loss!r}; yield (x, y) or (x, y, sample_weight) tuples")
