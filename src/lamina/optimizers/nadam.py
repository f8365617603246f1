"""``Nadam``: Adam with Nesterov momentum and Dozat's momentum-cache schedule."""

from __future__ import annotations

from lamina.backend import get_array_module
from lamina.optimizers._moments import update_first_moment, update_second_moment
from lamina.optimizers.base import Optimizer


class Nadam(Optimizer):
    """Nadam (Dozat, 2015), Keras 3's formulas. With ``t = iterations + 1`` and the momentum
    schedule ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)``, the slot ``u_product`` holds
    ``u_1 * ... * u_t`` (updated once per step, before the variables)::

        momentum = momentum + (g - momentum) * (1 - beta_1)
        velocity = velocity + (g ** 2 - velocity) * (1 - beta_2)
        m_hat = u_{t+1} * momentum / (1 - u_product * u_{t+1})
                + (1 - u_t) * g / (1 - u_product)
        v_hat = velocity / (1 - beta_2 ** t)
        w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: small constant >= 0 (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam", **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.beta_1 = self._hyper(beta_1, "beta_1")
        self.beta_2 = self._hyper(beta_2, "beta_2")
        self.epsilon = self._epsilon(epsilon)

    def build(self, variables):
        super().build(variables)
        dtype = variables[0].data.dtype if variables else None
        self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._u_product = self.add_variable((), "u_product", initializer=1.0, dtype=dtype)

    def _u(self, step):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** step)

    def _prepare_step(self):
        self._u_product *= self._u(self.iterations + 1)

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        i = self._get_variable_index(variable)
        b1, b2 = self.beta_1, self.beta_2
        step = self.iterations + 1
        u_t, u_next = self._u(step), self._u(step + 1)
        u_prod = float(self._u_product)
        m, v = self._momentums[i], self._velocities[i]
        t, s = self._scratch(w, 0), self._scratch(w, 1)
        update_first_moment(xp, m, grad, b1, t)
        update_second_moment(xp, v, grad, b2, t)
        xp.multiply(grad, (1 - u_t) / (1 - u_prod), out=t)
        xp.multiply(m, u_next / (1 - u_prod * u_next), out=s)
        s += t                                         # s = m_hat
        xp.multiply(v, 1 / (1 - b2 ** step), out=t)
        xp.sqrt(t, out=t)
        t += self.epsilon                              # t = sqrt(v_hat) + eps
        s /= t
        s *= learning_rate
        w -= s

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
