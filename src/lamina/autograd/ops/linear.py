"""``linear``: ``x @ kernel + bias``, the Dense layer's op, fused into one node; and
``linear_relu`` / ``linear_sigmoid``: the activation of it, as one op.

Written as ``matmul`` then ``add`` it costs two graph nodes, a temporary the size of the
output, and in the backward a ``sum`` over the batch axis to reduce the bias gradient.
Fused, the bias is added in place into the product, and its gradient is ``ones @ grad``
(a GEMV: several times faster than ``grad.sum(axis=0)``). The products run on every core
through :func:`lamina.parallel.matmul` (on BLAS's threads or split by lamina).

``linear_relu`` and ``linear_sigmoid`` apply the activation in place on the product (one node
and one output-sized array fewer each way: Dense(..., activation='relu') uses them); its
derivative comes from the same helpers the activation ops use (``relu_grad``, ``sigmoid_grad``).

The derivatives are those of matmul and of a broadcast add:

    dx = grad @ kernel.T        dkernel = x.T @ grad        dbias = ones @ grad

On two threads the two products run side by side, each whole (``plans.linear_backward``).

Inputs with more than two axes (``(N, T, C)`` for a Dense on sequences) are flattened to
``(N*T, C)`` for the products, as Keras's Dense applies the kernel along the last axis.
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops import plans
from lamina.autograd.ops.activation import _sigmoid, relu_grad, sigmoid_grad
from lamina.parallel import matmul, num_threads, parallel_for

__all__ = ["linear", "linear_relu", "linear_sigmoid"]


class Linear(Function):
    name = "linear"
    activation = None  # linear_relu / linear_sigmoid: the activation applied in place

    def forward(self, x, kernel, *bias):
        activation = self.activation
        if x.ndim < 1 or kernel.ndim != 2 or x.shape[-1] != kernel.shape[0]:
            raise ValueError(
                f"{self.name}: the last axis of the input "
                f"({x.shape[-1] if x.ndim else 'none'}, shape {x.shape}) must equal the first "
                f"axis of the kernel (shape {kernel.shape}, expected (input features, units))")
        if bias and tuple(bias[0].shape) != (kernel.shape[1],):
            raise ValueError(f"{self.name}: bias must have shape ({kernel.shape[1]},), one "
                             f"value per unit; received bias shape {tuple(bias[0].shape)}")
        xp = self.xp
        dtype = xp.result_type(x, kernel, *bias)
        x2 = x.reshape(-1, x.shape[-1]).astype(dtype, copy=False)
        kernel = kernel.astype(dtype, copy=False)
        b = bias[0] if bias else None

        def finish(part, columns):  # on each thread's part of the product, while in cache
            if activation == "sigmoid":  # the bias is added inside the sigmoid's first pass
                _sigmoid(part, xp, out=part, bias=None if b is None else b[columns])
                return
            if b is not None:
                part += b[columns]
            if activation == "relu":
                xp.maximum(part, 0, out=part)

        out = matmul(xp, x2, kernel, epilogue=finish if bias or activation else None)
        if self.recording:
            need_x, need_k = self.needs_input_grad[:2]
            self.save_for_backward(x2 if need_k else None, kernel if need_x else None)
            self.x_shape = x.shape
            self.out = out if activation else None
        return out.reshape(*x.shape[:-1], kernel.shape[1])

    def backward(self, grad):
        xp = self.xp
        x2, kernel = self.saved
        need = self.needs_input_grad
        g2 = xp.ascontiguousarray(grad).reshape(-1, grad.shape[-1])
        if self.activation == "relu":
            g2 = relu_grad(xp, g2, self.out)
        elif self.activation == "sigmoid":
            g2 = sigmoid_grad(xp, g2, self.out)
        grads = [None] * len(need)

        def input_grad():
            grads[0] = matmul(xp, g2, kernel.T).reshape(self.x_shape)

        def weight_grads():
            if need[1]:  # into the engine's buffer for the kernel, if it gives one
                out = self.grad_out[1] if self.grad_out else None
                if out is not None and out.dtype != xp.result_type(x2, g2):
                    out = None
                grads[1] = matmul(xp, x2.T, g2, out=out)
            if len(need) == 3 and need[2]:
                grads[2] = xp.ones(g2.shape[0], dtype=g2.dtype) @ g2

        if need[0] and need[1] and plans.linear_backward(*x2.shape, g2.shape[1],
                                                         num_threads()) == "pair":
            tasks = (input_grad, weight_grads)  # the calling thread takes the second
            parallel_for(lambda lo, hi: [tasks[i]() for i in range(lo, hi)], 2)
        else:
            if need[0]:
                input_grad()
            weight_grads()
        return tuple(grads)


class LinearReLU(Linear):
    name = "linear_relu"
    activation = "relu"


class LinearSigmoid(Linear):
    name = "linear_sigmoid"
    activation = "sigmoid"


def _args(x, kernel, bias):
    return (x, kernel) if bias is None else (x, kernel, bias)


def linear(x, kernel, bias=None):
    """``x @ kernel + bias`` along the last axis of ``x``: Keras's Dense before activation.

    Args:
        x: (..., in_features). kernel: (in_features, units). bias: (units,) or None.
    Returns (..., units).

    >>> linear(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4))), Tensor(np.ones(4))).shape
    (2, 4)
    """
    return Linear.apply(*_args(x, kernel, bias))


def linear_relu(x, kernel, bias=None):
    """``relu(x @ kernel + bias)`` as one op (Dense(..., activation='relu'))."""
    return LinearReLU.apply(*_args(x, kernel, bias))


def linear_sigmoid(x, kernel, bias=None):
    """``sigmoid(x @ kernel + bias)`` as one op (Dense(..., activation='sigmoid'))."""
    return LinearSigmoid.apply(*_args(x, kernel, bias))
