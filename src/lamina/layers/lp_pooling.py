"""L_p pooling (seed 003: "summary over neighborhood, e.g. maximum, average, L2"): each
window of each channel becomes the p-norm of its values, ``(sum |x|^p) ** (1 / p)``.

p = 1 sums the magnitudes, p = 2 is the Euclidean length of the window (L2 pooling), and as
p grows the norm approaches the window's largest magnitude (max pooling of ``|x|``), but
``|x| ** p`` overflows float32 beyond 3.4e38 (``|x| = 4`` at ``p = 64``): keep p small. Keras
has no such layer; PyTorch's ``nn.LPPool2d(norm_type, kernel_size, stride)`` is the same
for non-negative inputs (it raises ``x`` itself, not ``|x|``, to the power ``p``).

Built from engine ops only (``abs``/``square``, ``power``, ``avg_pool2d``, ``sqrt``,
``where``): the window sum is the window mean times the number of real cells in it.
A window of zeros has norm 0 and, by choice, gradient 0 there (the p-th root's slope is
infinite at 0; taking 0 keeps training free of NaN where ReLU maps are all zero).
"""

from __future__ import annotations

import numpy as np

from lamina.autograd import ops as F
from lamina.autograd.ops._spatial import resolve_padding
from lamina.layers.pooling import BasePooling

__all__ = ["LPPooling2D", "L2Pooling2D"]


def _cells(size, k, s, pads, out):
    """How many real (not padded) cells each of the ``out`` windows along one axis holds."""
    starts = np.arange(out) * s - pads[0]
    return np.minimum(starts + k, size) - np.maximum(starts, 0)


class LPPooling2D(BasePooling):
    """The p-norm of each ``pool_size`` window of ``(batch, height, width, channels)`` images.

    Args:
        p: the norm's exponent, a number >= 1 (2: L2 pooling).
        pool_size, strides, padding, data_format: as :class:`~lamina.layers.AveragePooling2D`
            (with ``padding='same'`` padded cells add nothing to a window's norm).

    >>> x = np.array([3.0, 4.0, 0.0, 0.0], "float32").reshape(1, 2, 2, 1)
    >>> float(LPPooling2D(p=2)(x).data.ravel()[0])       # sqrt(9 + 16)
    5.0
    """

    def __init__(self, p=2, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)
        if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) \
                or not np.isfinite(p) or p < 1:
            raise ValueError(f"{type(self).__name__} '{self.name}': p must be a finite number "
                             f">= 1 (the norm's exponent; 2 for L2 pooling); received p={p!r}")
        self.p = int(p) if float(p).is_integer() else float(p)

    def _window_sum(self, powered):
        """Sum of each window: the mean (``avg_pool2d``) times the window's real cells."""
        mean = F.avg_pool2d(powered, self.pool_size, self.strides, self.padding)
        h, w = powered.shape[1:3]
        pads = resolve_padding(self.padding, (h, w), self.pool_size, self.strides, (1, 1),
                               type(self).__name__)
        rows, cols = (_cells(n, k, s, pad, out) for n, k, s, pad, out in zip(
            (h, w), self.pool_size, self.strides, pads, mean.shape[1:3], strict=True))
        cells = np.outer(rows, cols).astype(mean.dtype)[None, :, :, None]
        return F.mul(mean, cells)

    def _pool(self, inputs):
        p = self.p
        powered = F.square(inputs) if p == 2 else F.power(F.abs(inputs), p)
        total = self._window_sum(powered)
        if p == 1:
            return total
        positive = total.data > 0
        safe = F.where(positive, total, 1.0)          # no root of 0: its slope is infinite
        root = F.sqrt(safe) if p == 2 else F.power(safe, 1.0 / p)
        return F.where(positive, root, 0.0)

    def get_config(self):
        return {**super().get_config(), "p": self.p}


class L2Pooling2D(LPPooling2D):
    """L2 pooling: the Euclidean length ``sqrt(sum x^2)`` of each window (``LPPooling2D``
    with ``p=2``)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(2, pool_size, strides, padding, data_format, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["p"]
        return config
