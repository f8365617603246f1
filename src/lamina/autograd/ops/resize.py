"""Changing the spatial size of (N, H, W, C) images: nearest upsampling, zero padding, cropping,
and moving pixels between space and channels (depth_to_space, space_to_depth).

Each is Keras's layer of the same idea (``UpSampling2D`` with ``interpolation='nearest'``,
``ZeroPadding2D``, ``Cropping2D``, ``DepthToSpace``/``SpaceToDepth``) as one op whose backward
is the adjoint slice, sum or permutation.
"""

from __future__ import annotations

from lamina.autograd.function import Function
from lamina.autograd.ops._spatial import expect_ndim, normalize_tuple

__all__ = ["upsampling_nearest2d", "zero_padding2d", "cropping2d", "depth_to_space",
           "space_to_depth"]


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


def _block(block_size, op):
    if not _int(block_size) or block_size < 1:
        raise ValueError(f"{op}: block_size must be a positive int; received "
                         f"block_size={block_size!r}")
    return block_size


def _to_space(x, b):
    """(N, H, W, b*b*C) -> (N, H*b, W*b, C): channel (i*b + j)*C + c goes to offset (i, j)."""
    n, h, w, d = x.shape
    c = d // (b * b)
    return x.reshape(n, h, w, b, b, c).transpose(0, 1, 3, 2, 4, 5).reshape(n, h * b, w * b, c)


def _to_depth(x, b):
    """The inverse of :func:`_to_space`."""
    n, hb, wb, c = x.shape
    h, w = hb // b, wb // b
    return x.reshape(n, h, b, w, b, c).transpose(0, 1, 3, 2, 4, 5).reshape(n, h, w, b * b * c)


class DepthToSpace(Function):
    name = "depth_to_space"

    def forward(self, x, *, block_size):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        self.b = b = _block(block_size, self.name)
        if x.shape[3] % (b * b):
            raise ValueError(f"{self.name}: the channels ({x.shape[3]}) must be a multiple of "
                             f"block_size**2 = {b * b}; received an input of shape {x.shape}")
        return _to_space(x, b)

    def backward(self, grad):
        return _to_depth(grad, self.b)


class SpaceToDepth(Function):
    name = "space_to_depth"

    def forward(self, x, *, block_size):
        expect_ndim(x, 4, self.name, "N, H, W, C")
        self.b = b = _block(block_size, self.name)
        if x.shape[1] % b or x.shape[2] % b:
            raise ValueError(f"{self.name}: height and width must be multiples of "
                             f"block_size={b}; received an input of shape {x.shape}")
        return _to_depth(x, b)

    def backward(self, grad):
        return _to_space(grad, self.b)


def depth_to_space(x, block_size):
    """Rearrange channels into ``block_size x block_size`` pixel blocks (sub-pixel convolution,
    TensorFlow's ``depth_to_space`` in NHWC order).

    Args:
        x: (N, H, W, C * block_size**2).
    Returns (N, H * b, W * b, C) with ``out[n, h*b + i, w*b + j, c] = x[n, h, w, (i*b + j)*C + c]``.
    """
    return DepthToSpace.apply(x, block_size=block_size)


def space_to_depth(x, block_size):
    """The inverse of :func:`depth_to_space`: each ``b x b`` block of pixels becomes channels.

    Args:
        x: (N, H, W, C) with H and W multiples of ``block_size``.
    Returns (N, H / b, W / b, C * b**2).
    """
    return SpaceToDepth.apply(x, block_size=block_size)


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
