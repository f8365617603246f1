"""Normalization layers: ``BatchNormalization`` and ``LayerNormalization`` (Keras 3).

Both compute ``gamma * (x - mean) / sqrt(var + epsilon) + beta``. Batch normalization takes
the statistics of each channel over the batch in training and keeps moving averages of them
for inference; layer normalization takes them over the features of each sample, the same
way in training and inference.
"""

from __future__ import annotations

import numbers

from lamina import constraints, initializers, regularizers
from lamina.autograd import ops as F
from lamina.autograd.ops._batch_norm_cpu import KERNELS as _BATCH_NORM_KERNELS
from lamina.layers.layer import InputSpec, Layer, serialize_or_none

__all__ = ["BatchNormalization", "LayerNormalization"]


def _number(value, name, where, low=None, high=None, low_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        lo = "" if low is None else f"{'>' if low_open else '>='} {low}"
        hi = "" if high is None else f"<= {high}"
        expected = " and ".join(p for p in (lo, hi) if p)
        raise ValueError(f"{where}: invalid value received for argument `{name}`; expected a "
                         f"float {expected}, received {name}={value!r}")
    return float(value)


def _int_axis(axis, where):
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{where}: expected an int for the argument `axis`; received "
                        f"axis={axis!r}")
    return int(axis)


def _check_axes(layer, axes, input_shape, lowest=0):
    """``axes`` as sorted non-negative ints of ``input_shape``, each of known size and at least
    ``lowest``, or a clear error."""
    ndim, where = len(input_shape), f"{type(layer).__name__} '{layer.name}'"
    out = []
    for a in axes:
        if not -ndim <= a < ndim or a % ndim < lowest:
            raise ValueError(f"{where}: axis={a} is out of range for inputs of shape "
                             f"{tuple(input_shape)}; expected an axis in [{lowest - ndim}, "
                             f"{ndim - 1}]" + (" (not the batch axis)" if lowest else ""))
        if input_shape[a] is None:
            raise ValueError(f"{where}: axis {a} of the input must have a defined size; "
                             f"received input_shape={tuple(input_shape)}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated axes in axis={layer.axis!r}")
    return tuple(sorted(out))


class _AffineNorm(Layer):
    """Shared arguments of the two normalization layers: epsilon, gamma (scale), beta (center)."""

    def __init__(self, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.epsilon = _number(epsilon, "epsilon", where, low=0, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def _add_affine(self, shape):
        """gamma then beta (Keras's weight order), each only when asked for."""
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, name="gamma")
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, name="beta")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": serialize_or_none(initializers, self.beta_initializer),
                "gamma_initializer": serialize_or_none(initializers, self.gamma_initializer),
                "beta_regularizer": serialize_or_none(regularizers, self.beta_regularizer),
                "gamma_regularizer": serialize_or_none(regularizers, self.gamma_regularizer),
                "beta_constraint": serialize_or_none(constraints, self.beta_constraint),
                "gamma_constraint": serialize_or_none(constraints, self.gamma_constraint)}


class BatchNormalization(_AffineNorm):
    """Normalizes each channel with the batch's statistics in training and with moving
    averages of them at inference (Ioffe & Szegedy 2015).

    In training (``fit``) each channel is normalized by its mean and (biased) variance over
    the batch and spatial axes, and the moving statistics are updated in place:
    ``moving = moving * momentum + batch_statistic * (1 - momentum)``. At inference
    (``predict``, ``evaluate``, or a plain call) the moving statistics are used. A frozen layer
    (``trainable=False``) always runs in inference mode, as in Keras (for fine-tuning).

    Args:
        axis: the channel axis (default -1, channels_last).
        momentum: weight of the old moving statistics in each update.
        epsilon: added to the variance before the square root.
        center, scale: whether to learn the offset ``beta`` and the scale ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: zeros, ones, zeros, ones by default.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Dense.
        synchronized: in a job of several ranks (lamina.distributed), normalize in training
            with the statistics of the global batch (summed over the ranks in each step)
            instead of each rank's own. Its statistics accumulate in float64 in every run,
            one process included, so that a float32 run's result does not depend on how the
            batch is split over ranks (slower than False). Default False: per-rank
            statistics, as Horovod.

    Shape: input ``(batch, ..., channels)``, output the same. Weights, in Keras's order:
    gamma, beta (trainable), moving_mean, moving_variance (non-trainable), each ``(C,)``.

    Example:
        >>> bn = BatchNormalization()
        >>> y = bn(np.random.randn(8, 3).astype("float32"), training=True)  # batch statistics
        >>> bn.count_params()
        12
    """

    accel_kernels = (_BATCH_NORM_KERNELS,)  # loaded by Model.compile (lamina.accel)

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.axis = _int_axis(axis, "BatchNormalization")
        self.momentum = _number(momentum, "momentum", "BatchNormalization", low=0, high=1)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.synchronized = bool(synchronized)

    def build(self, input_shape):
        (axis,) = _check_axes(self, (self.axis,), input_shape, lowest=1)
        channels = input_shape[axis]
        self._add_affine((channels,))
        self.moving_mean = self.add_weight((channels,), self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight((channels,), self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        self.built = True

    def call(self, inputs, training=None):
        training = bool(training) and self.trainable  # frozen: inference mode (Keras)
        if training and self.synchronized:
            from lamina.distributed import _world
            from lamina.distributed.batch_norm import synchronized_batch_norm

            return synchronized_batch_norm(inputs, self.gamma, self.beta, self.moving_mean,
                                           self.moving_variance, self.momentum,
                                           self.epsilon, self.axis,
                                           reduce=None if _world.size() > 1 else (lambda a: a))
        return F.batch_norm(inputs, self.gamma, self.beta, self.moving_mean,
                            self.moving_variance, training=training, momentum=self.momentum,
                            epsilon=self.epsilon, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "moving_mean_initializer": serialize_or_none(initializers,
                                                             self.moving_mean_initializer),
                "moving_variance_initializer": serialize_or_none(
                    initializers, self.moving_variance_initializer),
                "synchronized": self.synchronized}


class LayerNormalization(_AffineNorm):
    """Normalizes each sample over ``axis`` (its features), with learned ``gamma`` and
    ``beta`` (Ba et al. 2016); the same computation in training and inference.

    Args:
        axis: an int or a list of ints, the axes to normalize over (default -1).
        epsilon: added to the variance before the square root.
        center, scale: whether to learn the offset ``beta`` and the scale ``gamma``.
        beta_initializer, gamma_initializer, ...: as in BatchNormalization.
        rms_scaling: only False is supported.

    Shape: input ``(batch, ..., features)``, output the same. Weights gamma and beta, shaped
    like the input on ``axis`` (e.g. ``(features,)``).
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis:
                raise ValueError("LayerNormalization: axis must name at least one axis; "
                                 "received axis=[]")
            self.axis = [_int_axis(a, "LayerNormalization") for a in axis]
        else:
            self.axis = _int_axis(axis, "LayerNormalization")
        if rms_scaling:
            raise ValueError("LayerNormalization: rms_scaling=True is not supported; received "
                             f"rms_scaling={rms_scaling!r}")
        self.rms_scaling = False

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = _check_axes(self, axes, input_shape)
        self._add_affine(tuple(input_shape[a] for a in self._axes))
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={a: input_shape[a] for a in self._axes})
        self.built = True

    def call(self, inputs):
        return F.layer_norm(inputs, self.gamma, self.beta, axis=self._axes, epsilon=self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rms_scaling": self.rms_scaling}
