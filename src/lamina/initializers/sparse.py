"""Sparse initialization (Martens 2010): every unit starts with a few non-zero inputs."""

from __future__ import annotations

import math
import numbers

import numpy

from lamina.initializers.base import _dtype, _normal, _RandomInitializer, _shape


class Sparse(_RandomInitializer):
    """Each output unit gets exactly ``num_nonzero`` non-zero incoming weights.

    Martens ("Deep learning via Hessian-free optimization", 2010): "we hard limit the number
    of non-zero incoming connection weights to each unit (we used 15) and set the biases to
    0". The non-zero weights are drawn from ``N(0, stddev**2)``; which inputs they connect
    is drawn uniformly without replacement, independently per unit. A unit's input scale
    then does not depend on the layer's width (fan-in), unlike the variance-scaling family,
    and the units of a layer start out looking at different inputs.

    The last axis is the unit (``(in, out)`` for Dense, ``(kh, kw, in, out)`` for Conv2D,
    whose ``kh * kw * in`` inputs are the fan-in). When the fan-in is smaller than
    ``num_nonzero``, every input of the unit is non-zero.

    Args:
        num_nonzero: non-zero incoming weights per unit, a positive int (default 15, the
            paper's).
        stddev: standard deviation of the non-zero weights (default 1.0, the paper's
            ``N(0, 1)``).
        seed: int, ``numpy.random.Generator`` or None.

    Example:
        >>> w = Sparse(num_nonzero=3, seed=0)((100, 4))
        >>> (w != 0).sum(axis=0).tolist()
        [3, 3, 3, 3]
    """

    def __init__(self, num_nonzero=15, stddev=1.0, seed=None):
        super().__init__(seed)
        name = type(self).__name__
        if (not isinstance(num_nonzero, numbers.Integral) or isinstance(num_nonzero, bool)
                or num_nonzero < 1):
            raise ValueError(f"{name}: num_nonzero must be a positive int; received "
                             f"num_nonzero={num_nonzero!r}")
        if not isinstance(stddev, numbers.Real) or not stddev > 0:
            raise ValueError(f"{name}: stddev must be a positive float; received "
                             f"stddev={stddev!r}")
        self.num_nonzero = int(num_nonzero)
        self.stddev = float(stddev)

    def __call__(self, shape, dtype=None):
        name = type(self).__name__
        dt = _dtype(dtype, name)
        shape = _shape(shape, name)
        if len(shape) < 2:
            raise ValueError(f"{name}: the weight must have at least 2 axes (inputs, units); "
                             f"received shape={shape} of rank {len(shape)}")
        fan_in, units = math.prod(shape[:-1]), shape[-1]
        k = min(self.num_nonzero, fan_in)
        rng = self._rng()
        # per unit, a random ordering of its inputs; the first k of it are connected
        chosen = numpy.argsort(rng.random((fan_in, units)), axis=0)[:k]
        out = numpy.zeros((fan_in, units), dtype=dt)
        values = _normal(rng, (k, units), dt) * self.stddev
        numpy.put_along_axis(out, chosen, values.astype(dt, copy=False), axis=0)
        return out.reshape(shape)

    def get_config(self):
        return {"num_nonzero": self.num_nonzero, "stddev": self.stddev,
                **super().get_config()}
