"""``RMSprop``: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from lamina.backend import get_array_module
from lamina.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), Keras 3's formulas::

        velocity = rho * velocity + (1 - rho) * g ** 2
        average_gradient = rho * average_gradient + (1 - rho) * g      # centered only
        denominator = velocity + epsilon                               # not centered
        denominator = velocity - average_gradient ** 2 + epsilon       # centered
        increment = learning_rate * g / sqrt(denominator)
        momentum_slot = momentum * momentum_slot + increment           # momentum > 0
        w = w - momentum_slot          (w = w - increment when momentum == 0)

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount factor in [0, 1) (default 0.9).
        momentum: float in [0, 1] (default 0.0).
        epsilon: small constant >= 0 (default 1e-7).
        centered: normalise by the estimated variance instead of the second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.rho = self._hyper(rho, "rho")
        self.momentum = self._hyper(momentum, "momentum", high_closed=True)
        self.epsilon = self._epsilon(epsilon)
        self.centered = bool(centered)

    def build(self, variables):
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = (self.add_optimizer_variables(variables, "momentum")
                           if self.momentum > 0 else [])
        self._average_gradients = (self.add_optimizer_variables(variables, "average_gradient")
                                   if self.centered else [])

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        i = self._get_variable_index(variable)
        rho = self.rho
        v = self._velocities[i]
        t = self._scratch(w)
        v *= rho
        xp.square(grad, out=t)
        t *= 1 - rho
        v += t                                         # v = rho v + (1-rho) g^2
        if self.centered:
            mg = self._average_gradients[i]
            mg *= rho
            xp.multiply(grad, 1 - rho, out=t)
            mg += t                                    # mg = rho mg + (1-rho) g
            xp.square(mg, out=t)
            xp.subtract(v, t, out=t)
            t += self.epsilon                          # t = v - mg^2 + eps
        else:
            xp.add(v, self.epsilon, out=t)             # t = v + eps
        xp.sqrt(t, out=t)
        xp.divide(grad, t, out=t)
        t *= learning_rate                             # t = increment
        if self.momentum > 0:
            mom = self._momentums[i]
            mom *= self.momentum
            mom += t
            w -= mom
        else:
            w -= t

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
