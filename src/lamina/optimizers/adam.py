"""``Adam``: adaptive moment estimation, with the AMSGrad variant."""

from __future__ import annotations

import math

from lamina import accel
from lamina.backend import get_array_module
from lamina.optimizers.base import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), Keras 3's formulas, at step ``t = iterations + 1``::

        momentum = momentum + (g - momentum) * (1 - beta_1)
        velocity = velocity + (g ** 2 - velocity) * (1 - beta_2)
        velocity_hat = max(velocity_hat, velocity)      # amsgrad: used instead of velocity
        alpha = learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        w = w - alpha * momentum / (sqrt(velocity) + epsilon)

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: small constant >= 0 ("epsilon hat" of the paper; default 1e-7).
        amsgrad: use the AMSGrad variant (Reddi et al., 2018).
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    accel_kernels = ("lamina.optimizers._kernels",)  # the fused update (lamina.accel)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.beta_1 = self._hyper(beta_1, "beta_1")
        self.beta_2 = self._hyper(beta_2, "beta_2")
        self.epsilon = self._epsilon(epsilon)
        self.amsgrad = bool(amsgrad)
        self._constants = {}  # (dtype, beta_1, beta_2, epsilon) -> them as that dtype's scalars

    def build(self, variables):
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._velocity_hats = (self.add_optimizer_variables(variables, "velocity_hat")
                               if self.amsgrad else [])

    def update_step(self, grad, variable, learning_rate):
        w = variable.data
        xp = get_array_module(w)
        i = self._get_variable_index(variable)
        b1, b2 = self.beta_1, self.beta_2
        step = self.iterations + 1
        alpha = learning_rate * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
        m, v = self._momentums[i], self._velocities[i]
        v_hat = self._velocity_hats[i] if self.amsgrad else None
        if self._fused(xp, grad, w, m, v, v_hat, alpha):
            return
        t = self._scratch(w)
        m *= b1
        xp.multiply(grad, 1 - b1, out=t)
        m += t                                         # m = b1 m + (1-b1) g
        v *= b2
        xp.square(grad, out=t)
        t *= 1 - b2
        v += t                                         # v = b2 v + (1-b2) g^2
        if self.amsgrad:
            xp.maximum(v_hat, v, out=v_hat)
            v = v_hat
        xp.sqrt(v, out=t)
        t += self.epsilon
        xp.divide(m, t, out=t)
        t *= alpha
        w -= t                                         # w -= alpha m / (sqrt(v) + eps)

    def _fused(self, xp, grad, w, m, v, v_hat, alpha) -> bool:
        """The update below as one numba pass (lamina[fast], same bits); False when the
        kernel does not apply (numba off or missing, other dtypes or shapes, non-contiguous
        arrays: the kernel reads flat arrays without bounds checks, so sizes must match)."""
        kernels = accel.kernels(xp, self.accel_kernels[0], w)
        if kernels is None or grad.dtype != w.dtype or grad.shape != w.shape:
            return False
        slots = (w, m, v) if v_hat is None else (w, m, v, v_hat)
        for a in slots:
            if a.shape != w.shape or a.dtype != w.dtype or not a.flags.c_contiguous:
                return False
        dt, b1, b2, eps = w.dtype.type, self.beta_1, self.beta_2, self.epsilon
        key = (dt, b1, b2, eps)
        constants = self._constants.get(key)
        if constants is None:  # the hyper-parameters in the variables' dtype, made once
            constants = self._constants[key] = (dt(b1), dt(b2), dt(1 - b1), dt(1 - b2), dt(eps))
        b1, b2, c1, c2, eps = constants
        w1, m1, v1 = w.reshape(-1), m.reshape(-1), v.reshape(-1)
        h1 = w1 if v_hat is None else v_hat.reshape(-1)  # not read without amsgrad
        try:
            kernels.adam(w1, xp.ascontiguousarray(grad).reshape(-1), m1, v1, h1, b1, b2, c1,
                         c2, dt(alpha), eps, v_hat is not None)
        except kernels.COMPILE_ERRORS as error:  # raised before any array is written
            accel.failed(self.accel_kernels[0], error)
            return False
        return True

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
