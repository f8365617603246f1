"""``Adagrad``: per-element learning rates shrinking with the sum of squared gradients."""

from __future__ import annotations

from lamina.backend import get_array_module
from lamina.optimizers.base import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), Keras 3's formulas::

        accumulator = accumulator + g ** 2            # starts at initial_accumulator_value
        w = w - learning_rate * g / sqrt(accumulator + epsilon)

    Args:
        learning_rate: float, schedule or callable (default 0.001; the paper uses 1.0).
        initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1).
        epsilon: small constant >= 0 (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad", **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.initial_accumulator_value = self._optional(initial_accumulator_value,
                                                        "initial_accumulator_value")
        self.epsilon = self._epsilon(epsilon)

    def build(self, variables):
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", initializer=self.initial_accumulator_value)

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        acc = self._accumulators[self._get_variable_index(variable)]
        t = self._scratch(w)
        xp.square(grad, out=t)
        acc += t                                       # acc += g^2
        xp.add(acc, self.epsilon, out=t)
        xp.sqrt(t, out=t)
        xp.divide(grad, t, out=t)
        t *= learning_rate
        w -= t                                         # w -= lr * g / sqrt(acc + eps)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
