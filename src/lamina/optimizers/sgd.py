"""``SGD``: gradient descent, optionally with (Nesterov) momentum."""

from __future__ import annotations

from lamina.backend import get_array_module
from lamina.optimizers.base import Optimizer


class SGD(Optimizer):
    """Gradient descent with optional momentum (Keras 3's formulas).

    ``momentum == 0``: ``w = w - learning_rate * g``. Otherwise::

        velocity = momentum * velocity - learning_rate * g
        w = w + velocity                                      # nesterov=False
        w = w + momentum * velocity - learning_rate * g       # nesterov=True

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: float in [0, 1] (default 0.0).
        nesterov: use Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> import numpy as np
        >>> from lamina import Variable
        >>> w = Variable([1.0, 2.0])
        >>> SGD(learning_rate=0.1).apply_gradients([(np.array([1.0, -1.0], "float32"), w)])
        1
        >>> w.data
        array([0.9, 2.1], dtype=float32)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD", **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.momentum = self._hyper(momentum, "momentum", high_closed=True)
        self.nesterov = bool(nesterov)

    def build(self, variables):
        super().build(variables)
        self._momentums = (self.add_optimizer_variables(variables, "momentum")
                           if self.momentum != 0 else [])

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        t = self._scratch(w)
        xp.multiply(grad, learning_rate, out=t)                 # t = lr * g
        if self.momentum == 0:
            w -= t
            return
        m = self._momentums[self._get_variable_index(variable)]
        m *= self.momentum
        m -= t                                                  # m = momentum * m - lr * g
        if self.nesterov:
            w -= t
            xp.multiply(m, self.momentum, out=t)
            w += t                                              # w += momentum * m - lr * g
        else:
            w += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
