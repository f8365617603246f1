"""``Variable``: a named, assignable tensor that holds a layer weight or other state.

Trainable variables require a gradient; optimizers update ``data`` in place, then
apply the variable's ``constraint`` (as Keras does). Non-trainable variables (batch
norm's moving statistics) are plain state that ``assign`` replaces.
"""

from __future__ import annotations

from lamina.autograd.tensor import Tensor, _float_array


class Variable(Tensor):
    """A weight: a tensor with a ``name``, a ``trainable`` flag and an optional ``constraint``.

    Args:
        initial_value: the starting array (float).
        trainable: whether optimizers update it (then it requires a gradient).
        name: e.g. ``"kernel"``; layers give it a path like ``"dense/kernel"``.
        constraint: a callable applied to the new value after each optimizer step.

    Example:
        >>> v = Variable([1.0, 2.0], name="bias")
        >>> v.assign([0.5, 0.5])
        >>> v.data
        array([0.5, 0.5], dtype=float32)
    """

    __slots__ = ("_trainable", "constraint", "path")

    def __init__(self, initial_value, trainable: bool = True, name: str | None = None,
                 dtype=None, constraint=None):
        super().__init__(initial_value, requires_grad=trainable, dtype=dtype, name=name)
        self._trainable = bool(trainable)
        self.constraint = constraint
        self.path = name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.requires_grad = bool(value)

    def assign(self, value) -> None:
        """Replace the value in place; the shape must stay the same."""
        new = _float_array(value, self.data.dtype, where=f"Variable {self.path!r}")
        if new.shape != self.data.shape:
            raise ValueError(
                f"Variable {self.path!r}: cannot assign a value of shape {new.shape}; "
                f"expected {self.data.shape}"
            )
        self.data[...] = new

    def assign_add(self, delta) -> Variable:
        """Add ``delta`` in place (Keras's ``Variable.assign_add``); returns the variable."""
        self.assign(self.data + self._same_shape(delta))
        return self

    def assign_sub(self, delta) -> Variable:
        """Subtract ``delta`` in place (Keras's ``Variable.assign_sub``); returns the variable."""
        self.assign(self.data - self._same_shape(delta))
        return self

    def _same_shape(self, delta):
        delta = _float_array(delta, self.data.dtype, where=f"Variable {self.path!r}")
        if delta.shape not in ((), self.data.shape):
            raise ValueError(f"Variable {self.path!r}: cannot add or subtract a value of shape "
                             f"{delta.shape}; expected {self.data.shape}")
        return delta

    @property
    def value(self):
        """The current value as a Tensor outside the graph (Keras's ``Variable.value``)."""
        return self.detach()

    def __repr__(self):
        return (f"<Variable path={self.path!r} shape={self.shape} dtype={self.dtype} "
                f"trainable={self.trainable}>")
