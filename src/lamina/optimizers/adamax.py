"""``Adamax``: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from lamina.backend import get_array_module
from lamina.optimizers._moments import update_first_moment
from lamina.optimizers.base import Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2014, section 7.1), Keras 3's formulas, at ``t = iterations + 1``::

        momentum = momentum + (g - momentum) * (1 - beta_1)
        norm = max(beta_2 * norm, abs(g))
        w = w - learning_rate * momentum / ((1 - beta_1 ** t) * (norm + epsilon))

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the infinity norm, in [0, 1) (default 0.999).
        epsilon: small constant >= 0 (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamax", **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.beta_1 = self._hyper(beta_1, "beta_1")
        self.beta_2 = self._hyper(beta_2, "beta_2")
        self.epsilon = self._epsilon(epsilon)

    def build(self, variables):
        super().build(variables)
        self._m = self.add_optimizer_variables(variables, "momentum")
        self._u = self.add_optimizer_variables(variables, "norm")

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        i = self._get_variable_index(variable)
        b1 = self.beta_1
        m, u = self._m[i], self._u[i]
        t = self._scratch(w)
        update_first_moment(xp, m, grad, b1, t)
        u *= self.beta_2
        xp.abs(grad, out=t)
        xp.maximum(u, t, out=u)                        # u = max(b2 u, |g|)
        xp.add(u, self.epsilon, out=t)
        xp.divide(m, t, out=t)
        t *= learning_rate / (1 - b1 ** (self.iterations + 1))
        w -= t

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
