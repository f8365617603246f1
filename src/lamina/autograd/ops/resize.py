"""Changing the spatial size of (N, H, W, C) images: nearest upsampling, zero padding, cropping.

Each is Keras's layer of the same idea (``UpSampling2D`` with ``interpolation='nearest'``,
``ZeroPadding2D``, ``Cropping2D``) as one op whose backward is the adjoint slice or sum.
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops._spatial import expect_ndim, normalize_tuple

__all__ = ["upsampling_nearest2d", "zero_padding2d", "cropping2d"]


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _pairs(value, name, op):
    """Keras's three forms as ``((top, bottom), (left, right))``: an int (all four sides),
    ``(sym_h, sym_w)``, or ``((top, bottom), (left, right))``; all non-negative ints."""
    if _int(value):
        return ((value, value), (value, value))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        if all(_int(v) for v in value):
            return ((value[0], value[0]), (value[1], value[1]))
        if all(isinstance(v, (tuple, list)) and len(v) == 2 and all(_int(e) for e in v)
               for v in value):
            return (tuple(value[0]), tuple(value[1]))
    raise ValueError(
        f"{op}: {name} must be a non-negative int, a tuple of 2 such ints (symmetric height, "
        f"width), or a tuple of 2 pairs ((top, bottom), (left, right)); received {name}={value!r}"
    )


class UpsamplingNearest2D(Function):
    name = "upsampling_nearest2d"

    def forward(self, x, *, size):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        self.size = sh, sw = normalize_tuple(size, 2, "size", self.name)
        n, h, w, c = self.in_shape = x.shape
        big = self.xp.broadcast_to(x[:, :, None, :, None, :], (n, h, sh, w, sw, c))
        return big.reshape(n, h * sh, w * sw, c)

    def backward(self, grad):
        n, h, w, c = self.in_shape
        sh, sw = self.size
        # each input pixel fed an sh x sw block: sum the block (over sw, then sh)
        return grad.reshape(n, h, sh, w, sw, c).sum(axis=4).sum(axis=2)


class ZeroPadding2D(Function):
    name = "zero_padding2d"

    def forward(self, x, *, padding):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        (top, bottom), (left, right) = _pairs(padding, "padding", self.name)
        n, h, w, c = x.shape
        out = self.xp.zeros((n, top + h + bottom, left + w + right, c), dtype=x.dtype)
        self.inner = (slice(top, top + h), slice(left, left + w))
        out[:, self.inner[0], self.inner[1]] = x
        return out

    def backward(self, grad):
        return self.xp.ascontiguousarray(grad[:, self.inner[0], self.inner[1]])


class Cropping2D(Function):
    name = "cropping2d"

    def forward(self, x, *, cropping):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        (top, bottom), (left, right) = _pairs(cropping, "cropping", self.name)
        n, h, w, c = self.in_shape = x.shape
        if top + bottom >= h or left + right >= w:
            raise ValueError(
                f"{self.name}: cropping must leave at least one row and one column; received "
                f"cropping=(({top}, {bottom}), ({left}, {right})) for an input of height {h} "
                f"and width {w}"
            )
        self.inner = (slice(top, h - bottom), slice(left, w - right))
        return x[:, self.inner[0], self.inner[1]].copy()

    def backward(self, grad):
        gx = self.xp.zeros(self.in_shape, dtype=grad.dtype)
        gx[:, self.inner[0], self.inner[1]] = grad
        return gx


def upsampling_nearest2d(x, size=(2, 2)):
    """Repeat each pixel ``size`` times along H and W (Keras ``UpSampling2D``, nearest).

    Args:
        x: (N, H, W, C).
        size: int or (sh, sw).
    Returns (N, H * sh, W * sw, C); each input pixel's gradient is the sum of its block.
    """
    return UpsamplingNearest2D.apply(x, size=size)


def zero_padding2d(x, padding=((1, 1), (1, 1))):
    """Add rows and columns of zeros around (N, H, W, C) images (Keras ``ZeroPadding2D``).

    Args:
        padding: an int (all sides), ``(sym_h, sym_w)``, or ``((top, bottom), (left, right))``.
    Returns (N, H + top + bottom, W + left + right, C).
    """
    return ZeroPadding2D.apply(x, padding=padding)


def cropping2d(x, cropping=((0, 0), (0, 0))):
    """Remove rows and columns from the borders of (N, H, W, C) images (Keras ``Cropping2D``).

    Args:
        cropping: an int (all sides), ``(sym_h, sym_w)``, or ``((top, bottom), (left, right))``;
            at least one row and one column must remain.
    Returns (N, H - top - bottom, W - left - right, C).
    """
    return Cropping2D.apply(x, cropping=cropping)
