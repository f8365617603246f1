"""In-place moving averages of the gradient, shared by the Adam-family update steps.

Both write into ``scratch`` (an array like the variable, from ``Optimizer._scratch``), so
a step allocates nothing; the arithmetic is in the order Keras's formulas give.
"""

from __future__ import annotations


def update_first_moment(xp, m, grad, beta, scratch):
    """``m = beta * m + (1 - beta) * grad``, in place."""
    m *= beta
    xp.multiply(grad, 1 - beta, out=scratch)
    m += scratch


def update_second_moment(xp, v, grad, beta, scratch):
    """``v = beta * v + (1 - beta) * grad ** 2``, in place."""
    v *= beta
    xp.square(grad, out=scratch)
    scratch *= 1 - beta
    v += scratch
