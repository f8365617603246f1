"""``Adadelta``: Adagrad with decaying averages and unit-matching steps."""

from __future__ import annotations

from lamina.backend import get_array_module
from lamina.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), Keras 3's formulas, with ``rms(x) = sqrt(x + epsilon)``::

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g ** 2
        delta = -rms(accumulated_delta_var) * g / rms(accumulated_grad)
        accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta ** 2
        w = w + learning_rate * delta

    Args:
        learning_rate: float, schedule or callable (default 0.001; the paper uses 1.0).
        rho: decay rate in [0, 1) (default 0.95).
        epsilon: small constant >= 0 (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adadelta",
                 **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.rho = self._hyper(rho, "rho")
        self.epsilon = self._epsilon(epsilon)

    def build(self, variables):
        super().build(variables)
        self._accumulated_grads = self.add_optimizer_variables(variables, "accumulated_grad")
        self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, "accumulated_delta_var")

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        i = self._get_variable_index(variable)
        acc_g, acc_d = self._accumulated_grads[i], self._accumulated_delta_vars[i]
        rho, eps = self.rho, self.epsilon
        t, d = self._scratch(w, 0), self._scratch(w, 1)
        acc_g *= rho
        xp.square(grad, out=t)
        t *= 1 - rho
        acc_g += t                                     # acc_g = rho acc_g + (1-rho) g^2
        xp.add(acc_g, eps, out=t)
        xp.sqrt(t, out=t)                              # t = rms(acc_g)
        xp.add(acc_d, eps, out=d)
        xp.sqrt(d, out=d)
        d *= grad
        d /= t                                         # d = -delta
        acc_d *= rho
        xp.square(d, out=t)
        t *= 1 - rho
        acc_d += t                                     # acc_d = rho acc_d + (1-rho) delta^2
        d *= learning_rate
        w -= d                                         # w += lr * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
