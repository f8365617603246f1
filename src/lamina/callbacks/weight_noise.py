"""``WeightNoise``: train with Gaussian noise on the weights (seed 003: "Add noise to inputs
or weights")."""

from __future__ import annotations

import numbers

import numpy

from lamina.callbacks.callback import Callback
from lamina.random import make_rng


class WeightNoise(Callback):
    """Compute every training step's gradient at noisy weights ``w + n``, ``n ~ N(0, stddev²)``.

    Before each training batch the callback adds fresh noise to the chosen weights; after the
    batch it subtracts the same noise again. The optimizer's update is additive
    (``w_noisy + delta``), so what remains is ``w + delta``, with ``delta`` computed from the
    loss and gradient at ``w + n``: the weight-noise regularizer of Graves (2011), where the
    network learns weights whose loss is flat around them. The gradient comes from the
    autograd engine as in every step; nothing here differentiates. Evaluation, validation and
    ``predict`` see the clean weights (as Dropout and GaussianNoise are off at test time).

    Two interactions are not exact, as they act on the noisy weights: a constraint
    (``kernel_constraint``) and decoupled ``weight_decay`` of the optimizer. Callbacks listed
    before this one see the noisy weights in ``on_train_batch_begin``/``_end``.

    Args:
        stddev: standard deviation of the noise, a float >= 0 (0 trains as without it).
        seed: int, ``numpy.random.Generator`` or None (lamina's global generator).
        kernels_only: add noise to the kernels only (weights whose name ends with
            ``kernel``; default), or with False to every trainable weight (biases too).

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[WeightNoise(0.01, seed=0)])
    """

    def __init__(self, stddev, seed=None, kernels_only=True):
        super().__init__()
        if (not isinstance(stddev, numbers.Real) or isinstance(stddev, bool)
                or not stddev >= 0):
            raise ValueError(f"WeightNoise: stddev must be a float >= 0; received "
                             f"stddev={stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed
        self.kernels_only = bool(kernels_only)
        self._rng = None
        self._noise = []

    def _targets(self):
        variables = self.model.trainable_weights
        if self.kernels_only:
            variables = [v for v in variables if str(v.path or v.name).endswith("kernel")]
        return variables

    def on_train_begin(self, logs=None):
        self._rng = make_rng(self.seed)
        self._noise = []

    def on_train_batch_begin(self, batch, logs=None):
        self._remove()          # a step that ended without on_train_batch_end
        if self.stddev == 0:
            return
        for v in self._targets():
            n = self._rng.standard_normal(v.data.shape).astype(v.data.dtype) * \
                numpy.asarray(self.stddev, dtype=v.data.dtype)
            v.data += n
            self._noise.append((v, n))

    def on_train_batch_end(self, batch, logs=None):
        self._remove()

    def on_train_end(self, logs=None):
        self._remove()

    def _remove(self):
        for v, n in self._noise:
            v.data -= n
        self._noise = []
