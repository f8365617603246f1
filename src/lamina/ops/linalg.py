"""Products of ``keras.ops``: matmul, dot, tensordot, outer, einsum.

``tensordot`` and ``dot`` are transposes and reshapes around one engine ``matmul``;
``einsum`` is the engine's op (its gradient is again an einsum).
"""

from __future__ import annotations

import math

import numpy

from lamina.autograd import ops as _engine
from lamina.ops._convert import array, integer_path, tensors

__all__ = ["dot", "einsum", "matmul", "outer", "tensordot"]


def matmul(x1, x2):
    """Matrix product with NumPy's rules (1-D operands promoted, batch axes broadcast)."""
    if integer_path(x1, x2):
        return numpy.matmul(array(x1), array(x2))
    return _engine.matmul(*tensors([x1, x2], "matmul"))


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes``: an int (the last n of x1 with the first n of x2) or a
    pair of axis lists, as ``numpy.tensordot``."""
    if integer_path(x1, x2):
        return numpy.tensordot(array(x1), array(x2), axes)
    a, b = tensors([x1, x2], "tensordot")
    if isinstance(axes, int):
        sa, sb = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        sa, sb = ([ax] if isinstance(ax, int) else list(ax) for ax in axes)
    sa, sb = [x % a.ndim for x in sa], [x % b.ndim for x in sb]
    if [a.shape[i] for i in sa] != [b.shape[i] for i in sb]:
        raise ValueError(f"tensordot: the summed axes differ in size: {a.shape} axes {sa} "
                         f"against {b.shape} axes {sb}")
    fa = [i for i in range(a.ndim) if i not in sa]
    fb = [i for i in range(b.ndim) if i not in sb]
    n = math.prod(a.shape[i] for i in sa)
    left = _engine.reshape(_engine.transpose(a, tuple(fa + sa)),
                           (math.prod(a.shape[i] for i in fa), n))
    right = _engine.reshape(_engine.transpose(b, tuple(sb + fb)),
                            (n, math.prod(b.shape[i] for i in fb)))
    return _engine.reshape(_engine.matmul(left, right),
                           tuple(a.shape[i] for i in fa) + tuple(b.shape[i] for i in fb))


def dot(x1, x2):
    """``numpy.dot``: a product for scalars, matmul up to 2-D, else the last axis of x1
    against the second-to-last of x2."""
    if integer_path(x1, x2):
        return numpy.dot(array(x1), array(x2))
    a, b = tensors([x1, x2], "dot")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2 or a.ndim == 1:
        return _engine.matmul(a, b) if b.ndim <= 2 else tensordot(a, b, ([0], [b.ndim - 2]))
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 2]))


def outer(x1, x2):
    """The outer product of the flattened inputs: ``out[i, j] = x1[i] * x2[j]``."""
    if integer_path(x1, x2):
        return numpy.outer(array(x1), array(x2))
    a, b = tensors([x1, x2], "outer")
    return _engine.reshape(a, (-1, 1)) * _engine.reshape(b, (1, -1))


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (``'ij,jk->ik'``, ``...`` allowed; distinct letters per operand)."""
    if kwargs:
        raise TypeError(f"einsum: unexpected arguments {sorted(kwargs)}")
    if integer_path(*operands):
        return numpy.einsum(subscripts, *[array(o) for o in operands])
    return _engine.einsum(subscripts, *tensors(list(operands), "einsum"))
