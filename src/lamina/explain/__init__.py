"""``explain``: backpropagation by hand, one example through a small network, every number shown.

The notation is the lecture's (seed 003): inputs ``x0, x1``; hidden nodes ``A, B, C, D``
(letters, layer after layer, skipping ``J``); the output ``y`` (``y0, y1...`` for several);
net inputs ``A_in``. The weights of layer ``l`` are ``w{l}{k}`` with ``k = i * n_out + j``
for the edge from input ``i`` to unit ``j`` (``kernel[i, j]``), so the 2-2-2-1 network has
``A = σ(w00·x0 + w02·x1)``, ``C = σ(w10·A + w12·B)`` and ``y = 𝟙(w20·C + w21·D)``; biases
are ``b_A``. Each gradient is a chain-rule product whose factors are named and valued::

    ∂J/∂w20 (C → y) = ∂J/∂y · ∂y/∂y_in · ∂y_in/∂w20
                    = (y − d) · 1 · C
                    = (−0.174) · 1 · 0.6281 = −0.1093

Example:
    >>> import lamina
    >>> trace = lamina.explain(lamina.explain.slides_network(), x=[1.0, 0.5], d=1.0)
    >>> print(trace)                      # the whole forward and backward pass
    >>> trace.gradients["w20"]            # ∂J/∂w20 as a float
    -0.1092...
    >>> trace.max_error < 1e-10           # lamina's autograd gives the same gradients
    True

The module itself is callable: ``lamina.explain(model, x, d)`` is
``lamina.explain.explain(model, x, d)``.
"""

from __future__ import annotations

import sys
import types

from lamina.explain.backprop import explain
from lamina.explain.network import slides_network
from lamina.explain.trace import Factor, Step, Trace

__all__ = ["Factor", "Step", "Trace", "explain", "slides_network"]


class _CallableModule(types.ModuleType):
    """``lamina.explain(...)`` calls :func:`explain`, and ``lamina.explain`` stays a module
    (so ``from lamina.explain import Trace`` works whatever was imported first)."""

    def __call__(self, network, x, d, loss="half_squared_error"):
        return explain(network, x, d, loss=loss)


sys.modules[__name__].__class__ = _CallableModule
