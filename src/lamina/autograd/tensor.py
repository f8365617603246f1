"""``Tensor``: an array of the backend module plus what backward needs.

A tensor holds ``data`` (a float array, float32 unless asked otherwise), and when
``requires_grad`` is set, the op that made it (``_ctx``) and, after
:meth:`Tensor.backward`, its gradient ``grad``. Every operator and method here is a
one-line call into ``lamina.autograd.ops``; none of them holds derivative code.
"""

from __future__ import annotations

import numpy

from lamina.autograd import function as _function
from lamina.autograd.function import backward as _run_backward
from lamina.backend import floatx, get_array_module


def _float_array(data, dtype=None, where="Tensor"):
    """Turn ``data`` into a float array; refuse int/bool/object arrays with a clear message."""
    if isinstance(data, Tensor):
        data = data.data
    if hasattr(data, "dtype") and hasattr(data, "shape"):
        if dtype is not None:
            return data.astype(dtype, copy=False)
        if data.dtype.kind == "f":
            return data
        raise TypeError(
            f"{where}: expected a float array (float32 or float64), received dtype={data.dtype}. "
            "Convert it first, e.g. x.astype('float32')."
        )
    try:
        return numpy.asarray(data, dtype=dtype or floatx())
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{where}: cannot make a float array from {type(data).__name__} ({err})"
        ) from None


class Tensor:
    """An n-dimensional float array that records the ops applied to it.

    Args:
        data: array-like. Python numbers and lists become ``floatx()`` (float32);
            float arrays keep their dtype; int, bool and object arrays are refused.
        requires_grad: record ops on this tensor so ``backward`` can reach it.
        dtype: convert to this dtype (e.g. ``'float64'`` for gradient checks).
        name: optional label, used by traces and error messages.

    Example:
        >>> w = Tensor([2.0, -1.0], requires_grad=True)
        >>> loss = (w * w).sum()
        >>> loss.backward()
        >>> w.grad
        array([ 4., -2.], dtype=float32)
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_retain", "name", "__weakref__")
    __array_priority__ = 1000  # numpy_array + tensor defers to Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _float_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._retain = False
        self.name = name

    @classmethod
    def _wrap(cls, data, fn):
        """Make the output tensor of an op (no dtype checks: ops return float arrays)."""
        t = cls.__new__(cls)
        t.data = data
        t.grad = None
        t.requires_grad = fn is not None
        t._ctx = fn
        t._retain = False
        t.name = None
        return t

    # ----------------------------------------------------------------- properties
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    dtype = property(lambda self: self.data.dtype)
    size = property(lambda self: self.data.size)
    is_leaf = property(lambda self: self._ctx is None)

    @property
    def T(self):  # noqa: N802 - NumPy's name
        return _ops.transpose(self)

    @property
    def xp(self):
        """The array module that holds ``data``."""
        return get_array_module(self.data)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = numpy.array2string(numpy.asarray(self.data), separator=", ", precision=4)
        extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}, dtype={self.data.dtype}{extra})"

    # ------------------------------------------------------------------- autograd
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``grad`` may be left out only for a single-element tensor (a loss).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad; create the inputs with "
                "requires_grad=True (and not inside no_grad())"
            )
        xp = self.xp
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward: grad can be left out only for a single-element tensor; this "
                    f"one has shape {self.shape}. Pass grad= with that shape."
                )
            grad = xp.ones_like(self.data)
        else:
            grad = xp.asarray(grad.data if isinstance(grad, Tensor) else grad, self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: grad has shape {grad.shape}, expected the tensor's {self.shape}"
                )
        _run_backward(self, grad, retain_graph)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor during backward (leaves always keep it)."""
        self._retain = True
        return self

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._wrap(self.data, None)

    def zero_grad(self) -> None:
        self.grad = None

    def numpy(self):
        return self.data

    def __float__(self) -> float:
        """``float(loss)`` of a one-value tensor, as Keras's backend tensors allow."""
        return float(self.data)

    def item(self) -> float:
        return self.data.item()

    def astype(self, dtype) -> Tensor:
        return _ops.cast(self, dtype=dtype)

    # ------------------------------------------------------------------ operators
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.sub(other, self)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(other, self)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __pow__(self, exponent):
        return _ops.power(self, exponent)

    def __rpow__(self, base):
        return _ops.power(base, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # Comparisons give plain boolean arrays: they have no gradient.
    def __lt__(self, other):
        return self.data < _raw(other)

    def __le__(self, other):
        return self.data <= _raw(other)

    def __gt__(self, other):
        return self.data > _raw(other)

    def __ge__(self, other):
        return self.data >= _raw(other)

    __hash__ = object.__hash__

    # -------------------------------------------------------------------- methods
    def sum(self, axis=None, keepdims=False):
        return _ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return _ops.min(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims=False):
        return _ops.var(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def abs(self):
        return _ops.abs(self)

    def clip(self, min=None, max=None):  # noqa: A002 - NumPy's names
        return _ops.clip(self, min, max)

    def relu(self):
        return _ops.relu(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def tanh(self):
        return _ops.tanh(self)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def as_tensor(x, like: Tensor | None = None, where: str = "Tensor") -> Tensor:
    """``x`` as a Tensor. Numbers and arrays next to a tensor ``like`` take its dtype,
    so ``float32_tensor * 0.5`` or ``+ float64_array`` never upcasts to float64.
    ``where`` names the op in the error raised for int, bool or object arrays."""
    if isinstance(x, Tensor):
        return x
    if like is not None:
        return Tensor._wrap(_float_array(x, like.data.dtype, where), None)
    return Tensor._wrap(_float_array(x, None, where), None)


class _LazyOps:
    """``lamina.autograd.ops``, imported when the first operator runs (the ops import Tensor
    from this module, and loading them on ``import lamina`` cost ~30 ms of its start-up)."""

    def __getattr__(self, name):
        global _ops
        from lamina.autograd import ops

        _ops = ops  # later lookups go straight to the module
        return getattr(ops, name)


_ops = _LazyOps()
_function._Tensor, _function._as_tensor = Tensor, as_tensor  # what Function.apply wraps with
