"""``batch_norm_relu``: batch normalization followed by a ReLU, as one op.

``relu(batch_norm(x, ...))`` with batch norm's arguments, and the same numbers as the two ops
one after the other. One op instead of two saves, in training, the ReLU's passes over the
batch: on the numba path (``_batch_norm_cpu``) the ReLU is applied in the pass that writes
the normalized output, and its derivative (``grad * (y > 0)``) in the passes of batch norm's
backward. The derivatives are not written again here: the reference path applies ReLU's own
(``activation.relu_grad``) and then batch norm's backward.

A functional model trains each ``BatchNormalization -> ReLU`` pair of its graph with this op
(``lamina.models.training_graph``); a user may call it directly too.
"""

from __future__ import annotations

from lamina.autograd.ops._rows import by_rows
from lamina.autograd.ops.activation import relu_grad
from lamina.autograd.ops.normalization import BatchNorm, apply_batch_norm

__all__ = ["batch_norm_relu"]


class BatchNormReLU(BatchNorm):
    name = "batch_norm_relu"
    relu = True

    def _activate(self, out):
        xp = self.xp  # in place: ``out`` is the op's own new array
        by_rows(lambda lo, hi: xp.maximum(out[lo:hi], 0, out=out[lo:hi]), out)
        if self.recording:
            self.y = out
        return out

    def _upstream(self, grad):
        grad = relu_grad(self.xp, grad, self.y)
        self.y = None
        return grad


def batch_norm_relu(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99,
                    epsilon=1e-3, axis=-1):
    """``relu(batch_norm(x, gamma, beta, moving_mean, moving_variance, training, momentum,
    epsilon, axis))`` as one op; the arguments are :func:`~lamina.autograd.ops.batch_norm`'s
    (the moving statistics are updated in place in training)."""
    return apply_batch_norm(BatchNormReLU, "batch_norm_relu", x, gamma, beta, moving_mean,
                            moving_variance, training, momentum, epsilon, axis)
