"""Saving and restoring an optimizer's state: its step count, learning rate and slots."""

from __future__ import annotations

import numpy

from lamina.backend import get_array_module


class OptimizerState:
    """The part of :class:`lamina.optimizers.Optimizer` that exports and restores its state
    (uses its ``_slots``, ``_iterations``, ``_learning_rate``, ``_pending_state``)."""

    def get_state(self) -> dict:
        """``{"iterations", "learning_rate" (if a float), "<slot>/<variable index>": ...}``
        as NumPy arrays (copies), for saving and for :meth:`set_state`."""
        state = dict(self._pending_state or {})
        state["iterations"] = numpy.asarray(self._iterations, dtype=numpy.int64)
        if isinstance(self._learning_rate, float):
            state["learning_rate"] = numpy.asarray(self._learning_rate, dtype=numpy.float64)
        for key, array in self._slots.items():
            state[key] = array.get() if hasattr(array, "get") else numpy.array(array)
        return state

    def state_shapes(self) -> dict:
        """``{key: shape}`` of what :meth:`get_state` returns, without copying a slot."""
        shapes = {k: numpy.shape(v) for k, v in (self._pending_state or {}).items()}
        shapes["iterations"] = ()
        if isinstance(self._learning_rate, float):
            shapes["learning_rate"] = ()
        shapes.update((key, tuple(array.shape)) for key, array in self._slots.items())
        return shapes

    def set_state(self, state: dict) -> None:
        """Restore :meth:`get_state`'s output; training then continues exactly as it would
        have. Before the first step, the slots are loaded when the optimizer is built."""
        owner = type(self).__name__
        state = dict(state)
        if "iterations" not in state:
            raise ValueError(f"{owner}.set_state: the state has no 'iterations' entry; pass "
                             "the dict returned by get_state()")
        iterations = int(numpy.asarray(state.pop("iterations")))
        lr = state.pop("learning_rate", None)
        if self.built:
            self._load_slots(state)
        else:
            self._pending_state = {k: numpy.array(v) for k, v in state.items()}
        self.iterations = iterations
        if lr is not None:
            self.learning_rate = float(numpy.asarray(lr))

    def _load_slots(self, state):
        owner = type(self).__name__
        missing = sorted(set(self._slots) - set(state))
        extra = sorted(set(state) - set(self._slots))
        if missing or extra:
            raise ValueError(
                f"{owner}.set_state: the state does not match this optimizer: missing "
                f"{missing}, unexpected {extra}. It must come from get_state() of a {owner} "
                "with the same options, built on the same variables."
            )
        for key, slot in self._slots.items():
            shape = numpy.shape(state[key])
            if shape != slot.shape:
                raise ValueError(f"{owner}.set_state: {key!r} has shape {shape}; expected "
                                 f"{slot.shape}")
        for key, slot in self._slots.items():
            slot[...] = get_array_module(slot).asarray(state[key], dtype=slot.dtype)
