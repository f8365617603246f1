"""How much a layer config may allocate: checked in ``Layer.add_weight`` before any array
exists, so an absurd config is refused by name instead of exhausting memory.

* Always: a weight of more than 2**31 elements (8 GiB in float32) is refused.
* While a file is loaded (:func:`weight_budget`): all the weights the config creates may
  not exceed what the file holds for them, e.g. ``units: 2**26`` in a file with a few
  kilobytes of weights is refused before the layer allocates its kernel.
"""

from __future__ import annotations

import contextlib
import contextvars
import math

import numpy

MAX_WEIGHT_ELEMENTS = 2**31

_budget: contextvars.ContextVar = contextvars.ContextVar("lamina_weight_budget", default=None)


class _Budget:
    def __init__(self, limit: int, where: str):
        self.limit, self.where, self.used = int(limit), where, 0


@contextlib.contextmanager
def weight_budget(limit: int, where: str):
    """Within this block, layers may create at most ``limit`` bytes of weights in all."""
    token = _budget.set(_Budget(limit, where))
    try:
        yield
    finally:
        _budget.reset(token)


def check_weight(layer, name, shape: tuple, dtype) -> None:
    """Refuse (ValueError naming the layer) a weight that is absurd or beyond the budget."""
    from lamina.saving.archive import human

    elements = math.prod(int(s) for s in shape)
    label = f"layer '{layer.name}' ({type(layer).__name__})"
    if elements > MAX_WEIGHT_ELEMENTS:
        raise ValueError(f"{label}: weight {name!r} would have shape {tuple(shape)}, "
                         f"{elements:,} elements, more than the 2**31 lamina accepts; check "
                         "the layer's arguments (units, filters, input_dim...)")
    budget = _budget.get()
    if budget is None:
        return
    nbytes = elements * numpy.dtype(dtype).itemsize
    budget.used += nbytes
    if budget.used > budget.limit:
        raise ValueError(f"{budget.where}: {label} would create weight {name!r} of shape "
                         f"{tuple(shape)} ({human(nbytes)}), beyond the {human(budget.limit)} "
                         "of weights the file holds in all; the model config does not match "
                         "the weights in the file")
