"""Random initializers: normal, truncated normal, uniform, the variance-scaling family
(Glorot / He / LeCun) and orthogonal matrices."""

from __future__ import annotations

import math
import numbers

import numpy

from lamina.initializers.base import (
    _dtype,
    _normal,
    _RandomInitializer,
    _shape,
    _truncated_normal,
    _uniform,
    compute_fans,
)

# std of N(0, 1) truncated to [-2, 2]: dividing by it restores the wanted variance
_TRUNCATED_STD = 0.87962566103423978


class RandomNormal(_RandomInitializer):
    """Samples from N(mean, stddev**2).

    Args:
        mean: mean of the distribution (default 0.0).
        stddev: standard deviation (default 0.05).
        seed: int, ``numpy.random.Generator`` or None.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, type(self).__name__)
        out = _normal(self._rng(), _shape(shape, type(self).__name__), dt)
        return (out * self.stddev + self.mean).astype(dt, copy=False)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomNormal):
    """Samples from N(mean, stddev**2), redrawing values more than 2 stddev from the mean.

    Args: as :class:`RandomNormal` (defaults mean=0.0, stddev=0.05).
    """

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, type(self).__name__)
        out = _truncated_normal(self._rng(), _shape(shape, type(self).__name__), dt)
        return (out * self.stddev + self.mean).astype(dt, copy=False)


class RandomUniform(_RandomInitializer):
    """Samples uniformly from ``[minval, maxval)`` (defaults -0.05, 0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = float(minval)
        self.maxval = float(maxval)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, type(self).__name__)
        return _uniform(self._rng(), _shape(shape, type(self).__name__), dt,
                        self.minval, self.maxval)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(_RandomInitializer):
    """Samples with variance ``scale / n``, ``n`` being the fan_in, fan_out or their average.

    Args:
        scale: positive scaling factor (default 1.0).
        mode: ``'fan_in'`` (default), ``'fan_out'`` or ``'fan_avg'``.
        distribution: ``'truncated_normal'`` (default; ``'normal'`` means the same, as in
            Keras), ``'untruncated_normal'`` or ``'uniform'`` (on ``[-sqrt(3 var), sqrt(3 var)]``).
        seed: int, ``numpy.random.Generator`` or None.
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        name = type(self).__name__
        if not isinstance(scale, numbers.Real) or not scale > 0:
            raise ValueError(f"{name}: scale must be a positive float; received scale={scale!r}")
        if mode not in self._MODES:
            raise ValueError(f"{name}: mode must be one of {self._MODES}; received mode={mode!r}")
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in self._DISTRIBUTIONS:
            raise ValueError(
                f"{name}: distribution must be one of {self._DISTRIBUTIONS + ('normal',)}; "
                f"received distribution={distribution!r}"
            )
        self.scale = float(scale)
        self.mode = mode
        self.distribution = dist

    def variance(self, shape) -> float:
        """The variance the samples for ``shape`` will have."""
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return self.scale / max(1.0, fan[self.mode])

    def __call__(self, shape, dtype=None):
        name = type(self).__name__
        dt = _dtype(dtype, name)
        shape = _shape(shape, name)
        var = self.variance(shape)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            return _uniform(rng, shape, dt, -limit, limit)
        if self.distribution == "truncated_normal":
            out = _truncated_normal(rng, shape, dt) * (math.sqrt(var) / _TRUNCATED_STD)
            return out.astype(dt, copy=False)
        return (_normal(rng, shape, dt) * math.sqrt(var)).astype(dt, copy=False)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling with fixed (scale, mode, distribution); only ``seed`` is an argument."""

    _args: tuple = ()

    def __init__(self, seed=None):
        scale, mode, distribution = self._args
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self):
        return {"seed": super().get_config()["seed"]}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: ``U(-l, l)``, ``l = sqrt(6 / (fan_in + fan_out))``.

    Keras's default kernel initializer (Dense, Conv2D)."""

    _args = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with ``var = 2 / (fan_in + fan_out)``."""

    _args = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with ``var = 2 / fan_in`` (for ReLU layers)."""

    _args = (2.0, "fan_in", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """He uniform: ``U(-l, l)``, ``l = sqrt(6 / fan_in)``."""

    _args = (2.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with ``var = 1 / fan_in`` (for SELU layers)."""

    _args = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: ``U(-l, l)``, ``l = sqrt(3 / fan_in)``."""

    _args = (1.0, "fan_in", "uniform")


class Orthogonal(_RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``; shapes ``(..., n)`` are flattened to 2-D.

    The rows (or columns, whichever are fewer) of ``W.reshape(-1, n)`` are orthonormal:
    the Q factor of a Gaussian matrix, with signs fixed so the result is uniformly random.

    Args:
        gain: multiplier of the matrix (default 1.0).
        seed: int, ``numpy.random.Generator`` or None.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        name = type(self).__name__
        dt = _dtype(dtype, name)
        shape = _shape(shape, name)
        if len(shape) < 2:
            raise ValueError(
                f"{name}: the weight must have at least 2 axes; received shape={shape} "
                f"of rank {len(shape)}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = _normal(self._rng(), (max(rows, cols), min(rows, cols)), dt)
        q, r = numpy.linalg.qr(a)
        q = q * numpy.sign(numpy.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dt, copy=False)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}
