"""``AdamW``: Adam with decoupled weight decay on by default."""

from __future__ import annotations

from lamina.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Each step first shrinks every variable, ``w -= learning_rate * weight_decay * w``
    (see ``Optimizer.exclude_from_weight_decay``), then takes an ``Adam`` step.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        weight_decay: float >= 0 (default 0.004); None is refused.
        beta_1, beta_2, epsilon, amsgrad: as ``Adam``.
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a float >= 0; received "
                             "weight_decay=None (use Adam for no weight decay)")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
