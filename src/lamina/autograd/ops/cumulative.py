"""Running sums along an axis: ``cumsum``.

``out[i] = x[0] + ... + x[i]``, so ``x[j]`` feeds every output from ``j`` on, and its
gradient is the sum of the output gradients from ``j`` to the end: the cumulative sum of
the reversed gradient, reversed back.
"""

from __future__ import annotations

from lamina.autograd.function import Function

__all__ = ["cumsum"]


class Cumsum(Function):
    name = "cumsum"

    def forward(self, x, *, axis):
        if axis is None:
            self.shape, self.axis = x.shape, 0
            return self.xp.cumsum(x.reshape(-1))
        if not isinstance(axis, int) or isinstance(axis, bool) or not -x.ndim <= axis < x.ndim:
            raise ValueError(f"cumsum: axis must be None or an int in [-{x.ndim}, {x.ndim}) for "
                             f"an input of shape {x.shape}; received axis={axis!r}")
        self.shape, self.axis = None, axis
        return self.xp.cumsum(x, axis=axis)

    def backward(self, grad):
        xp, axis = self.xp, self.axis
        g = xp.flip(xp.cumsum(xp.flip(grad, axis), axis=axis), axis)
        return g if self.shape is None else g.reshape(self.shape)


def cumsum(x, axis=None):
    """Running sum along ``axis`` (None: over the flattened input), as ``numpy.cumsum``.

    >>> from lamina import Tensor
    >>> cumsum(Tensor([1.0, 2.0, 3.0])).data
    array([1., 3., 6.], dtype=float32)
    """
    return Cumsum.apply(x, axis=axis)
