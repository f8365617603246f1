"""The autograd engine: ``Tensor``, the graph, backward, and every op's derivative."""

from lamina.autograd.function import Function, unbroadcast
from lamina.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from lamina.autograd.tensor import Tensor, as_tensor
from lamina.autograd.variable import Variable

__all__ = [
    "Function",
    "Tensor",
    "as_tensor",
    "enable_grad",
    "is_grad_enabled",
    "no_grad",
    "unbroadcast",
    "Variable",
]
