"""``keras.ops`` on lamina: the NumPy-like ops and the neural-network ops a Keras program
calls, each built on the autograd engine so gradients flow through them.

Write custom layers, losses and metrics with them exactly as in Keras 3::

    from lamina import ops

    class Linear(lamina.layers.Layer):
        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

What comes back: a float result is a :class:`lamina.Tensor` (gradients flow to every
Tensor input); an integer or boolean result (``argmax``, ``equal``, ``cast(x, 'int32')``)
is a NumPy array, because lamina's Tensors hold floats. ``convert_to_numpy`` gives the
array of either.

Modules: ``core`` (conversions, cast, shape), ``math`` (elementwise), ``reduction``,
``manipulation`` (reshape, concatenate, take...), ``linalg``, ``creation``, ``nn``.
Every derivative lives in ``lamina.autograd.ops``; nothing here has backward code.
"""

from lamina.ops.core import *  # noqa: F403
from lamina.ops.creation import *  # noqa: F403
from lamina.ops.linalg import *  # noqa: F403
from lamina.ops.manipulation import *  # noqa: F403
from lamina.ops.math import *  # noqa: F403
from lamina.ops.nn import *  # noqa: F403
from lamina.ops.reduction import *  # noqa: F403
